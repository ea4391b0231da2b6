// The runtime journal (fs/jbd2/journal.hpp) on images made by mke2fs -t
// ext3, loaded into a RAM disk, with Linux's tools as the judge.
//
// The workload is a real filesystem change made in four transactions:
// rename /hello.txt to /jello.txt and set its mtime; give it a second block
// (bitmap, group descriptor, superblock count, inode) whose data goes in
// ordered mode; log a free block that starts with the jbd2 magic (escaped);
// revoke that block and set the mtime again. Each change is consistent, so
// e2fsck -fn must find nothing wrong once all are home, and debugfs must see
// each of them.
//
//   crash     commit all four, then drop the cache (a power cut: nothing
//             checkpointed). e2fsck -fy replays the log (the home blocks
//             then hold the changes, the revoked block its old contents) and
//             Journal::open on the same crashed image produces the same
//             blocks as e2fsck's replay.
//   linux     a journal debugfs wrote (jo / jw / jc) is replayed by open()
//             exactly as e2fsck replays it.
//   clean     checkpoint and close leave the journal superblock clean
//             (dumpe2fs) with the next sequence, and e2fsck -fn clean.
//   units     the commit's write and flush order on the device, dedupe,
//             revoke and its cancellation, the log wrapping with automatic
//             checkpoints, credits, an I/O error aborting the journal,
//             refused superblocks and maps.
//
// The crash states of a recorded workload are jbd2_crash_states_test.cpp's.
//
// Configurations: 1 KiB and 4 KiB blocks without journal checksums, the v1
// checksum (debugfs), csum v2 and v3 (set in the journal superblock by the
// test's own field writer: e2fsck accepts them on ext3).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <optional>
#include <set>

#include "support/e2fsprogs.hpp"
#include "support/journal_workload.hpp"
#include "support/memory_disk.hpp"
#include "support/task_fixture.hpp"

using namespace mote;
using namespace mote::fs::jbd2;
using namespace mote::journal_test;
using mote::test::MemoryDisk;

namespace {

// The filesystem workload described above.
struct Workload {
    std::vector<Transaction> transactions;
    u64 x = 0;  // the file's new block (ordered data)
    u64 y = 0;  // logged in T3, revoked in T4
};

Workload fs_workload(const Layout& l) {
    const u32 bs = l.block_size;
    Workload w;
    w.x = l.free.at(0);
    w.y = l.free.at(1);
    const usize ino = l.inode_offset;
    const usize name = l.hello_name;
    w.transactions.push_back({
        metadata(l.root_block, [=](u8* p) { p[name] = 'j'; }),
        metadata(l.inode_block, [=](u8* p) { put_le32(p + ino + 0x10, kMtime1); }),
    });
    const u64 x = w.x;
    const u64 bit = x - l.bitmap_first;
    const usize gd = l.descriptor_offset;
    const usize sb = l.sb_offset;
    w.transactions.push_back({
        data(x,
             [=](u8* p) {
                 std::memset(p, 0, bs);
                 std::memcpy(p, "world", 5);
             }),
        metadata(l.bitmap_block, [=](u8* p) { p[bit / 8] |= u8(1u << (bit % 8)); }),
        metadata(l.descriptor_block, [=](u8* p) { put_le16(p + gd + 0x0C, get_le16(p + gd + 0x0C) - 1); }),
        metadata(l.sb_block, [=](u8* p) { put_le32(p + sb + 0x0C, get_le32(p + sb + 0x0C) - 1); }),
        metadata(l.inode_block,
                 [=](u8* p) {
                     put_le32(p + ino + 0x04, bs + 5);                                   // i_size
                     put_le32(p + ino + 0x1C, get_le32(p + ino + 0x1C) + bs / 512);      // i_blocks
                     put_le32(p + ino + 0x28 + 4, u32(x));                              // i_block[1]
                 }),
    });
    w.transactions.push_back({metadata(w.y, fill(bs, 3, true))});
    w.transactions.push_back({revoke(w.y), metadata(l.inode_block, [=](u8* p) { put_le32(p + ino + 0x10, kMtime2); })});
    return w;
}

// Blocks that differ between two images of one size.
std::vector<u64> differing_blocks(const std::vector<u8>& a, const std::vector<u8>& b, u32 bs) {
    std::vector<u64> out;
    EXPECT_EQ(a.size(), b.size());
    for (u64 n = 0; n < std::min(a.size(), b.size()) / bs; ++n)
        if (std::memcmp(a.data() + n * bs, b.data() + n * bs, bs) != 0) out.push_back(n);
    return out;
}

// What debugfs sees once the whole workload is home.
void expect_workload_home(const j::TempDir& dir, const std::string& path, const Layout& l, const Workload& w,
                          const std::vector<u8>& original) {
    using mote::ext2_test::debugfs_batch;
    using mote::ext2_test::parse_ls_p;
    const std::string dumped = dir.file("jello.out");
    const auto outputs = debugfs_batch(path,
                                       {"ls -p /", "stat <12>", "testb " + std::to_string(w.x),
                                        "dump <12> " + dumped},
                                       std::filesystem::path(dir.file("")));
    ASSERT_EQ(outputs.size(), 4u);
    bool jello = false, hello = false;
    for (const auto& e : parse_ls_p(outputs[0])) {
        jello |= e.name == "jello.txt" && e.inode == 12;
        hello |= e.name == "hello.txt";
    }
    EXPECT_TRUE(jello) << outputs[0];
    EXPECT_FALSE(hello) << outputs[0];
    char mtime[32];
    std::snprintf(mtime, sizeof mtime, "mtime: 0x%08x", kMtime2);
    EXPECT_NE(outputs[1].find(mtime), std::string::npos) << outputs[1];
    EXPECT_NE(outputs[1].find("Size: " + std::to_string(l.block_size + 5)), std::string::npos) << outputs[1];
    EXPECT_NE(outputs[2].find("marked in use"), std::string::npos) << outputs[2];
    std::vector<u8> expected(l.block_size + 5, 0);
    std::memcpy(expected.data(), "hi\n", 3);
    std::memcpy(expected.data() + l.block_size, "world", 5);
    EXPECT_EQ(j::read_file(dumped), expected);
    const std::vector<u8> now = j::read_file(path);
    EXPECT_EQ(block_of(now, w.y, l.block_size), block_of(original, w.y, l.block_size)) << "the revoked block";
}

// The journal has the checksum the configuration asked for.
void expect_checksum(const JournalSuperblock& sb, Checksum checksum) {
    EXPECT_EQ(sb.has_csum_v1(), checksum == Checksum::V1);
    EXPECT_EQ(sb.has_csum_v2(), checksum == Checksum::V2);
    EXPECT_EQ(sb.has_csum_v3(), checksum == Checksum::V3);
    EXPECT_TRUE(sb.has_revoke());
}

// e2fsck replays the journal of a copy of `image` and does nothing else.
std::vector<u8> replay_with_e2fsck(const std::vector<u8>& image, const std::string& path) {
    j::write_file(path, image);
    std::string out;
    const int status = j::run("e2fsck -y -E journal_only " + quote(path), &out);
    EXPECT_TRUE(status == 0 || status == 1) << status << "\n" << out;
    return j::read_file(path);
}

class JournalInterop : public ::testing::TestWithParam<Config>, public test::TaskFixture {
protected:
    void SetUp() override {
        if (!j::have_e2fsprogs()) GTEST_SKIP() << "no e2fsprogs on this machine";
    }

    // Opens a journal over `disk`, runs every transaction of `w` (all
    // committed), and drops everything without a checkpoint.
    void run_and_crash(MemoryDisk& disk, const Layout& l, const Workload& w) {
        Mount m(disk, loop, pages, l.block_size, l.journal, l.blocks);
        Jbd2Fault fault = Jbd2Fault::None;
        auto opened = run(m.journal.open(&fault));
        ASSERT_TRUE(opened && opened->ok()) << jbd2_fault_name(fault);
        EXPECT_EQ(opened->value().transactions, 0u);
        expect_checksum(m.journal.superblock(), GetParam().checksum);
        for (const Transaction& t : w.transactions) ASSERT_TRUE(run(run_transaction(m.cache, m.journal, &t))->ok());
        const JournalStats s = m.journal.stats();
        EXPECT_EQ(s.transactions, 4u);
        EXPECT_EQ(s.metadata_blocks, 2u + 4u + 1u + 1u);
        EXPECT_EQ(s.escaped_blocks, 1u);
        EXPECT_EQ(s.revoke_records, 1u);
        EXPECT_EQ(s.data_blocks, 1u);
        EXPECT_EQ(s.checkpoints, 0u);
        EXPECT_GT(s.log_used, 0u);
    }

    j::TempDir dir;
};

TEST_P(JournalInterop, CommittedTransactionsSurviveACrashForE2fsckAndForOpen) {
    const Config& c = GetParam();
    const std::string path = make_ext3(dir, c);
    std::string out;
    // The filesystem sets this while it is mounted read-write.
    ASSERT_EQ(j::run("debugfs -w -R 'feature needs_recovery' " + quote(path), &out), 0) << out;
    const std::vector<u8> original = j::read_file(path);
    const Layout l = layout(path, original);
    ASSERT_FALSE(l.journal.empty());
    const Workload w = fs_workload(l);

    MemoryDisk disk(loop, original.size() / 512);
    disk.data = original;
    run_and_crash(disk, l, w);
    if (HasFatalFailure()) return;
    const std::vector<u8> crashed = disk.data;

    // Only the journal and the ordered data block reached the disk.
    const std::set<u64> journal(l.journal.begin(), l.journal.end());
    for (u64 b : differing_blocks(original, crashed, c.block_size))
        EXPECT_TRUE(journal.count(b) || b == w.x) << "block " << b << " went home before a checkpoint";
    EXPECT_EQ(std::memcmp(crashed.data() + w.x * c.block_size, "world", 5), 0);

    // (a) e2fsck -fy replays it and everything is home and consistent.
    j::write_file(path, crashed);
    const int status = j::run("e2fsck -fy " + quote(path), &out);
    EXPECT_TRUE(status == 0 || status == 1) << status << "\n" << out;
    EXPECT_NE(out.find("recovering journal"), std::string::npos) << out;
    EXPECT_EQ(j::run("e2fsck -fn " + quote(path), &out), 0) << out;
    expect_workload_home(dir, path, l, w, original);

    // (b) open() replays the crashed image the way e2fsck's replay does.
    const std::vector<u8> theirs = replay_with_e2fsck(crashed, dir.file("e2fsck.img"));
    MemoryDisk again(loop, crashed.size() / 512);
    again.data = crashed;
    {
        Mount m(again, loop, pages, c.block_size, l.journal, l.blocks);
        Jbd2Fault fault = Jbd2Fault::None;
        auto opened = run(m.journal.open(&fault));
        ASSERT_TRUE(opened && opened->ok()) << jbd2_fault_name(fault);
        const RecoveryOutcome& r = opened->value();
        EXPECT_EQ(r.transactions, 4u);
        EXPECT_EQ(r.blocks_replayed, 7u);  // 8 logged, Y's copy revoked
        EXPECT_EQ(r.blocks_revoked, 1u);
        EXPECT_EQ(r.state.start, 0u);
        EXPECT_EQ(r.state.sequence, r.end_transaction + 1);
        EXPECT_EQ(m.journal.stats().replayed_blocks, 7u);
        EXPECT_TRUE(m.journal.idle());
    }
    std::vector<u64> diff = differing_blocks(again.data, theirs, c.block_size);
    // e2fsck clears needs_recovery in the filesystem superblock; the rest must match.
    diff.erase(std::remove(diff.begin(), diff.end(), l.sb_block), diff.end());
    EXPECT_TRUE(diff.empty()) << diff.size() << " blocks differ, the first " << diff.front();
    EXPECT_EQ(get_le32(again.data.data() + l.sb_block * c.block_size + l.sb_offset + 0x0C),
              get_le32(theirs.data() + l.sb_block * c.block_size + l.sb_offset + 0x0C));
    j::write_file(path, again.data);
    ASSERT_EQ(j::run("debugfs -w -R 'feature -needs_recovery' " + quote(path), &out), 0) << out;
    EXPECT_EQ(j::run("e2fsck -fn " + quote(path), &out), 0) << out;
    expect_workload_home(dir, path, l, w, original);
}

TEST_P(JournalInterop, CheckpointAndCloseLeaveTheJournalCleanAndTheFilesystemConsistent) {
    const Config& c = GetParam();
    const std::string path = make_ext3(dir, c);
    const std::vector<u8> original = j::read_file(path);
    const Layout l = layout(path, original);
    ASSERT_FALSE(l.journal.empty());
    const Workload w = fs_workload(l);
    MemoryDisk disk(loop, original.size() / 512);
    disk.data = original;
    Mount m(disk, loop, pages, c.block_size, l.journal, l.blocks);
    auto opened = run(m.journal.open());
    ASSERT_TRUE(opened && opened->ok());
    const u32 first = opened->value().state.sequence;
    std::string out;
    auto journal_fields = [&]() {
        j::write_file(path, disk.data);
        return mote::ext2_test::key_values(mote::ext2_test::run("dumpe2fs -h " + quote(path)).out);
    };
    char expected_sequence[16];

    for (usize t = 0; t < 2; ++t) ASSERT_TRUE(run(run_transaction(m.cache, m.journal, &w.transactions[t]))->ok());
    ASSERT_TRUE(run(m.journal.checkpoint())->ok());
    EXPECT_EQ(m.journal.stats().log_used, 0u);
    auto fields = journal_fields();
    EXPECT_EQ(fields["Journal start"], "0");
    std::snprintf(expected_sequence, sizeof expected_sequence, "0x%08x", first + 2);
    EXPECT_EQ(fields["Journal sequence"], expected_sequence);
    EXPECT_NE(fields["Journal features"].find("journal_incompat_revoke"), std::string::npos)
        << fields["Journal features"];
    EXPECT_EQ(j::run("e2fsck -fn " + quote(path), &out), 0) << out;

    for (usize t = 2; t < 4; ++t) ASSERT_TRUE(run(run_transaction(m.cache, m.journal, &w.transactions[t]))->ok());
    ASSERT_TRUE(run(m.journal.close())->ok());
    EXPECT_FALSE(m.journal.is_open());
    EXPECT_EQ(m.journal.stats().checkpoints, 2u);
    fields = journal_fields();
    EXPECT_EQ(fields["Journal start"], "0");
    std::snprintf(expected_sequence, sizeof expected_sequence, "0x%08x", first + 4);
    EXPECT_EQ(fields["Journal sequence"], expected_sequence);
    EXPECT_EQ(j::run("debugfs -R logdump " + quote(path), &out), 0);
    EXPECT_NE(out.find("Journal starts at block 0, transaction " + std::to_string(first + 4)), std::string::npos)
        << out;
    EXPECT_EQ(j::run("e2fsck -fn " + quote(path), &out), 0) << out;
    // Y went home with T3's contents (T4 only freed it): not part of the check.
    std::vector<u8> expected_y(c.block_size);
    fill(c.block_size, 3, true)(expected_y.data());
    EXPECT_EQ(block_of(disk.data, w.y, c.block_size), expected_y);
    std::vector<u8> with_original_y = disk.data;
    std::copy(original.begin() + long(w.y * c.block_size), original.begin() + long((w.y + 1) * c.block_size),
              with_original_y.begin() + long(w.y * c.block_size));
    j::write_file(path, with_original_y);
    expect_workload_home(dir, path, l, w, original);
}

// Linux writes (debugfs: T1 logs a, b, c; T2 logs c, d and revokes a; T3
// has no commit block), Mote's open() replays, and must match e2fsck.
TEST_P(JournalInterop, OpenReplaysAJournalLinuxWroteAsE2fsckDoes) {
    const Config& c = GetParam();
    const std::string path = make_ext3(dir, c);
    const std::vector<u8> fresh = j::read_file(path);
    const Layout l = layout(path, fresh);
    ASSERT_FALSE(l.journal.empty());
    std::vector<std::vector<u8>> contents;
    for (u32 i = 0; i < 6; ++i) {
        contents.emplace_back(c.block_size);
        fill(c.block_size, 100 + i, i == 1 || i == 3)(contents.back().data());
    }
    auto cat = [&](std::initializer_list<u32> which) {
        std::vector<u8> out;
        for (u32 i : which) out.insert(out.end(), contents[i].begin(), contents[i].end());
        return out;
    };
    j::write_file(dir.file("t1"), cat({0, 1, 2}));
    j::write_file(dir.file("t2"), cat({3, 4}));
    j::write_file(dir.file("t3"), cat({5}));
    const auto& f = l.free;
    auto n = [](u64 v) { return std::to_string(v); };
    const std::string script = "jo\njw -b " + n(f[0]) + "," + n(f[1]) + "," + n(f[2]) + " " + dir.file("t1") +
                               "\njc\njo\njw -b " + n(f[2]) + "," + n(f[3]) + " -r " + n(f[0]) + " " +
                               dir.file("t2") + "\njc\njo\njw -b " + n(f[4]) + " -c " + dir.file("t3") + "\njc\n";
    j::write_file(dir.file("script"), std::vector<u8>(script.begin(), script.end()));
    std::string out;
    ASSERT_EQ(j::run("debugfs -w -f " + quote(dir.file("script")) + " " + quote(path), &out), 0) << out;
    ASSERT_EQ(out.find("rror"), std::string::npos) << out;
    const std::vector<u8> journaled = j::read_file(path);

    MemoryDisk disk(loop, journaled.size() / 512);
    disk.data = journaled;
    RecoveryOutcome r;
    {
        Mount m(disk, loop, pages, c.block_size, l.journal, l.blocks);
        Jbd2Fault fault = Jbd2Fault::None;
        auto opened = run(m.journal.open(&fault));
        ASSERT_TRUE(opened && opened->ok()) << jbd2_fault_name(fault);
        r = opened->value();
    }
    const std::vector<u8> theirs = replay_with_e2fsck(journaled, dir.file("e2fsck.img"));
    std::vector<u64> diff = differing_blocks(disk.data, theirs, c.block_size);
    diff.erase(std::remove(diff.begin(), diff.end(), l.sb_block), diff.end());
    EXPECT_TRUE(diff.empty()) << diff.size() << " blocks differ, the first " << diff.front();
    auto home = [&](u32 i) { return block_of(disk.data, f[i], c.block_size); };
    const std::vector<u8> zero(c.block_size, 0);
    EXPECT_EQ(home(1), contents[1]) << "b from T1 (escaped)";
    EXPECT_EQ(home(4), zero) << "e: T3 has no commit";
    if (c.checksum == Checksum::V1) {
        // debugfs's v1 sum covers T2's revoke block, which jbd2 leaves out:
        // the log ends after T1 for e2fsck as for Mote.
        EXPECT_EQ(r.transactions, 1u);
        EXPECT_EQ(home(2), contents[2]);
    } else {
        EXPECT_EQ(r.transactions, 2u);
        EXPECT_EQ(r.blocks_replayed, 4u);
        EXPECT_EQ(r.blocks_revoked, 1u);
        EXPECT_EQ(home(0), zero) << "a revoked";
        EXPECT_EQ(home(2), contents[3]) << "c from T2";
        EXPECT_EQ(home(3), contents[4]) << "d from T2";
    }
}

INSTANTIATE_TEST_SUITE_P(Configs, JournalInterop, ::testing::ValuesIn(kConfigs),
                         [](const ::testing::TestParamInfo<Config>& info) { return std::string(info.param.name); });


// ---------------------------------------------------------------------------
// Units, on a 1 KiB ext3 image.

class JournalUnit : public ::testing::Test, public test::TaskFixture {
protected:
    void SetUp() override {
        if (!j::have_e2fsprogs()) GTEST_SKIP() << "no e2fsprogs on this machine";
        path = make_ext3(dir, kConfigs[0]);
        original = j::read_file(path);
        l = layout(path, original, 30);
        ASSERT_EQ(l.free.size(), 30u);
        disk.emplace(loop, original.size() / 512);
        disk->data = original;
    }
    void TearDown() override {
        mount.reset();
        disk.reset();
    }
    Journal& open(usize buffers = 256) {
        mount.emplace(*disk, loop, pages, l.block_size, l.journal, l.blocks, buffers);
        Jbd2Fault fault = Jbd2Fault::None;
        auto opened = run(mount->journal.open(&fault));
        EXPECT_TRUE(opened && opened->ok()) << jbd2_fault_name(fault);
        return mount->journal;
    }
    Result<void> transaction(const Transaction& t, bool commit = true) {
        auto r = run(run_transaction(mount->cache, mount->journal, &t, commit));
        return r ? *r : Result<void>(Error::Timeout);
    }
    // A power cut: the journal and the cache vanish; the disk stays.
    std::vector<u8> crash() {
        mount.reset();
        return disk->data;
    }
    // Mote's replay of `image` (which must match e2fsck's, the superblock block aside).
    std::vector<u8> replay_both_ways(const std::vector<u8>& image, RecoveryOutcome* outcome = nullptr) {
        MemoryDisk other(loop, image.size() / 512);
        other.data = image;
        {
            Mount m(other, loop, pages, l.block_size, l.journal, l.blocks);
            Jbd2Fault fault = Jbd2Fault::None;
            auto opened = run(m.journal.open(&fault));
            EXPECT_TRUE(opened && opened->ok()) << jbd2_fault_name(fault);
            if (opened && opened->ok() && outcome) *outcome = opened->value();
        }
        const std::vector<u8> theirs = replay_with_e2fsck(image, dir.file("e2fsck.img"));
        std::vector<u64> diff = differing_blocks(other.data, theirs, l.block_size);
        diff.erase(std::remove(diff.begin(), diff.end(), l.sb_block), diff.end());
        EXPECT_TRUE(diff.empty()) << diff.size() << " blocks differ from e2fsck's replay, the first " << diff.front();
        return other.data;
    }
    std::vector<u8> block(const std::vector<u8>& image, u64 b) const { return block_of(image, b, l.block_size); }
    std::vector<u8> filled(u32 seed, bool magic = false) const {
        std::vector<u8> out(l.block_size);
        fill(l.block_size, seed, magic)(out.data());
        return out;
    }
    u64 lba(u64 block) const { return block * (l.block_size / 512); }

    j::TempDir dir;
    std::string path;
    std::vector<u8> original;
    Layout l;
    std::optional<MemoryDisk> disk;
    std::optional<Mount> mount;
};

TEST_F(JournalUnit, ACommitWritesDataThenTheLogThenFlushesThenTheCommitBlockThenFlushes) {
    Journal& journal = open();
    const u32 bs = l.block_size;
    const u64 d = l.free[0], a = l.free[1], b = l.free[2];
    disk->log.clear();
    ASSERT_TRUE(transaction({data(d, fill(bs, 1)), metadata(a, fill(bs, 2)), metadata(b, fill(bs, 3))}).ok());
    using E = MemoryDisk::LogEntry;
    // Adjacent blocks may go out as one multi-block write: compare block
    // by block (a write of n blocks counts as n one-block writes in order).
    auto same = [](const std::vector<E>& raw, const std::vector<E>& want) {
        std::vector<E> got;
        for (const E& e : raw) {
            if (e.op != BlockOp::Write) got.push_back(e);
            else
                for (u32 s = 0; s < e.sectors; s += 2) got.push_back({e.op, e.lba + s, 2});
        }
        if (got.size() != want.size()) return false;
        for (usize i = 0; i < got.size(); ++i)
            if (got[i].op != want[i].op || (got[i].op == BlockOp::Write && got[i].lba != want[i].lba)) return false;
        return true;
    };
    auto show = [](const std::vector<E>& log) {
        std::string out;
        for (const E& e : log) out += std::string(block_op_name(e.op)) + "@" + std::to_string(e.lba) + " ";
        return out;
    };
    const auto& map = l.journal;
    // The log starts at s_first (1): descriptor, a, b, then the commit.
    const std::vector<E> first = {
        {BlockOp::Write, lba(d), 2},      {BlockOp::Write, lba(map[0]), 2}, {BlockOp::Write, lba(map[1]), 2},
        {BlockOp::Write, lba(map[2]), 2}, {BlockOp::Write, lba(map[3]), 2}, {BlockOp::Flush, 0, 0},
        {BlockOp::Write, lba(map[4]), 2}, {BlockOp::Flush, 0, 0},
    };
    EXPECT_TRUE(same(disk->log, first)) << show(disk->log);
    // Nothing went home but the data block.
    EXPECT_EQ(block(disk->data, a), block(original, a));
    EXPECT_EQ(block(disk->data, d), filled(1));
    // The log's first transaction set the log start in the journal superblock.
    auto sb = journal_superblock(disk->data, map, bs);
    ASSERT_TRUE(sb.ok());
    EXPECT_EQ(sb.value().state.start, 1u);
    EXPECT_EQ(sb.value().state.sequence, journal.stats().sequence - 1);

    // The next one follows it, without touching the superblock.
    disk->log.clear();
    ASSERT_TRUE(transaction({metadata(a, fill(bs, 4))}).ok());
    const std::vector<E> second = {{BlockOp::Write, lba(map[5]), 2}, {BlockOp::Write, lba(map[6]), 2},
                                   {BlockOp::Flush, 0, 0}, {BlockOp::Write, lba(map[7]), 2}, {BlockOp::Flush, 0, 0}};
    EXPECT_TRUE(same(disk->log, second)) << show(disk->log);
    EXPECT_EQ(journal.stats().log_used, 7u);
    EXPECT_EQ(journal.stats().transactions, 2u);
}

TEST_F(JournalUnit, ADataOnlyTransactionWritesItsDataAndFlushesWithoutLogBlocks) {
    Journal& journal = open();
    disk->log.clear();
    ASSERT_TRUE(transaction({data(l.free[0], fill(l.block_size, 1))}).ok());
    ASSERT_EQ(disk->log.size(), 2u);
    EXPECT_EQ(disk->log[0].op, BlockOp::Write);
    EXPECT_EQ(disk->log[0].lba, lba(l.free[0]));
    EXPECT_EQ(disk->log[1].op, BlockOp::Flush);
    EXPECT_EQ(journal.stats().transactions, 0u);
    EXPECT_TRUE(journal.idle());
    // Nothing at all: nothing happens.
    disk->log.clear();
    ASSERT_TRUE(run(journal.commit())->ok());
    EXPECT_TRUE(disk->log.empty());
}

TEST_F(JournalUnit, BlocksAreLoggedOnceRevokesDropThemAndReuseCancelsTheRevoke) {
    Journal& journal = open();
    const u32 bs = l.block_size;
    const u64 a = l.free[0], b = l.free[1], c = l.free[2], d = l.free[3], e = l.free[4];
    ASSERT_TRUE(transaction({metadata(a, fill(bs, 1)), metadata(a, fill(bs, 2)),  // twice: logged once
                             metadata(b, fill(bs, 3)), revoke(b),                 // freed: not logged
                             metadata(c, fill(bs, 4)),                            //
                             revoke(d), metadata(d, fill(bs, 5)),                 // freed, reused as metadata
                             revoke(e), data(e, fill(bs, 6))},                    // freed, reused as data: journaled
                            false)
                    .ok());
    JournalStats s = journal.stats();
    EXPECT_EQ(s.running_credits, 5u + 3u);  // a b c d e, revokes of b d e
    EXPECT_EQ(s.running_data, 0u);
    ASSERT_TRUE(run(journal.commit())->ok());
    s = journal.stats();
    EXPECT_EQ(s.metadata_blocks, 4u);  // a c d e
    EXPECT_EQ(s.revoke_records, 1u);   // b
    EXPECT_EQ(s.data_blocks, 0u);
    EXPECT_EQ(block(disk->data, e), block(original, e)) << "e did not go home before the commit";

    const std::vector<u8> crashed = crash();
    RecoveryOutcome r;
    const std::vector<u8> replayed = replay_both_ways(crashed, &r);
    EXPECT_EQ(r.transactions, 1u);
    EXPECT_EQ(r.blocks_replayed, 4u);
    EXPECT_EQ(r.revoke_records, 1u);
    EXPECT_EQ(block(replayed, a), filled(2));
    EXPECT_EQ(block(replayed, b), block(original, b));
    EXPECT_EQ(block(replayed, c), filled(4));
    EXPECT_EQ(block(replayed, d), filled(5));
    EXPECT_EQ(block(replayed, e), filled(6));
}

TEST_F(JournalUnit, CreditsBoundTheTransactionAndAdviseTheCommit) {
    Journal& journal = open(64);  // a quarter of 64 buffers: 16 credits
    EXPECT_EQ(journal.stats().max_credits, 16u);
    EXPECT_TRUE(journal.idle());
    Transaction t;
    for (u32 i = 0; i < 11; ++i) t.push_back(metadata(l.free[i], fill(l.block_size, i)));
    ASSERT_TRUE(transaction(t, false).ok());
    EXPECT_FALSE(journal.should_commit());
    ASSERT_TRUE(transaction({metadata(l.free[11], fill(l.block_size, 11))}, false).ok());
    EXPECT_TRUE(journal.should_commit());  // three quarters
    EXPECT_TRUE(journal.has_room(4));
    EXPECT_FALSE(journal.has_room(5));
    EXPECT_TRUE(journal.has_room(0, 16));
    EXPECT_FALSE(journal.has_room(0, 17));
    EXPECT_FALSE(journal.idle());
    ASSERT_TRUE(run(journal.commit())->ok());
    EXPECT_TRUE(journal.idle());
    EXPECT_TRUE(journal.has_room(16));
    EXPECT_FALSE(journal.should_commit());
}

// 150 transactions of 12 blocks in a log of 1023: the ring wraps, and the
// journal checkpoints by itself whenever another full transaction might
// not fit. The crashed image then replays (Mote and e2fsck alike) to the
// last transaction.
TEST_F(JournalUnit, TheLogWrapsAndCheckpointsByItselfWhenItRunsShort) {
    Journal& journal = open(64);
    const u32 bs = l.block_size;
    std::vector<u8> model = original;
    for (u32 t = 0; t < 150; ++t) {
        Transaction tx;
        for (u32 i = 0; i < 12; ++i) tx.push_back(metadata(l.free[(t * 7 + i) % 30], fill(bs, t * 100 + i)));
        ASSERT_TRUE(transaction(tx).ok()) << "transaction " << t;
        apply_to_model(model, bs, tx);
    }
    const JournalStats s = journal.stats();
    EXPECT_EQ(s.transactions, 150u);
    EXPECT_GE(s.checkpoints, 2u);
    EXPECT_LT(s.log_used, s.log_blocks);
    const std::vector<u8> replayed = replay_both_ways(crash());
    for (u64 b : l.free) EXPECT_EQ(block(replayed, b), block(model, b)) << "block " << b;
}

TEST_F(JournalUnit, AnIoErrorAbortsTheJournalAndNothingOfTheTransactionGoesHome) {
    Journal& journal = open();
    const u32 bs = l.block_size;
    ASSERT_TRUE(transaction({metadata(l.free[0], fill(bs, 1)), metadata(l.free[1], fill(bs, 2))}, false).ok());
    disk->fail_writes = 1;
    auto committed = run(journal.commit());
    ASSERT_TRUE(committed);
    EXPECT_EQ(committed->error(), Error::Io);
    EXPECT_TRUE(journal.stats().aborted);
    EXPECT_FALSE(journal.has_room(1));
    EXPECT_EQ(run(journal.commit())->error(), Error::Io);
    EXPECT_EQ(run(journal.checkpoint())->error(), Error::Io);
    // Held: even a sync leaves the home blocks alone.
    ASSERT_TRUE(run(mount->cache.sync())->ok());
    EXPECT_EQ(block(disk->data, l.free[0]), block(original, l.free[0]));
    EXPECT_EQ(block(disk->data, l.free[1]), block(original, l.free[1]));
}

TEST_F(JournalUnit, OpenRefusesABrokenSuperblockOrMapAndASecondOpen) {
    {
        std::vector<u8> broken = original;
        j::put_be32(broken.data() + u64(l.journal[0]) * l.block_size, 0);
        disk->data = broken;
        Mount m(*disk, loop, pages, l.block_size, l.journal, l.blocks);
        Jbd2Fault fault = Jbd2Fault::None;
        auto opened = run(m.journal.open(&fault));
        ASSERT_TRUE(opened);
        EXPECT_EQ(opened->error(), Error::Malformed);
        EXPECT_EQ(fault, Jbd2Fault::BadSuperblockMagic);
        EXPECT_FALSE(m.journal.is_open());
    }
    disk->data = original;
    {
        std::vector<u32> map = l.journal;
        map[map.size() / 2] = u32(l.blocks);
        Mount m(*disk, loop, pages, l.block_size, map, l.blocks);
        Jbd2Fault fault = Jbd2Fault::None;
        auto opened = run(m.journal.open(&fault));
        EXPECT_EQ(opened->error(), Error::Malformed);
        EXPECT_EQ(fault, Jbd2Fault::BlockOutOfRange);
    }
    {
        std::vector<u32> map(l.journal.begin(), l.journal.begin() + 100);  // shorter than s_maxlen
        Mount m(*disk, loop, pages, l.block_size, map, l.blocks);
        Jbd2Fault fault = Jbd2Fault::None;
        EXPECT_EQ(run(m.journal.open(&fault))->error(), Error::Malformed);
        EXPECT_EQ(fault, Jbd2Fault::JournalTooShort);
    }
    Journal& journal = open();
    EXPECT_EQ(run(journal.open())->error(), Error::BadState);
    EXPECT_TRUE(journal.is_open());
}

}  // namespace
