// TransactionWriter: its rejections, the layout it produces (revoke blocks,
// descriptors each followed by their blocks, the commit, wrapping round the
// ring), escaping, the v1 sum (recomputed here over the blocks as placed),
// and round trips through Recovery for every checksum layout. That Linux's
// e2fsck replays its transactions is in jbd2_interop_test.cpp.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "base/crc32_be.hpp"
#include "fs/jbd2/commit_block.hpp"
#include "fs/jbd2/descriptor_block.hpp"
#include "fs/jbd2/revoke_block.hpp"
#include "fs/jbd2/transaction_writer.hpp"
#include "support/jbd2_image.hpp"

using namespace mote;
using namespace mote::fs::jbd2;
using namespace mote::jbd2_test;

namespace {

struct Tx {
    std::vector<u64> homes;
    std::vector<std::vector<u8>> contents;
    std::vector<ReadonlyBytes> views;
    std::vector<u64> revoked;

    TransactionSpec spec(u32 start, u32 sequence, u32 tail = 0) {
        views.clear();
        for (auto& c : contents) views.push_back(ReadonlyBytes(c.data(), c.size()));
        TransactionSpec s;
        s.start = start;
        s.tail = tail;
        s.sequence = sequence;
        s.home_blocks = Span<const u64>(homes.data(), homes.size());
        s.contents = Span<const ReadonlyBytes>(views.data(), views.size());
        s.revoked = Span<const u64>(revoked.data(), revoked.size());
        s.commit_seconds = 1234;
        return s;
    }
};

Tx blocks(u32 count, u32 block_size, u64 first_home = 10) {
    Tx t;
    for (u32 i = 0; i < count; ++i) {
        t.homes.push_back(first_home + i);
        t.contents.push_back(std::vector<u8>(block_size, u8(i + 1)));
    }
    return t;
}

Jbd2Fault plan_fault(const JournalSuperblock& sb, const TransactionSpec& spec, u64 fs_blocks, Error expected) {
    Jbd2Fault fault = Jbd2Fault::None;
    auto w = TransactionWriter::plan(sb, fs_blocks, spec, &fault);
    EXPECT_TRUE(w.is_error());
    if (w.is_error()) EXPECT_EQ(w.error(), expected) << jbd2_fault_name(fault);
    return fault;
}

// Writes a transaction into the journal; leaves the commit out if asked.
std::vector<LogWrite> write_into(HandJournal& j, const JournalSuperblock& sb, Tx& tx, u32 start, u32 sequence,
                                 u32 tail = 0, bool commit = true) {
    std::vector<LogWrite> writes;
    Jbd2Fault fault = Jbd2Fault::None;
    auto planned = TransactionWriter::plan(sb, u64(1) << 40, tx.spec(start, sequence, tail), &fault);
    EXPECT_TRUE(planned.ok()) << jbd2_fault_name(fault);
    if (planned.is_error()) return writes;
    TransactionWriter w = planned.release_value();
    std::vector<u8> out(sb.block_size);
    while (!w.done()) {
        LogWrite lw = w.next(Bytes(out.data(), out.size())).value();
        writes.push_back(lw);
        auto& target = j.blocks.at(lw.journal_block);
        if (lw.kind == LogBlockKind::Data) {
            target = tx.contents[lw.data_index];
            if (lw.escaped) put_be32(target.data(), 0);
        } else if (lw.kind != LogBlockKind::Commit || commit) {
            target = out;
        }
    }
    EXPECT_EQ(writes.size(), w.block_count());
    EXPECT_EQ(w.next(Bytes(out.data(), out.size())).error(), Error::BadState);
    return writes;
}

}  // namespace

TEST(Jbd2Writer, Rejections) {
    HandJournal j(64, 1024, 0, kIncompatRevoke);
    j.superblock(1, 0);
    const JournalSuperblock sb = j.decoded();
    Tx t = blocks(3, 1024);
    EXPECT_EQ(plan_fault(sb, t.spec(0, 1), 100, Error::InvalidArgument), Jbd2Fault::BadPosition);
    EXPECT_EQ(plan_fault(sb, t.spec(64, 1), 100, Error::InvalidArgument), Jbd2Fault::BadPosition);
    EXPECT_EQ(plan_fault(sb, t.spec(1, 1, 64), 100, Error::InvalidArgument), Jbd2Fault::BadPosition);
    Tx short_contents = t;
    short_contents.contents[1].resize(1000);
    EXPECT_EQ(plan_fault(sb, short_contents.spec(1, 1), 100, Error::InvalidArgument), Jbd2Fault::BadContents);
    Tx missing = t;
    missing.contents.pop_back();
    EXPECT_EQ(plan_fault(sb, missing.spec(1, 1), 100, Error::InvalidArgument), Jbd2Fault::BadContents);
    EXPECT_EQ(plan_fault(sb, t.spec(1, 1), 12, Error::OutOfRange), Jbd2Fault::BlockOutOfRange);
    Tx high = t;
    high.homes[0] = u64(1) << 32;
    EXPECT_EQ(plan_fault(sb, high.spec(1, 1), u64(1) << 40, Error::OutOfRange), Jbd2Fault::BlockNumberTooLarge);
    Tx bad_revoke = t;
    bad_revoke.revoked = {100};
    EXPECT_EQ(plan_fault(sb, bad_revoke.spec(1, 1), 100, Error::OutOfRange), Jbd2Fault::BlockOutOfRange);

    HandJournal plain(64);
    plain.superblock(1, 0);
    Tx revokes = t;
    revokes.revoked = {5};
    EXPECT_EQ(plan_fault(plain.decoded(), revokes.spec(1, 1), 100, Error::InvalidArgument),
              Jbd2Fault::RevokeNotEnabled);

    // 63 log blocks: a transaction of 62 (one descriptor, 60 blocks, commit) fits, 63 never does.
    Tx fits = blocks(60, 1024);
    EXPECT_TRUE(TransactionWriter::plan(sb, 100, fits.spec(1, 1)).ok());
    Tx too_big = blocks(61, 1024);
    EXPECT_EQ(plan_fault(sb, too_big.spec(1, 1), 100, Error::Overflow), Jbd2Fault::TransactionTooLarge);
    // With a live log from 10 to 40, 33 blocks are free and 32 usable.
    Tx thirty = blocks(30, 1024);  // 32 blocks
    EXPECT_TRUE(TransactionWriter::plan(sb, 100, thirty.spec(40, 2, 10)).ok());
    Tx thirty_one = blocks(31, 1024);
    EXPECT_EQ(plan_fault(sb, thirty_one.spec(40, 2, 10), 100, Error::Busy), Jbd2Fault::LogFull);
    // tail == start: nothing live.
    EXPECT_TRUE(TransactionWriter::plan(sb, 100, fits.spec(40, 2, 40)).ok());

    std::vector<u8> small(100);
    TransactionWriter w = TransactionWriter::plan(sb, 100, t.spec(1, 1)).release_value();
    EXPECT_EQ(w.next(Bytes(small.data(), small.size())).error(), Error::InvalidArgument);
}

TEST(Jbd2Writer, LayoutWrapsAndEscapes) {
    HandJournal j(20, 1024, 0, kIncompatRevoke);
    j.superblock(1, 0);
    const JournalSuperblock sb = j.decoded();
    Tx t = blocks(3, 1024);
    put_be32(t.contents[1].data(), kMagic);
    t.revoked = {77, 78};
    auto w = TransactionWriter::plan(sb, 100, t.spec(17, 5)).release_value();
    EXPECT_EQ(w.block_count(), 1u + 1 + 3 + 1);
    EXPECT_EQ(w.revoke_blocks(), 1u);
    EXPECT_EQ(w.descriptor_blocks(), 1u);
    EXPECT_EQ(w.end(), 4u);  // 17, 18, 19, 1, 2, 3
    auto writes = write_into(j, sb, t, 17, 5);
    ASSERT_EQ(writes.size(), 6u);
    const LogBlockKind kinds[] = {LogBlockKind::Revoke, LogBlockKind::Descriptor, LogBlockKind::Data,
                                  LogBlockKind::Data, LogBlockKind::Data, LogBlockKind::Commit};
    const u32 places[] = {17, 18, 19, 1, 2, 3};
    for (usize i = 0; i < 6; ++i) {
        EXPECT_EQ(writes[i].kind, kinds[i]) << i;
        EXPECT_EQ(writes[i].journal_block, places[i]) << i;
    }
    EXPECT_EQ(writes[2].data_index, 0u);
    EXPECT_EQ(writes[3].data_index, 1u);
    EXPECT_TRUE(writes[3].escaped);
    EXPECT_FALSE(writes[2].escaped);
    // What the blocks say, read with the test's own field reader.
    EXPECT_EQ(get_be32(&j.blocks[17][4]), 5u);      // revoke
    EXPECT_EQ(get_be32(&j.blocks[17][12]), 24u);    // r_count: header + two records
    EXPECT_EQ(get_be32(&j.blocks[17][16]), 77u);
    EXPECT_EQ(get_be32(&j.blocks[18][4]), 1u);      // descriptor
    EXPECT_EQ(get_be32(&j.blocks[18][12]), 10u);    // first tag's block
    EXPECT_EQ(j.blocks[18][12 + 7], 0u);            // flags: UUID follows, not escaped
    EXPECT_EQ(0, std::memcmp(&j.blocks[18][20], kTestUuid, 16));
    EXPECT_EQ(j.blocks[18][36 + 7], kTagSameUuid | kTagEscape);
    EXPECT_EQ(j.blocks[18][44 + 7], kTagSameUuid | kTagLastTag);
    EXPECT_EQ(get_be32(&j.blocks[3][4]), 2u);       // commit
    EXPECT_EQ(get_be32(&j.blocks[3][8]), 5u);
    EXPECT_EQ(get_be32(&j.blocks[1][0]), 0u);       // escaped in the log

    // An empty transaction is a lone commit block.
    Tx empty;
    auto e = TransactionWriter::plan(sb, 100, empty.spec(4, 6)).release_value();
    EXPECT_EQ(e.block_count(), 1u);
    std::vector<u8> out(1024);
    EXPECT_EQ(e.next(Bytes(out.data(), out.size())).value().kind, LogBlockKind::Commit);
    EXPECT_TRUE(e.done());
}

TEST(Jbd2Writer, V1SumCoversDescriptorsAndDataNotRevokes) {
    HandJournal j(64, 1024, kCompatChecksum, kIncompatRevoke);
    j.superblock(1, 0);
    const JournalSuperblock sb = j.decoded();
    Tx t = blocks(4, 1024);
    put_be32(t.contents[2].data(), kMagic);
    t.revoked = {3};
    auto writes = write_into(j, sb, t, 1, 9);
    u32 crc = ~0u;
    for (const LogWrite& w : writes)
        if (w.kind == LogBlockKind::Descriptor || w.kind == LogBlockKind::Data)
            crc = crc32_be_update(crc, ReadonlyBytes(j.blocks[w.journal_block].data(), 1024));
    const auto& commit = j.blocks[writes.back().journal_block];
    EXPECT_EQ(commit[0x0C], 1u);
    EXPECT_EQ(commit[0x0D], 4u);
    EXPECT_EQ(get_be32(&commit[0x10]), crc);
}

// Many descriptors and revoke blocks, every checksum layout, the log
// wrapping, a transaction left without its commit: Recovery gets back
// exactly what was written.
TEST(Jbd2Writer, RoundTripsThroughRecovery) {
    const std::pair<u32, u32> layouts[] = {{0, kIncompatRevoke},
                                           {kCompatChecksum, kIncompatRevoke},
                                           {0, kIncompatRevoke | kIncompat64Bit},
                                           {0, kIncompatRevoke | kIncompatCsumV2},
                                           {0, kIncompatRevoke | kIncompatCsumV3 | kIncompat64Bit}};
    for (auto [compat, incompat] : layouts) {
        SCOPED_TRACE(incompat * 16 + compat);
        HandJournal j(300, 1024, compat, incompat);
        j.superblock(1, 0);
        JournalSuperblock sb = j.decoded();
        const u64 base = (incompat & kIncompat64Bit) ? (u64(5) << 32) : 1000;
        const u32 n = DescriptorEncoder::capacity(sb) * 2 + 1;  // three descriptors
        Tx t1 = blocks(n, 1024, base);
        put_be32(t1.contents[5].data(), kMagic);
        Tx t2 = blocks(2, 1024, base + 100000);  // clear of the revoked blocks
        t2.contents[0].assign(1024, 0xEE);
        for (u32 i = 0; i < RevokeBlock::capacity(sb) + 5; ++i) t2.revoked.push_back(base + 7 + i * 3);
        Tx t3 = blocks(1, 1024, base + 3);
        t3.contents[0].assign(1024, 0xDD);

        const u32 start = 290, sequence = 0xFFFFFFFE;  // wraps the ring and the sequence numbers
        write_into(j, sb, t1, start, sequence);
        u32 t2_start = TransactionWriter::plan(sb, u64(1) << 40, t1.spec(start, sequence)).value().end();
        write_into(j, sb, t2, t2_start, sequence + 1, start);
        u32 t3_start = TransactionWriter::plan(sb, u64(1) << 40, t2.spec(t2_start, sequence + 1, start)).value().end();
        write_into(j, sb, t3, t3_start, sequence + 2, start, false);
        // The superblock as the writer's state says.
        sb.state = log_start_state(sb, start, sequence);
        ASSERT_TRUE(sb.encode_state(Bytes(j.blocks[0].data(), 1024)).ok());

        auto m = recover_blocks(j, base + 200000, 1024);
        ASSERT_TRUE(m.result.ok) << jbd2_fault_name(m.result.fault);
        EXPECT_EQ(m.result.outcome.transactions, 2u);
        EXPECT_EQ(m.result.outcome.end_transaction, sequence + 2);
        EXPECT_EQ(m.result.outcome.state.sequence, sequence + 3);
        // Home blocks are absolute: the fs vector is indexed from 0.
        auto home = [&](u64 b) { return m.home(b); };
        for (u32 i = 0; i < n; ++i) {
            const bool revoked = i >= 7 && (i - 7) % 3 == 0 && (i - 7) / 3 < RevokeBlock::capacity(sb) + 5;
            if (revoked) EXPECT_EQ(home(base + i), std::vector<u8>(1024, 0)) << i;
            else EXPECT_EQ(home(base + i), t1.contents[i]) << i;
        }
        EXPECT_EQ(home(base + 100000), t2.contents[0]);
        EXPECT_EQ(home(base + 100001), t2.contents[1]);
        EXPECT_EQ(home(base + 3), t1.contents[3]);  // T3 had no commit
        EXPECT_EQ(m.result.outcome.revoke_records, RevokeBlock::capacity(sb) + 5u);
    }
}
