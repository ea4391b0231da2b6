// Crash states of the runtime journal (fs/jbd2/journal.hpp): every crash
// state the harness (support/crash_recorder.hpp) derives from a recorded
// workload of commits and a checkpoint, on images made by mke2fs -t ext3
// (support/journal_workload.hpp). open() must replay each to the state
// after a prefix of whole transactions, never less than what commit() had
// returned for. The other journal tests, with Linux's tools as the judge,
// are jbd2_journal_test.cpp.
//
// Configurations: 1 KiB and 4 KiB blocks without journal checksums, and
// 1 KiB with csum v3.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "support/crash_recorder.hpp"
#include "support/journal_workload.hpp"
#include "support/task_fixture.hpp"

using namespace mote;
using namespace mote::fs::jbd2;
using namespace mote::journal_test;

namespace {

Task<void> read_blocks(BlockCache& cache, u64 first, u32 count) {
    for (u32 n = 0; n < count; ++n) CO_TRY(co_await cache.read(first + n));
    co_return {};
}

class JournalCrash : public ::testing::TestWithParam<Config>, public test::TaskFixture {
protected:
    void SetUp() override {
        if (!j::have_e2fsprogs()) GTEST_SKIP() << "no e2fsprogs on this machine";
    }
    j::TempDir dir;
};

// The workload: T1 logs a, b, i (an inode table block) with ordered data
// d1; T2 logs b and c (escaped) and revokes a; T3 reuses a, logs c again,
// with ordered data d2; a checkpoint; T4 logs b, e, i; T5 changes b and e
// and is never committed. Between T2 and T3 other blocks are read through
// the small cache, which then writes committed blocks home on its own.
// Recorded with delayed write completions, then
// every crash state is opened (Mote's replay) and judged against the
// test's model of the image after each prefix T1..Tj:
//   * b, c, e and i all hold version j for one j (no mix of transactions);
//   * j covers every transaction whose commit() had returned before the
//     crash (its last flush is in the durable prefix);
//   * a holds version j, except right after T2 freed it: then it is a free
//     block, and the cache's own home write of T1's copy may even be torn
//     (the revoke keeps recovery from repairing it, as it should); d1 and d2 hold their data once their transaction
//     is in (ordered mode; before that they are free blocks, and may hold
//     anything, a torn write included);
//   * the journal superblock is clean afterwards.
TEST_P(JournalCrash, EveryCrashStateReplaysToAPrefixOfWholeTransactions) {
    const Config& c = GetParam();
    const std::string path = make_ext3(dir, c);
    const std::vector<u8> original = j::read_file(path);
    const Layout l = layout(path, original, 8);
    ASSERT_EQ(l.free.size(), 8u);
    const u32 bs = c.block_size;
    const u64 a = l.free[0], b = l.free[1], cc = l.free[2], d1 = l.free[3], d2 = l.free[4], e = l.free[5];
    const u64 i = l.inode_block;
    const usize ino = l.inode_offset;
    auto mtime = [=](u32 value) { return [=](u8* p) { put_le32(p + ino + 0x10, value); }; };
    const std::vector<Transaction> ts = {
        {metadata(a, fill(bs, 1)), metadata(b, fill(bs, 2)), data(d1, fill(bs, 3)), metadata(i, mtime(kMtime1))},
        {metadata(b, fill(bs, 4)), metadata(cc, fill(bs, 5, true)), revoke(a)},
        {metadata(a, fill(bs, 6)), data(d2, fill(bs, 7)), metadata(cc, fill(bs, 8))},
        {metadata(b, fill(bs, 9)), metadata(e, fill(bs, 10)), metadata(i, mtime(kMtime2))},
    };
    const Transaction uncommitted = {metadata(b, fill(bs, 11)), metadata(e, fill(bs, 12))};
    std::vector<std::vector<u8>> versions {original};
    for (const Transaction& t : ts) {
        versions.push_back(versions.back());
        apply_to_model(versions.back(), bs, t);
    }

    test::CrashRecorder recorder(loop, original);
    recorder.delay_writes = true;
    std::vector<usize> durable_after;  // flushes done when commit i returned
    {
        // A small cache: committed blocks are evicted (written home by the
        // cache, not by the journal) while later transactions run.
        Mount m(recorder, loop, pages, bs, l.journal, l.blocks, 16);
        auto opened = run(m.journal.open());
        ASSERT_TRUE(opened && opened->ok());
        for (usize t = 0; t < ts.size(); ++t) {
            ASSERT_TRUE(run(run_transaction(m.cache, m.journal, &ts[t]))->ok());
            durable_after.push_back(recorder.flushes());
            if (t == 1) {
                // Reading other blocks makes the cache evict: it writes the
                // committed blocks home itself, before any checkpoint.
                const u64 home_writes = m.cache.stats().writes;
                ASSERT_TRUE(run(read_blocks(m.cache, l.inode_block + 1, 24))->ok());
                EXPECT_GT(m.cache.stats().writes, home_writes);
            }
            if (t == 2) ASSERT_TRUE(run(m.journal.checkpoint())->ok());
        }
        ASSERT_TRUE(run(run_transaction(m.cache, m.journal, &uncommitted, false))->ok());
        EXPECT_EQ(m.journal.stats().checkpoints, 1u);
    }

    const std::vector<u64> strict = {b, cc, e, i};
    std::vector<usize> replayed_to(ts.size() + 1, 0);
    usize checked = 0, failures = 0;
    test::CrashOptions options;
    options.exhaustive_limit = 2048;
    options.samples = 256;
    const usize states = test::enumerate_crash_states(
        recorder.base(), recorder.events(), options, [&](const std::vector<u8>& image, const test::CrashState& s) {
            ++checked;
            test::OverlayDisk disk(loop, image);
            std::string why;
            {
                Mount m(disk, loop, pages, bs, l.journal, l.blocks, 64);
                Jbd2Fault fault = Jbd2Fault::None;
                auto opened = run(m.journal.open(&fault));
                if (!opened || opened->is_error()) why = std::string("open failed: ") + jbd2_fault_name(fault);
            }
            auto now = [&](u64 block) { return disk.read(block * bs, bs); };
            auto version = [&](usize v, u64 block) { return block_of(versions[v], block, bs); };
            int found = -1;
            if (why.empty()) {
                for (int v = int(ts.size()); v >= 0 && found < 0; --v) {
                    bool all = true;
                    for (u64 block : strict) all = all && now(block) == version(usize(v), block);
                    if (all) found = v;
                }
                usize committed = 0;
                for (usize done : durable_after) committed += done <= s.flushes;
                if (found < 0) {
                    why = "the blocks mix transactions";
                } else if (usize(found) < committed) {
                    why = "T" + std::to_string(committed) + " had committed but only T" + std::to_string(found) +
                          " was replayed";
                } else if (found != 2 && now(a) != version(usize(found), a)) {
                    why = "block a";
                } else if (found >= 1 && now(d1) != version(1, d1)) {
                    why = "ordered data d1";
                } else if (found >= 3 && now(d2) != version(3, d2)) {
                    why = "ordered data d2";
                } else {
                    const std::vector<u8> sb = now(l.journal[0]);
                    auto decoded = JournalSuperblock::decode(ReadonlyBytes(sb.data(), bs), bs, l.journal.size());
                    if (decoded.is_error() || !decoded.value().clean()) why = "journal superblock not clean";
                }
            }
            if (!why.empty()) {
                ADD_FAILURE() << s.describe() << ": " << why;
                ++failures;
            } else {
                ++replayed_to[usize(found)];
            }
            return failures < 5;
        });
    EXPECT_EQ(states, checked);
    EXPECT_GT(states, 100u);
    std::printf("[  crashes ] %s: %zu crash states from %zu writes and %zu flushes; replayed to T0..T4:", c.name,
                states, recorder.writes(), recorder.flushes());
    for (usize n : replayed_to) std::printf(" %zu", n);
    std::printf("\n");
    for (usize v = 0; v < replayed_to.size(); ++v) EXPECT_GT(replayed_to[v], 0u) << "no state ended at T" << v;
}

const Config kCrashConfigs[] = {kConfigs[0], kConfigs[1], kConfigs[3]};

INSTANTIATE_TEST_SUITE_P(Configs, JournalCrash, ::testing::ValuesIn(kCrashConfigs),
                         [](const ::testing::TestParamInfo<Config>& info) { return std::string(info.param.name); });

}  // namespace
