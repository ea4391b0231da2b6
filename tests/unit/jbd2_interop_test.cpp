// jbd2 against Linux's own tools (e2fsprogs), both ways.
//
// Linux writes, Mote replays: mke2fs makes an ext3/ext4 image, debugfs's
// journal commands (jo / jw / jc) leave transactions in its journal
// without replaying them: two committed ones (the second overwrites a
// block of the first and revokes another) and one without a commit
// block. Mote's Recovery, driven over the image file (journal blocks read
// through the journal inode's block map), replays into one copy; e2fsck
// replays another (-E journal_only: the replay and nothing else). Every
// block but the filesystem superblock must then be byte-identical, the
// journal superblock included, and the home blocks must hold what the
// transactions wrote (known independently of both replays). The same for
// a torn commit block, a wrong sequence number and a corrupt commit
// checksum, where both must stop after the first transaction.
//
// Mote writes, Linux replays: TransactionWriter encodes transactions
// (several descriptor and revoke blocks, an escaped block, the log wrapping
// round its end, one transaction left without a commit) into a fresh
// image's journal; the journal superblock gets the log start and the
// filesystem the needs_recovery flag (via debugfs). e2fsck -fy must replay
// it with the home blocks holding Mote's data, and e2fsck -fn afterwards
// must find nothing to fix.
//
// Configurations: ext3 with 1 KiB and 4 KiB blocks (no checksums), the v1
// transaction checksum, csum v2 and v3 (metadata_csum), and 64bit with v3.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "fs/jbd2/descriptor_block.hpp"
#include "fs/jbd2/revoke_block.hpp"
#include "fs/jbd2/transaction_writer.hpp"
#include "support/jbd2_image.hpp"

using namespace mote;
using namespace mote::fs::jbd2;
using namespace mote::jbd2_test;

namespace {

struct Config {
    const char* name;
    const char* mkfs;      // mke2fs options
    u32 block_size;
    u32 blocks;            // filesystem size in blocks
    const char* open;      // debugfs's journal_open command
    u32 compat;            // journal features for the writer tests
    u32 incompat;
};

const Config kConfigs[] = {
    {"ext3_1k", "-t ext3", 1024, 8192, "jo", 0, kIncompatRevoke},
    {"ext3_4k", "-t ext3", 4096, 4096, "jo", 0, kIncompatRevoke},
    {"ext3_1k_csum_v1", "-t ext3", 1024, 8192, "jo -c", kCompatChecksum, kIncompatRevoke},
    {"ext4_1k_csum_v3", "-t ext4 -O metadata_csum", 1024, 8192, "jo -c", 0, kIncompatRevoke | kIncompatCsumV3},
    {"ext4_4k_csum_v2", "-t ext4 -O metadata_csum", 4096, 4096, "jo -c -v 2", 0, kIncompatRevoke | kIncompatCsumV2},
    {"ext4_4k_64bit_csum_v3", "-t ext4 -O 64bit,metadata_csum", 4096, 4096, "jo -c", 0,
     kIncompatRevoke | kIncompatCsumV3 | kIncompat64Bit},
};

// gtest names failing parameters with this instead of a byte dump.
void PrintTo(const Config& c, std::ostream* out) { *out << c.name; }

std::string quote(const std::string& s) { return "'" + s + "'"; }

// A fresh filesystem image; returns its path.
std::string make_image(const TempDir& dir, const Config& c, const std::string& name) {
    const std::string path = dir.file(name);
    std::string out;
    EXPECT_EQ(run("dd if=/dev/zero of=" + quote(path) + " bs=" + std::to_string(c.block_size) +
                      " count=" + std::to_string(c.blocks) + " status=none",
                  &out),
              0)
        << out;
    EXPECT_EQ(run("mke2fs -q -F " + std::string(c.mkfs) + " -b " + std::to_string(c.block_size) + " " + quote(path),
                  &out),
              0)
        << out;
    return path;
}

// First of `count` consecutive blocks that debugfs says are free.
u64 free_run(const std::string& image, u64 first, u64 count) {
    std::string out;
    EXPECT_EQ(run("debugfs -R 'testb " + std::to_string(first) + " " + std::to_string(count) + "' " + quote(image),
                  &out),
              0);
    usize free = 0;
    for (usize at = 0; (at = out.find("not in use", at)) != std::string::npos; ++at) ++free;
    EXPECT_EQ(free, count) << out;
    return first;
}

// Distinct contents for block `index` of a test; `magic` starts it with the
// jbd2 magic so the journal must escape it.
std::vector<u8> pattern(u32 block_size, u32 index, bool magic = false) {
    std::vector<u8> block(block_size);
    std::mt19937 random(index * 7919u + 17u);
    for (u8& b : block) b = u8(random());
    if (magic) put_be32(block.data(), kMagic);
    return block;
}

std::vector<u8> concat(const std::vector<std::vector<u8>>& blocks) {
    std::vector<u8> out;
    for (const auto& b : blocks) out.insert(out.end(), b.begin(), b.end());
    return out;
}

// Blocks that differ between two images of the same size.
std::vector<u64> differing_blocks(const Image& a, const Image& b) {
    std::vector<u64> out;
    EXPECT_EQ(a.bytes.size(), b.bytes.size());
    for (u64 n = 0; n < a.block_count(); ++n)
        if (std::memcmp(a.block(n), b.block(n), a.block_size) != 0) out.push_back(n);
    return out;
}

// The journal block holding the log block of `type` for transaction
// `sequence` (the first one found), read with the test's own field reader.
u32 find_log_block(const Image& image, const std::vector<u64>& map, u32 type, u32 sequence) {
    for (u32 j = 1; j < map.size(); ++j) {
        const u8* p = image.block(map[j]);
        if (get_be32(p) == kMagic && get_be32(p + 4) == type && get_be32(p + 8) == sequence) return j;
    }
    ADD_FAILURE() << "no block of type " << type << " for transaction " << sequence;
    return 0;
}

// e2fsck replays the journal of a copy of `image` and does nothing else.
Image replay_with_e2fsck(const Image& image, const std::string& path) {
    write_file(path, image.bytes);
    std::string out;
    const int status = run("e2fsck -y -E journal_only " + quote(path), &out);
    EXPECT_TRUE(status == 0 || status == 1) << status << "\n" << out;
    return Image(path);
}

class Jbd2Interop : public ::testing::TestWithParam<Config> {
protected:
    void SetUp() override {
        if (!have_e2fsprogs()) GTEST_SKIP() << "no e2fsprogs on this machine";
    }
    TempDir dir;
};

// ---------------------------------------------------------------------------
// Linux writes, Mote replays.

struct LinuxJournal {
    std::string path;
    u64 a, b, c, d, e;  // home blocks
    std::vector<std::vector<u8>> t1, t2, t3;
};

// T1 logs a, b (escaped), c; T2 logs c, d (escaped) and revokes a; T3
// logs e and has no commit block.
LinuxJournal write_with_debugfs(const TempDir& dir, const Config& c) {
    LinuxJournal j;
    j.path = make_image(dir, c, "linux.img");
    const u64 base = free_run(j.path, c.blocks / 2, 5);
    j.a = base, j.b = base + 1, j.c = base + 2, j.d = base + 3, j.e = base + 4;
    j.t1 = {pattern(c.block_size, 1), pattern(c.block_size, 2, true), pattern(c.block_size, 3)};
    j.t2 = {pattern(c.block_size, 4), pattern(c.block_size, 5, true)};
    j.t3 = {pattern(c.block_size, 6)};
    write_file(dir.file("t1"), concat(j.t1));
    write_file(dir.file("t2"), concat(j.t2));
    write_file(dir.file("t3"), concat(j.t3));
    auto n = [](u64 v) { return std::to_string(v); };
    const std::string script = std::string(c.open) + "\n" +
                               "jw -b " + n(j.a) + "," + n(j.b) + "," + n(j.c) + " " + dir.file("t1") + "\njc\n" +
                               "jo\njw -b " + n(j.c) + "," + n(j.d) + " -r " + n(j.a) + " " + dir.file("t2") + "\njc\n" +
                               "jo\njw -b " + n(j.e) + " -c " + dir.file("t3") + "\njc\n";
    write_file(dir.file("script"), std::vector<u8>(script.begin(), script.end()));
    std::string out;
    EXPECT_EQ(run("debugfs -w -f " + quote(dir.file("script")) + " " + quote(j.path), &out), 0) << out;
    EXPECT_EQ(out.find("rror"), std::string::npos) << out;
    return j;
}

// Mote's replay and e2fsck's agree on every block but the filesystem
// superblock; returns Mote's result.
Replayed expect_same_replay(const TempDir& dir, const Image& journaled) {
    Image mine = journaled;
    const auto map = journal_map(journaled.path);
    Replayed replayed = recover_image(mine, map);
    EXPECT_TRUE(replayed.ok) << error_name(replayed.error) << " " << jbd2_fault_name(replayed.fault);
    Image linux_replay = replay_with_e2fsck(journaled, dir.file("e2fsck.img"));
    auto diff = differing_blocks(mine, linux_replay);
    diff.erase(std::remove(diff.begin(), diff.end(), journaled.superblock_block()), diff.end());
    EXPECT_TRUE(diff.empty()) << diff.size() << " blocks differ, the first " << diff.front()
                              << " (journal superblock at " << map[0] << ")";
    return replayed;
}

void expect_block(const Image& image, u64 block, const std::vector<u8>& contents, const char* what) {
    EXPECT_TRUE(std::equal(contents.begin(), contents.end(), image.block(block))) << what << " (block " << block << ")";
}

TEST_P(Jbd2Interop, ReplaysWhatDebugfsLogged) {
    const Config& c = GetParam();
    LinuxJournal j = write_with_debugfs(dir, c);
    Image journaled(j.path);
    const std::vector<u8> zero(c.block_size, 0);
    Image mine = journaled;
    Replayed r = recover_image(mine, journal_map(j.path));
    ASSERT_TRUE(r.ok) << jbd2_fault_name(r.fault);

    if (c.compat & kCompatChecksum) {
        // debugfs's v1 sum also covers the revoke block, which jbd2 leaves
        // out: T2's commit does not match, and the log ends after T1 (for
        // e2fsck too, below).
        EXPECT_EQ(r.outcome.transactions, 1u);
        EXPECT_EQ(r.outcome.end, Jbd2Fault::BadCommitChecksum);
        expect_block(mine, j.a, j.t1[0], "a from T1");
        expect_block(mine, j.c, j.t1[2], "c from T1");
        expect_block(mine, j.d, zero, "d untouched");
    } else {
        EXPECT_EQ(r.outcome.transactions, 2u);
        EXPECT_EQ(r.outcome.first_transaction, 1u);
        EXPECT_EQ(r.outcome.end_transaction, 3u);
        EXPECT_EQ(r.outcome.state.sequence, 4u);
        EXPECT_EQ(r.outcome.state.start, 0u);
        EXPECT_EQ(r.outcome.end, Jbd2Fault::NotJournalBlock);
        EXPECT_EQ(r.outcome.blocks_replayed, 4u);  // b, c (T1), c, d (T2)
        EXPECT_EQ(r.outcome.blocks_revoked, 1u);   // a (T1)
        EXPECT_EQ(r.outcome.revoke_records, 1u);
        expect_block(mine, j.a, zero, "a revoked");
        expect_block(mine, j.c, j.t2[0], "c from T2");
        expect_block(mine, j.d, j.t2[1], "d from T2 (escaped)");
    }
    expect_block(mine, j.b, j.t1[1], "b from T1 (escaped)");
    expect_block(mine, j.e, zero, "e: T3 has no commit");
    expect_same_replay(dir, journaled);
}

TEST_P(Jbd2Interop, TornCommitEndsTheLogAfterTheFirstTransaction) {
    const Config& c = GetParam();
    LinuxJournal j = write_with_debugfs(dir, c);
    Image journaled(j.path);
    const auto map = journal_map(j.path);
    const u32 commit = find_log_block(journaled, map, kBlockCommit, 2);
    std::fill(journaled.block(map[commit]), journaled.block(map[commit]) + c.block_size, 0);
    Replayed r = expect_same_replay(dir, journaled);
    EXPECT_EQ(r.outcome.transactions, 1u);
    EXPECT_EQ(r.outcome.end, Jbd2Fault::NotJournalBlock);
    EXPECT_EQ(r.outcome.end_block, commit);
}

TEST_P(Jbd2Interop, WrongSequenceEndsTheLogAfterTheFirstTransaction) {
    const Config& c = GetParam();
    LinuxJournal j = write_with_debugfs(dir, c);
    Image journaled(j.path);
    const auto map = journal_map(j.path);
    const u32 descriptor = find_log_block(journaled, map, kBlockDescriptor, 2);
    put_be32(journaled.block(map[descriptor]) + 8, 7);
    Replayed r = expect_same_replay(dir, journaled);
    EXPECT_EQ(r.outcome.transactions, 1u);
    EXPECT_EQ(r.outcome.end, Jbd2Fault::SequenceMismatch);
    EXPECT_EQ(r.outcome.end_block, descriptor);
    EXPECT_EQ(r.outcome.state.sequence, 3u);
}

TEST_P(Jbd2Interop, CorruptCommitChecksumEndsTheLogAfterTheFirstTransaction) {
    const Config& c = GetParam();
    if (!(c.incompat & (kIncompatCsumV2 | kIncompatCsumV3)) && !(c.compat & kCompatChecksum))
        GTEST_SKIP() << "no commit checksum in this configuration";
    LinuxJournal j = write_with_debugfs(dir, c);
    Image journaled(j.path);
    const auto map = journal_map(j.path);
    const u32 commit = find_log_block(journaled, map, kBlockCommit, 1);
    if (c.compat & kCompatChecksum) journaled.block(map[commit])[0x10] ^= 0x01;  // the v1 sum itself
    else journaled.block(map[commit])[0x100] ^= 0x40;                            // any byte of the block
    Replayed r = expect_same_replay(dir, journaled);
    EXPECT_EQ(r.outcome.transactions, 0u);
    EXPECT_EQ(r.outcome.end, Jbd2Fault::BadCommitChecksum);
    EXPECT_EQ(r.outcome.end_block, commit);
}

// Where Mote is stricter than jbd2 (see recovery.hpp): only Mote's result.
TEST_P(Jbd2Interop, CorruptDescriptorOrDataEndsTheLogBeforeIt) {
    const Config& c = GetParam();
    if (!(c.incompat & (kIncompatCsumV2 | kIncompatCsumV3))) GTEST_SKIP() << "no block checksums";
    LinuxJournal j = write_with_debugfs(dir, c);
    const Image journaled(j.path);
    const auto map = journal_map(j.path);
    const std::vector<u8> zero(c.block_size, 0);

    Image bad_descriptor = journaled;
    const u32 descriptor = find_log_block(journaled, map, kBlockDescriptor, 2);
    bad_descriptor.block(map[descriptor])[c.block_size - 40] ^= 0x08;  // tag area, past the tags
    Replayed r = recover_image(bad_descriptor, map);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.outcome.transactions, 1u);
    EXPECT_EQ(r.outcome.end, Jbd2Fault::BadDescriptorChecksum);
    expect_block(bad_descriptor, j.c, j.t1[2], "c from T1 only");

    Image bad_data = journaled;
    bad_data.block(map[descriptor + 2])[100] ^= 0x01;  // T2's second logged block
    r = recover_image(bad_data, map);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.outcome.transactions, 1u);
    EXPECT_EQ(r.outcome.end, Jbd2Fault::BadDataChecksum);
    EXPECT_EQ(r.outcome.end_block, descriptor + 2);
    expect_block(bad_data, j.d, zero, "d: T2 dropped whole");

    Image bad_revoke = journaled;
    const u32 revoke = find_log_block(journaled, map, kBlockRevoke, 2);
    bad_revoke.block(map[revoke])[c.block_size - 1] ^= 0x80;  // the tail checksum
    r = recover_image(bad_revoke, map);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.outcome.transactions, 1u);
    EXPECT_EQ(r.outcome.end, Jbd2Fault::BadRevokeChecksum);
}

TEST_P(Jbd2Interop, RevokeTableOverflowIsAFault) {
    const Config& c = GetParam();
    LinuxJournal j = write_with_debugfs(dir, c);
    Image journaled(j.path);
    Replayed r = recover_image(journaled, journal_map(j.path), 0);
    if (c.compat & kCompatChecksum) {
        // The transaction with the revoke is not replayed (see above).
        EXPECT_TRUE(r.ok);
        return;
    }
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error, Error::NoMemory);
    EXPECT_EQ(r.fault, Jbd2Fault::RevokeTableFull);
    EXPECT_TRUE(r.replays.empty());
}

// ---------------------------------------------------------------------------
// Mote writes, Linux replays.

struct Logged {
    std::vector<u64> homes;
    std::vector<std::vector<u8>> contents;
    std::vector<u64> revoked;
};

// Writes one transaction with TransactionWriter into the image's journal;
// without `commit` the commit block is left out. Returns the writer's end.
u32 write_transaction(Image& image, const std::vector<u64>& map, const JournalSuperblock& sb, u32 start, u32 tail,
                      u32 sequence, const Logged& t, bool commit = true) {
    std::vector<ReadonlyBytes> views;
    for (const auto& c : t.contents) views.push_back(ReadonlyBytes(c.data(), c.size()));
    TransactionSpec spec;
    spec.start = start;
    spec.tail = tail;
    spec.sequence = sequence;
    spec.home_blocks = Span<const u64>(t.homes.data(), t.homes.size());
    spec.contents = Span<const ReadonlyBytes>(views.data(), views.size());
    spec.revoked = Span<const u64>(t.revoked.data(), t.revoked.size());
    spec.commit_seconds = 1700000000u + sequence;
    Jbd2Fault fault = Jbd2Fault::None;
    auto planned = TransactionWriter::plan(sb, fs_block_count(image), spec, &fault);
    EXPECT_TRUE(planned.ok()) << jbd2_fault_name(fault);
    if (planned.is_error()) return start;
    TransactionWriter writer = planned.release_value();
    std::vector<u8> buffer(sb.block_size);
    while (!writer.done()) {
        auto w = writer.next(Bytes(buffer.data(), buffer.size()));
        EXPECT_TRUE(w.ok());
        if (w.is_error()) break;
        u8* target = image.block(map.at(w.value().journal_block));
        if (w.value().kind == LogBlockKind::Data) {
            const auto& data = t.contents[w.value().data_index];
            std::copy(data.begin(), data.end(), target);
            if (w.value().escaped) put_be32(target, 0);
        } else if (w.value().kind != LogBlockKind::Commit || commit) {
            std::copy(buffer.begin(), buffer.end(), target);
        }
    }
    return writer.end();
}

TEST_P(Jbd2Interop, E2fsckReplaysWhatTheWriterLogged) {
    const Config& c = GetParam();
    const std::string path = make_image(dir, c, "mote.img");
    std::string out;
    ASSERT_EQ(run("debugfs -w -R 'feature needs_recovery' " + quote(path), &out), 0) << out;

    Image image(path);
    const auto map = journal_map(path);
    Jbd2Fault fault = Jbd2Fault::None;
    auto decoded = JournalSuperblock::decode(image.view(map[0]), c.block_size, map.size(), &fault);
    ASSERT_TRUE(decoded.ok()) << jbd2_fault_name(fault);
    JournalSuperblock sb = decoded.value();
    EXPECT_TRUE(sb.clean());
    sb.feature_compat = c.compat;
    sb.feature_incompat = c.incompat;
    ASSERT_TRUE(sb.encode_state(Bytes(image.block(map[0]), c.block_size), &fault).ok()) << jbd2_fault_name(fault);
    // Re-decode: the features change the tag size and the checksum seed.
    sb = JournalSuperblock::decode(image.view(map[0]), c.block_size, map.size(), &fault).value();

    // T1 needs two descriptor blocks, T2 two revoke blocks.
    const u32 n1 = DescriptorEncoder::capacity(sb) + 2;
    const u32 revokes = RevokeBlock::capacity(sb) + 1;
    const u64 base = free_run(path, c.blocks / 2, n1 + revokes + 8);
    Logged t1, t2, t3;
    for (u32 i = 0; i < n1; ++i) {
        t1.homes.push_back(base + i);
        t1.contents.push_back(pattern(c.block_size, 100 + i, i == 1));
    }
    t2.homes = {base + 2, base + n1};
    t2.contents = {pattern(c.block_size, 200), pattern(c.block_size, 201, true)};
    t2.revoked.push_back(base);
    for (u32 i = 0; i + 1 < revokes; ++i) t2.revoked.push_back(base + n1 + 2 + i);
    const u64 e = base + n1 + 1;
    t3.homes = {e};
    t3.contents = {pattern(c.block_size, 300)};

    // Start near the end of the ring so T1 wraps round to s_first.
    const u32 start = sb.max_len - 3;
    const u32 sequence = sb.state.sequence + 5;
    const u32 t2_start = write_transaction(image, map, sb, start, 0, sequence, t1);
    EXPECT_LT(t2_start, start);
    const u32 t3_start = write_transaction(image, map, sb, t2_start, start, sequence + 1, t2);
    write_transaction(image, map, sb, t3_start, start, sequence + 2, t3, false);
    sb.state = log_start_state(sb, start, sequence);
    ASSERT_TRUE(sb.encode_state(Bytes(image.block(map[0]), c.block_size)).ok());
    image.save();

    // Mote's own recovery agrees with e2fsck's on the writer's log.
    Replayed r = expect_same_replay(dir, image);
    EXPECT_EQ(r.outcome.transactions, 2u);
    EXPECT_EQ(r.outcome.end_transaction, sequence + 2);
    EXPECT_EQ(r.outcome.blocks_replayed, n1 - 1 + 2);
    EXPECT_EQ(r.outcome.blocks_revoked, 1u);
    EXPECT_EQ(r.outcome.revoke_records, revokes);

    const int status = run("e2fsck -fy " + quote(path), &out);
    EXPECT_TRUE(status == 0 || status == 1) << status << "\n" << out;
    EXPECT_NE(out.find("recovering journal"), std::string::npos) << out;
    Image replayed(path);
    const std::vector<u8> zero(c.block_size, 0);
    expect_block(replayed, base, zero, "revoked by T2");
    expect_block(replayed, base + 1, t1.contents[1], "escaped, from T1");
    expect_block(replayed, base + 2, t2.contents[0], "overwritten by T2");
    for (u32 i = 3; i < n1; ++i) expect_block(replayed, base + i, t1.contents[i], "from T1");
    expect_block(replayed, base + n1, t2.contents[1], "escaped, from T2");
    expect_block(replayed, e, zero, "T3 has no commit");
    EXPECT_EQ(run("e2fsck -fn " + quote(path), &out), 0) << out;

    // The journal superblock e2fsck left: clean, sequence past the dropped T3.
    auto after = JournalSuperblock::decode(replayed.view(map[0]), c.block_size, map.size(), &fault);
    ASSERT_TRUE(after.ok()) << jbd2_fault_name(fault);
    EXPECT_TRUE(after.value().clean());
    EXPECT_EQ(after.value().state.sequence, sequence + 3);
}

INSTANTIATE_TEST_SUITE_P(Configs, Jbd2Interop, ::testing::ValuesIn(kConfigs),
                         [](const ::testing::TestParamInfo<Config>& info) { return std::string(info.param.name); });

}  // namespace
