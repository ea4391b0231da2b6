// Recovery on hand-made journals in memory (tests/unit/support/
// jbd2_image.hpp builds them at the format's literal offsets): what is
// replayed, in which order, and where and why the log ends: a clean
// journal, escapes, the ring wrapping, every stop rule, revoke semantics
// across transactions, the v1 transaction sum, a journal that changes
// between passes, the revoke table filling up, misuse of the push API, and
// the bound on the work done. Interop with Linux's tools is in
// jbd2_interop_test.cpp.
#include <gtest/gtest.h>

#include <vector>

#include "base/crc32_be.hpp"
#include "fs/jbd2/recovery.hpp"
#include "support/jbd2_image.hpp"

using namespace mote;
using namespace mote::fs::jbd2;
using namespace mote::jbd2_test;

namespace {

std::vector<u8> filled(u32 size, u8 value) { return std::vector<u8>(size, value); }

using Logged = std::vector<std::pair<u64, std::vector<u8>>>;

// v1 sum of a descriptor and its logged blocks as they sit in the journal.
u32 v1_sum(const HandJournal& j, std::initializer_list<u32> blocks) {
    u32 crc = ~0u;
    for (u32 b : blocks) crc = crc32_be_update(crc, ReadonlyBytes(j.blocks[b].data(), j.block_size));
    return crc;
}

}  // namespace

TEST(Jbd2Recovery, CleanJournalNeedsNoReads) {
    HandJournal j(32);
    j.superblock(41, 0);
    auto m = recover_blocks(j, 100);
    ASSERT_TRUE(m.result.ok);
    EXPECT_TRUE(m.reads.empty());
    EXPECT_EQ(m.result.outcome.transactions, 0u);
    EXPECT_EQ(m.result.outcome.end, Jbd2Fault::None);
    EXPECT_EQ(m.result.outcome.state.start, 0u);
    EXPECT_EQ(m.result.outcome.state.sequence, 42u);
}

TEST(Jbd2Recovery, ReplaysCommittedBlocksInLogOrderAndRestoresEscapes) {
    HandJournal j(32);
    j.superblock(7, 3);
    std::vector<u8> magic = filled(1024, 0xAB);
    put_be32(magic.data(), kMagic);
    u32 at = j.descriptor(3, 7, {{10, filled(1024, 1)}, {11, magic}, {10, filled(1024, 2)}});
    j.commit(at, 7);
    auto m = recover_blocks(j, 100);
    ASSERT_TRUE(m.result.ok) << jbd2_fault_name(m.result.fault);
    EXPECT_EQ(m.result.outcome.transactions, 1u);
    EXPECT_EQ(m.result.outcome.first_transaction, 7u);
    EXPECT_EQ(m.result.outcome.end_transaction, 8u);
    EXPECT_EQ(m.result.outcome.state.sequence, 9u);
    EXPECT_EQ(m.result.outcome.blocks_replayed, 3u);
    EXPECT_EQ(m.result.outcome.end, Jbd2Fault::NotJournalBlock);
    EXPECT_EQ(m.result.outcome.end_block, 8u);
    // Log order: the second copy of block 10 wins.
    EXPECT_EQ(m.home(10), filled(1024, 2));
    EXPECT_EQ(m.home(11), magic);
    EXPECT_EQ(j.blocks[5][0], 0);  // the log held it escaped
    ASSERT_EQ(m.result.replays.size(), 3u);
    EXPECT_EQ(m.result.replays[0], (std::pair<u64, u32>(10, 4)));
    EXPECT_EQ(m.result.replays[1], (std::pair<u64, u32>(11, 5)));
    EXPECT_EQ(m.result.replays[2], (std::pair<u64, u32>(10, 6)));
    // No checksums: the scan skips the logged blocks, no revoke pass.
    EXPECT_EQ(m.reads, (std::vector<u32> {3, 7, 8, 3, 4, 5, 6, 7}));
}

TEST(Jbd2Recovery, WrapsRoundTheRing) {
    HandJournal j(12);  // log blocks 2..11 with s_first 2
    j.superblock(1, 10, 2);
    u32 at = j.descriptor(10, 1, {{50, filled(1024, 5)}, {51, filled(1024, 6)}, {52, filled(1024, 7)}}, 2);
    EXPECT_EQ(at, 4u);  // 11, 2, 3 hold the blocks
    j.commit(at, 1);
    u32 next = j.descriptor(5, 2, {{53, filled(1024, 8)}}, 2);
    j.commit(next, 2);
    auto m = recover_blocks(j, 100);
    ASSERT_TRUE(m.result.ok);
    EXPECT_EQ(m.result.outcome.transactions, 2u);
    EXPECT_EQ(m.home(50), filled(1024, 5));
    EXPECT_EQ(m.home(51), filled(1024, 6));
    EXPECT_EQ(m.home(52), filled(1024, 7));
    EXPECT_EQ(m.home(53), filled(1024, 8));
    for (u32 r : m.reads) EXPECT_TRUE(r >= 2 && r < 12) << r;
}

TEST(Jbd2Recovery, ADescriptorWithoutItsCommitIsNotReplayed) {
    HandJournal j(32);
    j.superblock(1, 1);
    u32 at = j.descriptor(1, 1, {{20, filled(1024, 1)}});
    j.commit(at, 1);
    j.descriptor(at + 1, 2, {{21, filled(1024, 2)}, {20, filled(1024, 3)}});  // no commit
    auto m = recover_blocks(j, 100);
    ASSERT_TRUE(m.result.ok);
    EXPECT_EQ(m.result.outcome.transactions, 1u);
    EXPECT_EQ(m.home(20), filled(1024, 1));
    EXPECT_EQ(m.home(21), filled(1024, 0));
    EXPECT_EQ(m.result.outcome.end_block, at + 4);
    EXPECT_EQ(m.result.outcome.state.sequence, 3u);
}

TEST(Jbd2Recovery, StopRules) {
    struct Case {
        const char* name;
        std::function<void(HandJournal&)> damage;  // applied to a log of T1 (blocks 1-3) and T2 (4-6)
        Jbd2Fault end;
        u32 transactions;
    } cases[] = {
        {"T2 commit has another sequence", [](HandJournal& j) { j.commit(6, 9); }, Jbd2Fault::SequenceMismatch, 1},
        {"T2 commit torn", [](HandJournal& j) { j.blocks[6].assign(1024, 0); }, Jbd2Fault::NotJournalBlock, 1},
        {"T2 commit has another type", [](HandJournal& j) { put_be32(&j.blocks[6][4], 6); },
         Jbd2Fault::UnknownBlockType, 1},
        {"T2 descriptor names a block past the filesystem",
         [](HandJournal& j) { j.descriptor(4, 2, {{100, filled(1024, 1)}}); }, Jbd2Fault::BlockOutOfRange, 1},
        {"T1 descriptor is a superblock", [](HandJournal& j) { put_be32(&j.blocks[1][4], 4); },
         Jbd2Fault::UnknownBlockType, 0},
        {"T1 has one more tag than data: T2's descriptor is read for its commit",
         [](HandJournal& j) { j.descriptor(1, 1, {{9, filled(1024, 1)}, {9, filled(1024, 1)}}); },
         Jbd2Fault::SequenceMismatch, 0},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.name);
        HandJournal j(32);
        j.superblock(1, 1);
        j.commit(j.descriptor(1, 1, {{10, filled(1024, 1)}}), 1);
        j.commit(j.descriptor(4, 2, {{11, filled(1024, 2)}}), 2);
        c.damage(j);
        auto m = recover_blocks(j, 100);
        ASSERT_TRUE(m.result.ok);
        EXPECT_EQ(m.result.outcome.end, c.end) << jbd2_fault_name(m.result.outcome.end);
        EXPECT_EQ(m.result.outcome.transactions, c.transactions);
        EXPECT_EQ(m.home(10) == filled(1024, 1), c.transactions >= 1);
        EXPECT_EQ(m.home(11) == filled(1024, 2), c.transactions >= 2);
    }
}

// The log can fill the ring exactly; the scan stops where it began.
TEST(Jbd2Recovery, WholeRingAndOverrun) {
    HandJournal j(8);  // 7 log blocks
    j.superblock(1, 1);
    j.commit(j.descriptor(1, 1, {{10, filled(1024, 1)}}), 1);  // 1-3
    j.commit(j.descriptor(4, 2, {{11, filled(1024, 2)}}), 2);  // 4-6
    j.commit(7, 3);                                             // an empty transaction
    auto m = recover_blocks(j, 100);
    ASSERT_TRUE(m.result.ok);
    EXPECT_EQ(m.result.outcome.transactions, 3u);
    EXPECT_EQ(m.result.outcome.end, Jbd2Fault::WholeLogScanned);
    EXPECT_EQ(m.result.outcome.end_block, 1u);

    // A descriptor whose blocks would pass the log's own start: block 1
    // would be read as T3's third data block.
    HandJournal k(8);
    k.superblock(1, 1);
    k.descriptor(4, 2, {{11, filled(1024, 2)}, {12, filled(1024, 2)}, {13, filled(1024, 2)}, {14, filled(1024, 2)}});
    k.commit(k.descriptor(1, 1, {{10, filled(1024, 1)}}), 1);  // after: T2's last block wrapped onto 1
    auto o = recover_blocks(k, 100);
    ASSERT_TRUE(o.result.ok);
    EXPECT_EQ(o.result.outcome.end, Jbd2Fault::LogOverrun);
    EXPECT_EQ(o.result.outcome.transactions, 1u);
}

// jbd2's rule: a copy from transaction T is skipped if any transaction >= T
// revoked the block, wherever the revoke block sits in the log.
TEST(Jbd2Recovery, RevokesCoverTheirOwnAndEarlierTransactions) {
    HandJournal j(40, 1024, 0, kIncompatRevoke);
    j.superblock(1, 1);
    // T1: revoke 30; logs 30, 31, 32.
    j.revoke(1, 1, {30});
    u32 at = j.descriptor(2, 1, {{30, filled(1024, 1)}, {31, filled(1024, 1)}, {32, filled(1024, 1)}});
    j.commit(at, 1);
    // T2: logs 30 again (after T1's revoke: replayed), 33; revokes 31 after its descriptor.
    at = j.descriptor(at + 1, 2, {{30, filled(1024, 2)}, {33, filled(1024, 2)}});
    j.revoke(at, 2, {31, 33});
    j.commit(at + 1, 2);
    // T3 (no commit) revokes 32: an uncommitted revoke counts for nothing.
    j.revoke(at + 2, 3, {32});
    auto m = recover_blocks(j, 100);
    ASSERT_TRUE(m.result.ok) << jbd2_fault_name(m.result.fault);
    EXPECT_EQ(m.result.outcome.transactions, 2u);
    EXPECT_EQ(m.home(30), filled(1024, 2));  // T2's copy is newer than T1's revoke
    EXPECT_EQ(m.home(31), filled(1024, 0));  // revoked by T2
    EXPECT_EQ(m.home(32), filled(1024, 1));
    EXPECT_EQ(m.home(33), filled(1024, 0));  // revoked by its own transaction
    // Replayed: 32 (T1), 30 (T2). Skipped: 30 (T1, by T1's own revoke), 31, 33.
    EXPECT_EQ(m.result.outcome.blocks_replayed, 2u);
    EXPECT_EQ(m.result.outcome.blocks_revoked, 3u);
    EXPECT_EQ(m.result.outcome.revoke_records, 3u);
    // Revoked copies are never read.
    EXPECT_EQ(std::count(m.reads.begin(), m.reads.end(), 3u), 0);  // T1's copy of 30
}

TEST(Jbd2Recovery, RevokeTableCapacity) {
    HandJournal j(40, 1024, 0, kIncompatRevoke);
    j.superblock(1, 1);
    j.revoke(1, 1, {5, 6, 7, 5});
    j.commit(j.descriptor(2, 1, {{8, filled(1024, 1)}}), 1);
    auto exact = recover_blocks(j, 100, 3);
    ASSERT_TRUE(exact.result.ok);
    EXPECT_EQ(exact.result.outcome.revoke_records, 4u);
    auto small = recover_blocks(j, 100, 2);
    EXPECT_FALSE(small.result.ok);
    EXPECT_EQ(small.result.error, Error::NoMemory);
    EXPECT_EQ(small.result.fault, Jbd2Fault::RevokeTableFull);
    EXPECT_TRUE(small.result.replays.empty());
}

TEST(Jbd2Recovery, V1TransactionSum) {
    HandJournal j(40, 1024, kCompatChecksum, 0);
    j.superblock(1, 1);
    u32 at = j.descriptor(1, 1, {{10, filled(1024, 1)}, {11, filled(1024, 2)}});
    j.commit(at, 1, v1_sum(j, {1, 2, 3}));
    u32 at2 = j.descriptor(at + 1, 2, {{12, filled(1024, 3)}});
    j.commit(at2, 2, v1_sum(j, {at + 1, at + 2}));
    auto good = recover_blocks(j, 100);
    ASSERT_TRUE(good.result.ok);
    EXPECT_EQ(good.result.outcome.transactions, 2u);
    // The scan read the logged blocks to sum them.
    EXPECT_EQ(std::count(good.reads.begin(), good.reads.end(), 2u), 2);

    HandJournal bad = j;
    bad.blocks[at + 2][9] ^= 1;  // T2's logged block
    auto m = recover_blocks(bad, 100);
    ASSERT_TRUE(m.result.ok);
    EXPECT_EQ(m.result.outcome.transactions, 1u);
    EXPECT_EQ(m.result.outcome.end, Jbd2Fault::BadCommitChecksum);
    EXPECT_EQ(m.home(12), filled(1024, 0));
}

TEST(Jbd2Recovery, CsumV3DamageEndsTheLogAtTheLastGoodCommit) {
    HandJournal j(40, 1024, 0, kIncompatCsumV3 | kIncompatRevoke);
    j.superblock(1, 1);
    u32 at = j.descriptor(1, 1, {{10, filled(1024, 1)}});
    j.commit(at, 1);
    u32 t2 = at + 1;
    u32 at2 = j.descriptor(t2, 2, {{11, filled(1024, 2)}, {12, filled(1024, 2)}});
    j.revoke(at2, 2, {10});
    j.commit(at2 + 1, 2);
    auto good = recover_blocks(j, 100);
    ASSERT_TRUE(good.result.ok);
    EXPECT_EQ(good.result.outcome.transactions, 2u);
    EXPECT_EQ(good.home(10), filled(1024, 0));

    struct Case {
        u32 block;
        usize byte;
        Jbd2Fault end;
    } cases[] = {{t2, 600, Jbd2Fault::BadDescriptorChecksum}, {t2 + 2, 0, Jbd2Fault::BadDataChecksum},
                 {at2, 1000, Jbd2Fault::BadRevokeChecksum}, {at2 + 1, 0x40, Jbd2Fault::BadCommitChecksum}};
    for (const Case& c : cases) {
        SCOPED_TRACE(jbd2_fault_name(c.end));
        HandJournal bad = j;
        bad.blocks[c.block][c.byte] ^= 0x10;
        auto m = recover_blocks(bad, 100);
        ASSERT_TRUE(m.result.ok);
        EXPECT_EQ(m.result.outcome.end, c.end);
        EXPECT_EQ(m.result.outcome.end_block, c.block);
        EXPECT_TRUE(jbd2_fault_is_corruption(m.result.outcome.end));
        EXPECT_EQ(m.result.outcome.transactions, 1u);
        EXPECT_EQ(m.home(10), filled(1024, 1));  // T2's revoke is gone with T2
        EXPECT_EQ(m.home(11), filled(1024, 0));
    }
}

// A journal that changes between the scan and a later pass.
TEST(Jbd2Recovery, PassMismatchIsAnError) {
    HandJournal j(40, 1024, 0, kIncompatCsumV2);
    j.superblock(1, 1);
    j.commit(j.descriptor(1, 1, {{10, filled(1024, 1)}}), 1);
    // Read 0..2 are the scan (descriptor, data, commit), 3 the next block;
    // read 4 is the replay pass's descriptor, 5 its data.
    for (usize changed : {4u, 5u}) {
        auto m = recover_blocks(j, 100, 8, [&](u32, usize read, std::vector<u8>& b) {
            if (read == changed) b[700] ^= 1;
        });
        EXPECT_FALSE(m.result.ok) << changed;
        EXPECT_EQ(m.result.error, Error::Malformed);
        EXPECT_EQ(m.result.fault, Jbd2Fault::PassMismatch);
        EXPECT_TRUE(m.result.replays.empty());
    }
}

TEST(Jbd2Recovery, MisuseChangesNothing) {
    HandJournal j(32);
    j.superblock(1, 1);
    j.commit(j.descriptor(1, 1, {{10, filled(1024, 1)}}), 1);
    const JournalSuperblock sb = j.decoded();
    std::vector<RevokeEntry> revokes(4);
    std::vector<u8> buffer(1024);
    Recovery r(sb, 100, Span<RevokeEntry>(revokes.data(), revokes.size()), Bytes(buffer.data(), buffer.size()));
    EXPECT_EQ(r.feed(ReadonlyBytes(j.blocks[1].data(), 1024)).error(), Error::BadState);
    auto a = r.next();
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a.value().step, RecoveryStep::Read);
    EXPECT_EQ(a.value().journal_block, 1u);
    EXPECT_EQ(r.next().error(), Error::BadState);
    EXPECT_EQ(r.feed(ReadonlyBytes(j.blocks[1].data(), 512)).error(), Error::InvalidArgument);
    EXPECT_TRUE(r.feed(ReadonlyBytes(j.blocks[1].data(), 1024)).ok());
    EXPECT_EQ(r.fault(), Jbd2Fault::None);
    EXPECT_EQ(r.next().value().journal_block, 3u);  // the commit: the data block is skipped

    std::vector<u8> small(1023);
    Recovery bad(sb, 100, Span<RevokeEntry>(revokes.data(), revokes.size()), Bytes(small.data(), small.size()));
    EXPECT_EQ(bad.next().error(), Error::InvalidArgument);
    EXPECT_EQ(bad.fault(), Jbd2Fault::BlockSizeMismatch);
}

TEST(Jbd2Recovery, DoneStaysDone) {
    HandJournal j(32);
    j.superblock(1, 1);
    const JournalSuperblock sb = j.decoded();
    std::vector<RevokeEntry> revokes(1);
    std::vector<u8> buffer(1024);
    Recovery r(sb, 100, Span<RevokeEntry>(revokes.data(), revokes.size()), Bytes(buffer.data(), buffer.size()));
    EXPECT_EQ(r.next().value().step, RecoveryStep::Read);
    ASSERT_TRUE(r.feed(ReadonlyBytes(j.blocks[1].data(), 1024)).ok());
    EXPECT_EQ(r.next().value().step, RecoveryStep::Done);
    EXPECT_EQ(r.next().value().step, RecoveryStep::Done);
    EXPECT_EQ(r.outcome().end, Jbd2Fault::NotJournalBlock);
    EXPECT_EQ(r.outcome().state.sequence, 2u);
}

// Reads are bounded by three passes over the ring, whatever the log holds.
TEST(Jbd2Recovery, WorkIsBoundedByTheLogLength) {
    // A descriptor whose single tag leads back to itself round a 2-block
    // ring would loop forever without the bound.
    HandJournal loop(3);
    loop.superblock(1, 1);
    loop.descriptor(1, 1, {{10, filled(1024, 1)}});
    loop.blocks[2] = loop.blocks[1];
    auto m = recover_blocks(loop, 100);
    ASSERT_TRUE(m.result.ok);
    EXPECT_LE(m.reads.size(), 3u * 2);

    // Many empty commits filling a long ring.
    HandJournal full(200, 1024, 0, kIncompatCsumV3);
    full.superblock(1, 1);
    for (u32 b = 1; b < 200; ++b) full.commit(b, b);
    auto f = recover_blocks(full, 100);
    ASSERT_TRUE(f.result.ok);
    EXPECT_EQ(f.result.outcome.transactions, 199u);
    EXPECT_EQ(f.result.outcome.end, Jbd2Fault::WholeLogScanned);
    EXPECT_LE(f.reads.size(), 3u * 199);
    EXPECT_LE(f.result.steps, 2 * 3u * 199 + 4);
}

// The fuzzer's seeds come from an independent Python writer
// (tests/fuzz/make_jbd2_recovery_fuzz_seeds.py, its own CRCs): each must
// recover to the transactions it was built with.
TEST(Jbd2Recovery, FuzzSeedsRecoverAsBuilt) {
    struct Seed {
        const char* name;
        u32 transactions;
        u64 replayed;
        u64 revoked;
    } seeds[] = {{"plain_two_transactions", 2, 4, 1},
                 {"csum_v1", 1, 2, 0},
                 {"csum_v3_64bit_uncommitted", 1, 2, 0},
                 {"csum_v2_wrapping", 2, 3, 1},
                 {"clean", 0, 0, 0}};
    for (const Seed& s : seeds) {
        SCOPED_TRACE(s.name);
        const auto bytes = read_file(std::string(MOTE_TEST_DATA) + "/../fuzz/seeds/jbd2_recovery_fuzz/" + s.name);
        ASSERT_FALSE(bytes.empty());
        HandJournal j(64);
        for (usize b = 0; b * 1024 < bytes.size(); ++b)
            std::copy(bytes.begin() + b * 1024, bytes.begin() + std::min(bytes.size(), (b + 1) * 1024),
                      j.blocks[b].begin());
        auto m = recover_blocks(j, u64(1) << 40, 16);
        ASSERT_TRUE(m.result.ok) << jbd2_fault_name(m.result.fault);
        EXPECT_EQ(m.result.outcome.transactions, s.transactions);
        EXPECT_EQ(m.result.outcome.blocks_replayed, s.replayed);
        EXPECT_EQ(m.result.outcome.blocks_revoked, s.revoked);
        EXPECT_FALSE(jbd2_fault_is_corruption(m.result.outcome.end)) << jbd2_fault_name(m.result.outcome.end);
    }
}
