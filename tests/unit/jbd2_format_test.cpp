// The jbd2 format layer on hand-made blocks: the journal superblock (every
// field, every rejection, the state encoder), descriptor tags in each of
// the five layouts, revoke and commit blocks with and without checksums,
// the revoke table. Blocks are built by tests/unit/support/jbd2_image.hpp
// at the format's literal offsets, not by the kernel's encoders; the
// encoders are checked by decoding what they write and against hand-made
// bytes.
#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "base/crc32c.hpp"
#include "fs/jbd2/commit_block.hpp"
#include "fs/jbd2/descriptor_block.hpp"
#include "fs/jbd2/log_block.hpp"
#include "fs/jbd2/revoke_block.hpp"
#include "fs/jbd2/revoke_table.hpp"
#include "support/jbd2_image.hpp"

using namespace mote;
using namespace mote::fs::jbd2;
using namespace mote::jbd2_test;

namespace {

ReadonlyBytes view(const std::vector<u8>& v) { return ReadonlyBytes(v.data(), v.size()); }
Bytes span(std::vector<u8>& v) { return Bytes(v.data(), v.size()); }

Jbd2Fault superblock_fault(const std::vector<u8>& block, u32 fs_block_size = 1024, u64 file_blocks = 64,
                           Error expected = Error::Malformed) {
    Jbd2Fault fault = Jbd2Fault::LogFull;  // must be overwritten
    auto sb = JournalSuperblock::decode(view(block), fs_block_size, file_blocks, &fault);
    EXPECT_EQ(sb.ok(), fault == Jbd2Fault::None);
    if (sb.is_error()) EXPECT_EQ(sb.error(), expected) << jbd2_fault_name(fault);
    return fault;
}

std::vector<u8> block_of(u32 size, u8 fill) { return std::vector<u8>(size, fill); }

}  // namespace

// ---------------------------------------------------------------------------
// The journal superblock.

TEST(Jbd2Superblock, DecodesEveryField) {
    HandJournal j(64, 1024, kCompatChecksum, kIncompatRevoke | kIncompat64Bit | kIncompatAsyncCommit);
    j.superblock(0x1234, 9);
    put_be32(&j.blocks[0][0x20], u32(-5));  // s_errno
    Jbd2Fault fault = Jbd2Fault::LogFull;
    auto sb = JournalSuperblock::decode(view(j.blocks[0]), 1024, 64, &fault);
    ASSERT_TRUE(sb.ok()) << jbd2_fault_name(fault);
    EXPECT_EQ(fault, Jbd2Fault::None);
    const JournalSuperblock& s = sb.value();
    EXPECT_EQ(s.version, 2u);
    EXPECT_EQ(s.block_size, 1024u);
    EXPECT_EQ(s.max_len, 64u);
    EXPECT_EQ(s.first, 1u);
    EXPECT_EQ(s.state.sequence, 0x1234u);
    EXPECT_EQ(s.state.start, 9u);
    EXPECT_EQ(s.state.error, -5);
    EXPECT_FALSE(s.clean());
    EXPECT_TRUE(s.has_csum_v1());
    EXPECT_TRUE(s.has_revoke());
    EXPECT_TRUE(s.has_64bit());
    EXPECT_TRUE(s.has_async_commit());
    EXPECT_FALSE(s.has_csum_v2_or_v3());
    EXPECT_EQ(s.user_count, 1u);
    EXPECT_EQ(0, std::memcmp(s.uuid, kTestUuid, 16));
    EXPECT_EQ(s.log_blocks(), 63u);
    EXPECT_EQ(s.tail_size(), 0u);
    EXPECT_EQ(s.revoke_record_size(), 8u);
}

TEST(Jbd2Superblock, ChecksumAndSeedWithCsumV3) {
    HandJournal j(64, 4096, 0, kIncompatCsumV3);
    j.superblock(7, 0);
    Jbd2Fault fault = Jbd2Fault::LogFull;
    auto sb = JournalSuperblock::decode(view(j.blocks[0]), 4096, 64, &fault);
    ASSERT_TRUE(sb.ok()) << jbd2_fault_name(fault);
    EXPECT_TRUE(sb.value().clean());
    EXPECT_EQ(sb.value().checksum_type, 4u);
    EXPECT_EQ(sb.value().checksum, get_be32(&j.blocks[0][0xFC]));
    EXPECT_EQ(sb.value().checksum_seed, crc32c_update(~0u, ReadonlyBytes(kTestUuid, 16)));
    EXPECT_EQ(sb.value().tail_size(), 4u);
    // The checksum covers the whole 1024-byte superblock, s_users included.
    j.blocks[0][0x3FF] ^= 1;
    EXPECT_EQ(superblock_fault(j.blocks[0], 4096), Jbd2Fault::BadSuperblockChecksum);
    // ... but nothing of the block beyond it.
    j.blocks[0][0x3FF] ^= 1;
    j.blocks[0][0x400] ^= 1;
    EXPECT_EQ(superblock_fault(j.blocks[0], 4096), Jbd2Fault::None);
}

TEST(Jbd2Superblock, VersionOneIgnoresTheV2Fields) {
    HandJournal j(64);
    j.superblock(3, 0);
    put_be32(&j.blocks[0][4], 3);                 // v1
    put_be32(&j.blocks[0][0x28], 0xFFFFFFFF);     // would be unknown features in v2
    put_be32(&j.blocks[0][0x40], 9);              // would be a shared journal
    auto sb = JournalSuperblock::decode(view(j.blocks[0]), 1024, 64);
    ASSERT_TRUE(sb.ok());
    EXPECT_EQ(sb.value().version, 1u);
    EXPECT_EQ(sb.value().feature_incompat, 0u);
    EXPECT_EQ(sb.value().tag_size(), 8u);
}

TEST(Jbd2Superblock, EveryRejection) {
    HandJournal j(64);
    j.superblock(1, 0);
    const std::vector<u8> good = j.blocks[0];
    auto with = [&](usize offset, u32 value) {
        std::vector<u8> b = good;
        put_be32(&b[offset], value);
        return b;
    };
    EXPECT_EQ(superblock_fault(std::vector<u8>(good.begin(), good.begin() + 1023)), Jbd2Fault::SuperblockTooShort);
    EXPECT_EQ(superblock_fault(with(0, 0xC03B3999)), Jbd2Fault::BadSuperblockMagic);
    EXPECT_EQ(superblock_fault(with(4, 1)), Jbd2Fault::BadSuperblockType);
    EXPECT_EQ(superblock_fault(with(4, 5)), Jbd2Fault::BadSuperblockType);
    EXPECT_EQ(superblock_fault(good, 4096), Jbd2Fault::BadBlockSize);
    EXPECT_EQ(superblock_fault(with(0x0C, 1536), 1536), Jbd2Fault::BadBlockSize);  // not a power of two
    EXPECT_EQ(superblock_fault(with(0x0C, 512), 512), Jbd2Fault::BadBlockSize);
    EXPECT_EQ(superblock_fault(good, 1024, 63), Jbd2Fault::JournalTooShort);
    EXPECT_EQ(superblock_fault(good, 1024, 1000), Jbd2Fault::None);  // a longer file is fine
    EXPECT_EQ(superblock_fault(with(0x14, 0)), Jbd2Fault::BadFirstBlock);
    EXPECT_EQ(superblock_fault(with(0x14, 64)), Jbd2Fault::BadFirstBlock);
    EXPECT_EQ(superblock_fault(with(0x1C, 64)), Jbd2Fault::BadStartBlock);
    std::vector<u8> before_first = with(0x14, 5);
    put_be32(&before_first[0x1C], 4);
    EXPECT_EQ(superblock_fault(before_first), Jbd2Fault::BadStartBlock);
    EXPECT_EQ(superblock_fault(with(0x1C, 63)), Jbd2Fault::None);
    EXPECT_EQ(superblock_fault(with(0x40, 2), 1024, 64, Error::Unsupported), Jbd2Fault::SharedJournal);
    EXPECT_EQ(superblock_fault(with(0x40, 0)), Jbd2Fault::None);  // old mke2fs
    EXPECT_EQ(superblock_fault(with(0x28, 0x20), 1024, 64, Error::Unsupported), Jbd2Fault::FastCommit);
    EXPECT_EQ(superblock_fault(with(0x28, 0x40), 1024, 64, Error::Unsupported), Jbd2Fault::UnknownIncompatFeature);
    EXPECT_EQ(superblock_fault(with(0x2C, 0x1), 1024, 64, Error::Unsupported), Jbd2Fault::UnknownRoCompatFeature);
    // Unknown compat features may be ignored: that is what compat means.
    EXPECT_EQ(superblock_fault(with(0x24, 0x80000000)), Jbd2Fault::None);

    HandJournal both(64, 1024, 0, kIncompatCsumV2 | kIncompatCsumV3);
    both.superblock(1, 0);
    EXPECT_EQ(superblock_fault(both.blocks[0]), Jbd2Fault::ConflictingChecksums);
    HandJournal v1_v3(64, 1024, kCompatChecksum, kIncompatCsumV3);
    v1_v3.superblock(1, 0);
    EXPECT_EQ(superblock_fault(v1_v3.blocks[0]), Jbd2Fault::ConflictingChecksums);
    HandJournal crc32(64, 1024, 0, kIncompatCsumV2);
    crc32.superblock(1, 0);
    crc32.blocks[0][0x50] = 1;
    put_be32(&crc32.blocks[0][0xFC], 0);
    put_be32(&crc32.blocks[0][0xFC], crc32c_update(~0u, ReadonlyBytes(crc32.blocks[0].data(), 1024)));
    EXPECT_EQ(superblock_fault(crc32.blocks[0]), Jbd2Fault::BadChecksumType);
}

TEST(Jbd2Superblock, EncodeStateWritesTheMutableFieldsAndChecksum) {
    HandJournal j(64, 1024, 0, kIncompatCsumV3);
    j.superblock(1, 0);
    JournalSuperblock sb = j.decoded();
    std::vector<u8> bytes = j.blocks[0];
    sb.state = JournalState {17, 0xFFFFFFF0u, -30};
    sb.feature_incompat |= kIncompatRevoke;
    Jbd2Fault fault = Jbd2Fault::LogFull;
    ASSERT_TRUE(sb.encode_state(span(bytes), &fault).ok());
    EXPECT_EQ(fault, Jbd2Fault::None);
    EXPECT_EQ(get_be32(&bytes[0x1C]), 17u);
    EXPECT_EQ(get_be32(&bytes[0x18]), 0xFFFFFFF0u);
    EXPECT_EQ(get_be32(&bytes[0x20]), u32(-30));
    EXPECT_EQ(get_be32(&bytes[0x28]), kIncompatCsumV3 | kIncompatRevoke);
    // Independently computed checksum of the new bytes.
    std::vector<u8> zeroed = bytes;
    put_be32(&zeroed[0xFC], 0);
    EXPECT_EQ(get_be32(&bytes[0xFC]), crc32c_update(~0u, ReadonlyBytes(zeroed.data(), 1024)));
    auto again = JournalSuperblock::decode(view(bytes), 1024, 64);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again.value().state.start, 17u);
    EXPECT_TRUE(again.value().has_revoke());
    // Only the mutable fields changed.
    for (usize i = 0; i < bytes.size(); ++i) {
        if ((i >= 0x18 && i < 0x24) || (i >= 0x28 && i < 0x2C) || (i >= 0xFC && i < 0x100)) continue;
        EXPECT_EQ(bytes[i], j.blocks[0][i]) << i;
    }
}

TEST(Jbd2Superblock, EncodeStateRejectsWhatDecodeWould) {
    HandJournal j(64);
    j.superblock(1, 0);
    JournalSuperblock sb = j.decoded();
    std::vector<u8> bytes = j.blocks[0];
    Jbd2Fault fault = Jbd2Fault::None;
    JournalSuperblock bad = sb;
    bad.state.start = 64;
    EXPECT_EQ(bad.encode_state(span(bytes), &fault).error(), Error::InvalidArgument);
    EXPECT_EQ(fault, Jbd2Fault::BadStartBlock);
    bad = sb;
    bad.feature_incompat = kIncompatFastCommit;
    EXPECT_TRUE(bad.encode_state(span(bytes), &fault).is_error());
    EXPECT_EQ(fault, Jbd2Fault::FastCommit);
    bad = sb;
    bad.feature_compat = kCompatChecksum;
    bad.feature_incompat = kIncompatCsumV2;
    EXPECT_TRUE(bad.encode_state(span(bytes), &fault).is_error());
    EXPECT_EQ(fault, Jbd2Fault::ConflictingChecksums);
    bad = sb;
    bad.version = 1;
    EXPECT_TRUE(bad.encode_state(span(bytes), &fault).is_error());
    EXPECT_EQ(fault, Jbd2Fault::BadSuperblockType);
    std::vector<u8> other(1024, 0);
    EXPECT_TRUE(sb.encode_state(span(other), &fault).is_error());
    EXPECT_EQ(fault, Jbd2Fault::BadSuperblockMagic);
    EXPECT_EQ(bytes, j.blocks[0]);  // nothing was written by the failures
}

TEST(Jbd2Superblock, TagSizesAndTheRing) {
    struct Case {
        u32 incompat;
        usize tag;
    } cases[] = {{0, 8}, {kIncompat64Bit, 12}, {kIncompatCsumV2, 10}, {kIncompatCsumV2 | kIncompat64Bit, 14},
                 {kIncompatCsumV3, 16}, {kIncompatCsumV3 | kIncompat64Bit, 16}};
    for (const Case& c : cases) {
        JournalSuperblock sb;
        sb.feature_incompat = c.incompat;
        EXPECT_EQ(sb.tag_size(), c.tag) << c.incompat;
    }
    JournalSuperblock sb;
    sb.first = 3;
    sb.max_len = 10;  // log blocks 3..9
    EXPECT_EQ(sb.advance(3, 0), 3u);
    EXPECT_EQ(sb.advance(9, 1), 3u);
    EXPECT_EQ(sb.advance(8, 3), 4u);
    EXPECT_EQ(sb.advance(5, 7), 5u);
    EXPECT_EQ(sb.advance(5, 0xFFFFFFFFu), sb.advance(5, 0xFFFFFFFFu % 7));
    EXPECT_EQ(sb.distance(4, 4), 0u);
    EXPECT_EQ(sb.distance(4, 9), 5u);
    EXPECT_EQ(sb.distance(9, 4), 2u);
}

// ---------------------------------------------------------------------------
// Log blocks.

TEST(Jbd2LogBlock, Header) {
    std::vector<u8> b(1024, 0);
    Jbd2Fault fault = Jbd2Fault::LogFull;
    EXPECT_TRUE(decode_block_header(view(b), &fault).is_error());
    EXPECT_EQ(fault, Jbd2Fault::NotJournalBlock);
    HandJournal::header(b, 77, 0xABCDEF01);
    auto h = decode_block_header(view(b), &fault);
    ASSERT_TRUE(h.ok());
    EXPECT_EQ(h.value().type, 77u);
    EXPECT_EQ(h.value().sequence, 0xABCDEF01u);
    EXPECT_TRUE(decode_block_header(ReadonlyBytes(b.data(), 11), &fault).is_error());
    std::vector<u8> mine(16, 0xEE);
    encode_block_header(span(mine), 2, 9);
    EXPECT_EQ(std::vector<u8>(mine.begin(), mine.begin() + 12),
              std::vector<u8>({0xC0, 0x3B, 0x39, 0x98, 0, 0, 0, 2, 0, 0, 0, 9}));
    EXPECT_EQ(mine[12], 0xEE);  // nothing past the header
}

// Every tag layout: block numbers, flags, checksums and the count.
TEST(Jbd2Descriptor, DecodesTagsInEveryLayout) {
    const u32 layouts[] = {0, kIncompat64Bit, kIncompatCsumV2, kIncompatCsumV2 | kIncompat64Bit, kIncompatCsumV3,
                           kIncompatCsumV3 | kIncompat64Bit};
    for (u32 incompat : layouts) {
        SCOPED_TRACE(incompat);
        HandJournal j(64, 1024, 0, incompat);
        j.superblock(5, 1);
        const JournalSuperblock sb = j.decoded();
        const u64 high = (incompat & kIncompat64Bit) ? (u64(0x12) << 32) : 0;
        std::vector<std::pair<u64, std::vector<u8>>> logged = {
            {high | 0x1001, block_of(1024, 0x11)}, {0x2002, block_of(1024, 0x22)}, {high | 0x3003, block_of(1024, 0x33)}};
        put_be32(logged[1].second.data(), kMagic);  // escaped
        EXPECT_EQ(j.descriptor(1, 5, logged), 5u);
        Jbd2Fault fault = Jbd2Fault::LogFull;
        auto d = DescriptorBlock::decode(view(j.blocks[1]), sb, &fault);
        ASSERT_TRUE(d.ok()) << jbd2_fault_name(fault);
        EXPECT_EQ(d.value().sequence(), 5u);
        ASSERT_EQ(d.value().tag_count(), 3u);
        std::vector<BlockTag> tags;
        for (BlockTag t : d.value()) tags.push_back(t);
        ASSERT_EQ(tags.size(), 3u);
        for (usize i = 0; i < 3; ++i) {
            EXPECT_EQ(tags[i].block, logged[i].first);
            EXPECT_EQ(tags[i].escaped(), i == 1);
            EXPECT_EQ(tags[i].last(), i == 2);
            EXPECT_EQ(bool(tags[i].flags & kTagSameUuid), i > 0);
            EXPECT_TRUE(tag_checksum_matches(sb, tags[i], 5, view(j.blocks[2 + i])));
            if (incompat & (kIncompatCsumV2 | kIncompatCsumV3)) {
                EXPECT_FALSE(tag_checksum_matches(sb, tags[i], 6, view(j.blocks[2 + i])));
                EXPECT_EQ(data_block_checksum(sb, 5, view(logged[i].second), i == 1) &
                              ((incompat & kIncompatCsumV3) ? 0xFFFFFFFFu : 0xFFFFu),
                          tags[i].checksum);
            }
        }
        // Without 64bit the high word is not part of the number even if set.
        if (!(incompat & kIncompat64Bit)) {
            std::vector<u8> b = j.blocks[1];
            // Bytes 8..11 of the first tag: the high word in 12+ byte
            // tags, the UUID's start in 8- and 10-byte ones.
            put_be32(&b[12 + 8], 0x7);
            j.seal_tail(b);
            auto d2 = DescriptorBlock::decode(view(b), sb);
            ASSERT_TRUE(d2.ok());
            EXPECT_EQ((*d2.value().begin()).block, 0x1001u);
        }
    }
}

// jbd2 counts a tag whenever its tag bytes fit, UUID or not, and stops at
// LAST_TAG or the end of the block (less the checksum tail).
TEST(Jbd2Descriptor, CountsTagsAsJbd2Does) {
    HandJournal j(64, 1024);
    j.superblock(1, 1);
    const JournalSuperblock sb = j.decoded();
    std::vector<u8> b(1024, 0);
    HandJournal::header(b, 1, 1);
    // No flags at all: every tag is followed by a UUID: 24 bytes a tag,
    // from byte 12; the 42nd ends at 12 + 41*24 + 8 = 1004 <= 1024.
    EXPECT_EQ(DescriptorBlock::decode(view(b), sb).value().tag_count(), 42u);
    // SAME_UUID everywhere: (1024 - 12) / 8 tags.
    for (usize off = 12; off + 8 <= 1024; off += 8) put_be16(&b[off + 6], kTagSameUuid);
    EXPECT_EQ(DescriptorBlock::decode(view(b), sb).value().tag_count(), 126u);
    put_be16(&b[12 + 8 * 9 + 6], kTagSameUuid | kTagLastTag);
    EXPECT_EQ(DescriptorBlock::decode(view(b), sb).value().tag_count(), 10u);
    // A last tag in the very first position still counts one.
    put_be16(&b[12 + 6], kTagLastTag);
    EXPECT_EQ(DescriptorBlock::decode(view(b), sb).value().tag_count(), 1u);

    // With csum v3 the tail's 4 bytes are not tag space: (1024-4-12)/16 = 63.
    HandJournal c(64, 1024, 0, kIncompatCsumV3);
    c.superblock(1, 1);
    const JournalSuperblock csb = c.decoded();
    std::vector<u8> t(1024, 0);
    HandJournal::header(t, 1, 1);
    for (usize off = 12; off + 16 <= 1020; off += 16) put_be32(&t[off + 4], kTagSameUuid);
    c.seal_tail(t);
    EXPECT_EQ(DescriptorBlock::decode(view(t), csb).value().tag_count(), 63u);
}

TEST(Jbd2Descriptor, Rejections) {
    HandJournal j(64, 1024, 0, kIncompatCsumV3);
    j.superblock(1, 1);
    const JournalSuperblock sb = j.decoded();
    j.descriptor(1, 1, {{7, block_of(1024, 1)}});
    Jbd2Fault fault = Jbd2Fault::None;
    EXPECT_TRUE(DescriptorBlock::decode(ReadonlyBytes(j.blocks[1].data(), 512), sb, &fault).is_error());
    EXPECT_EQ(fault, Jbd2Fault::BlockSizeMismatch);
    std::vector<u8> b = j.blocks[1];
    b[0] ^= 1;
    EXPECT_TRUE(DescriptorBlock::decode(view(b), sb, &fault).is_error());
    EXPECT_EQ(fault, Jbd2Fault::NotJournalBlock);
    b = j.blocks[1];
    put_be32(&b[4], 2);
    EXPECT_TRUE(DescriptorBlock::decode(view(b), sb, &fault).is_error());
    EXPECT_EQ(fault, Jbd2Fault::WrongBlockType);
    b = j.blocks[1];
    b[500] ^= 4;  // unused tag space is covered too
    auto bad = DescriptorBlock::decode(view(b), sb, &fault);
    EXPECT_EQ(bad.error(), Error::Malformed);
    EXPECT_EQ(fault, Jbd2Fault::BadDescriptorChecksum);
    EXPECT_TRUE(DescriptorBlock::decode(view(j.blocks[1]), sb, &fault).ok());
    EXPECT_EQ(fault, Jbd2Fault::None);
}

// The encoder's bytes are the hand-made layout, tag for tag.
TEST(Jbd2Descriptor, EncoderWritesTheHandMadeLayout) {
    const u32 layouts[] = {0, kIncompat64Bit, kIncompatCsumV2, kIncompatCsumV3 | kIncompat64Bit};
    for (u32 incompat : layouts) {
        SCOPED_TRACE(incompat);
        HandJournal j(64, 1024, 0, incompat);
        j.superblock(9, 1);
        const JournalSuperblock sb = j.decoded();
        const u64 high = (incompat & kIncompat64Bit) ? (u64(3) << 32) : 0;
        std::vector<std::pair<u64, std::vector<u8>>> logged = {{high | 40, block_of(1024, 0xA0)},
                                                               {41, block_of(1024, 0xA1)}};
        put_be32(logged[0].second.data(), kMagic);
        j.descriptor(1, 9, logged);
        std::vector<u8> out(1024, 0x55);
        DescriptorEncoder e(sb, span(out), 9);
        EXPECT_EQ(e.count(), 0u);
        for (auto& [home, data] : logged) e.add(home, get_be32(data.data()) == kMagic, view(data));
        e.finish();
        EXPECT_EQ(out, j.blocks[1]);
    }
}

TEST(Jbd2Descriptor, EncoderCapacityFillsTheBlock) {
    for (u32 incompat : {0u, kIncompatCsumV2, kIncompatCsumV3}) {
        HandJournal j(64, 1024, 0, incompat);
        j.superblock(1, 1);
        const JournalSuperblock sb = j.decoded();
        const u32 capacity = DescriptorEncoder::capacity(sb);
        // The first tag's UUID and the tail count against the block.
        EXPECT_EQ(capacity, (1024 - 12 - 16 - sb.tail_size()) / sb.tag_size());
        std::vector<u8> out(1024), data(1024, 3);
        DescriptorEncoder e(sb, span(out), 1);
        for (u32 i = 0; i < capacity; ++i) e.add(100 + i, false, view(data));
        EXPECT_TRUE(e.full());
        e.finish();
        auto d = DescriptorBlock::decode(view(out), sb);
        ASSERT_TRUE(d.ok());
        EXPECT_EQ(d.value().tag_count(), capacity);
        u64 expected = 100;
        for (BlockTag t : d.value()) EXPECT_EQ(t.block, expected++);
    }
}

TEST(Jbd2Revoke, DecodesRecords) {
    HandJournal j(64, 1024, 0, kIncompatRevoke);
    j.superblock(1, 1);
    JournalSuperblock sb = j.decoded();
    j.revoke(1, 4, {5, 0xFFFFFFFF, 77});
    Jbd2Fault fault = Jbd2Fault::LogFull;
    auto r = RevokeBlock::decode(view(j.blocks[1]), sb, &fault);
    ASSERT_TRUE(r.ok()) << jbd2_fault_name(fault);
    EXPECT_EQ(r.value().sequence(), 4u);
    ASSERT_EQ(r.value().record_count(), 3u);
    EXPECT_EQ(r.value().record(0), 5u);
    EXPECT_EQ(r.value().record(1), 0xFFFFFFFFu);
    EXPECT_EQ(r.value().record(2), 77u);

    HandJournal w(64, 4096, 0, kIncompatRevoke | kIncompat64Bit | kIncompatCsumV3);
    w.superblock(1, 1);
    sb = w.decoded();
    w.revoke(1, 4, {u64(1) << 40, 3});
    auto wide = RevokeBlock::decode(view(w.blocks[1]), sb, &fault);
    ASSERT_TRUE(wide.ok()) << jbd2_fault_name(fault);
    ASSERT_EQ(wide.value().record_count(), 2u);
    EXPECT_EQ(wide.value().record(0), u64(1) << 40);
    EXPECT_EQ(wide.value().record(1), 3u);
}

TEST(Jbd2Revoke, CountRulesAndRejections) {
    HandJournal j(64, 1024, 0, kIncompatRevoke | kIncompatCsumV2);
    j.superblock(1, 1);
    const JournalSuperblock sb = j.decoded();
    j.revoke(1, 1, {1, 2, 3});
    auto with_count = [&](u32 count) {
        std::vector<u8> b = j.blocks[1];
        put_be32(&b[12], count);
        j.seal_tail(b);
        return b;
    };
    Jbd2Fault fault = Jbd2Fault::None;
    // As jbd2: less than a header means no records, a partial record is ignored.
    EXPECT_EQ(RevokeBlock::decode(view(with_count(0)), sb).value().record_count(), 0u);
    EXPECT_EQ(RevokeBlock::decode(view(with_count(15)), sb).value().record_count(), 0u);
    EXPECT_EQ(RevokeBlock::decode(view(with_count(16 + 4 * 2 + 3)), sb).value().record_count(), 2u);
    EXPECT_EQ(RevokeBlock::decode(view(with_count(1020)), sb).value().record_count(), 251u);
    EXPECT_TRUE(RevokeBlock::decode(view(with_count(1021)), sb, &fault).is_error());
    EXPECT_EQ(fault, Jbd2Fault::BadRevokeCount);
    std::vector<u8> b = j.blocks[1];
    b[700] ^= 1;
    EXPECT_TRUE(RevokeBlock::decode(view(b), sb, &fault).is_error());
    EXPECT_EQ(fault, Jbd2Fault::BadRevokeChecksum);
    EXPECT_TRUE(RevokeBlock::decode(view(j.blocks[2]), sb, &fault).is_error());
    EXPECT_EQ(fault, Jbd2Fault::NotJournalBlock);
}

TEST(Jbd2Revoke, EncoderWritesTheHandMadeBlock) {
    for (u32 incompat : {kIncompatRevoke, kIncompatRevoke | kIncompat64Bit | kIncompatCsumV3}) {
        HandJournal j(64, 1024, 0, incompat);
        j.superblock(1, 1);
        const JournalSuperblock sb = j.decoded();
        const std::vector<u64> records = {9, 8, 7, 123456};
        j.revoke(1, 3, records);
        std::vector<u8> out(1024, 0x77);
        RevokeBlock::encode(sb, span(out), 3, Span<const u64>(records.data(), records.size()));
        EXPECT_EQ(out, j.blocks[1]);
        EXPECT_EQ(RevokeBlock::capacity(sb), (1024 - 16 - sb.tail_size()) / sb.revoke_record_size());
    }
}

TEST(Jbd2Commit, ChecksumsAndFields) {
    HandJournal j(64, 1024, 0, kIncompatCsumV3);
    j.superblock(1, 1);
    const JournalSuperblock sb = j.decoded();
    j.commit(1, 42);
    Jbd2Fault fault = Jbd2Fault::LogFull;
    auto c = CommitBlock::decode(view(j.blocks[1]), sb, &fault);
    ASSERT_TRUE(c.ok()) << jbd2_fault_name(fault);
    EXPECT_EQ(c.value().sequence, 42u);
    EXPECT_EQ(c.value().seconds, 1700000042u);
    std::vector<u8> b = j.blocks[1];
    b[1023] ^= 1;
    EXPECT_TRUE(CommitBlock::decode(view(b), sb, &fault).is_error());
    EXPECT_EQ(fault, Jbd2Fault::BadCommitChecksum);
    std::vector<u8> out(1024);
    CommitBlock::encode(sb, span(out), 42, 1700000042u, 0, 0);
    EXPECT_EQ(out, j.blocks[1]);

    // v1: the sum is checked against the transaction, not the block.
    HandJournal v1(64, 1024, kCompatChecksum, 0);
    v1.superblock(1, 1);
    const JournalSuperblock v1sb = v1.decoded();
    v1.commit(1, 5, 0xDEADBEEF);
    auto c1 = CommitBlock::decode(view(v1.blocks[1]), v1sb, &fault);
    ASSERT_TRUE(c1.ok());
    EXPECT_EQ(c1.value().checksum_type, 1u);
    EXPECT_EQ(c1.value().checksum_size, 4u);
    EXPECT_TRUE(c1.value().v1_checksum_matches(0xDEADBEEF));
    EXPECT_FALSE(c1.value().v1_checksum_matches(0xDEADBEEE));
    CommitBlock::encode(v1sb, span(out), 5, 1700000005u, 0, 0xDEADBEEF);
    EXPECT_EQ(out, v1.blocks[1]);
    CommitBlock none;  // type, size and sum all zero: "not computed", accepted
    EXPECT_TRUE(none.v1_checksum_matches(0x12345678));
    none.checksum_type = 1;
    EXPECT_FALSE(none.v1_checksum_matches(0));

    EXPECT_TRUE(CommitBlock::decode(view(j.blocks[2]), sb, &fault).is_error());
    EXPECT_EQ(fault, Jbd2Fault::NotJournalBlock);
}

// ---------------------------------------------------------------------------
// The revoke table.

TEST(Jbd2RevokeTable, KeepsTheLatestRevokePerBlock) {
    std::vector<RevokeEntry> storage(8);
    RevokeTable t(Span<RevokeEntry>(storage.data(), storage.size()));
    EXPECT_FALSE(t.revoked(5, 1));
    ASSERT_TRUE(t.add(5, 10).ok());
    EXPECT_TRUE(t.revoked(5, 9));
    EXPECT_TRUE(t.revoked(5, 10));  // the same transaction revokes its own copy
    EXPECT_FALSE(t.revoked(5, 11));
    ASSERT_TRUE(t.add(5, 12).ok());
    ASSERT_TRUE(t.add(5, 11).ok());  // an earlier revoke does not lower it
    EXPECT_TRUE(t.revoked(5, 12));
    EXPECT_EQ(t.size(), 1u);
    // Sequence numbers wrap: 2 comes after 0xFFFFFFFE.
    ASSERT_TRUE(t.add(6, 2).ok());
    EXPECT_TRUE(t.revoked(6, 0xFFFFFFFE));
    EXPECT_FALSE(t.revoked(6, 3));
}

TEST(Jbd2RevokeTable, FullIsAnErrorNotACrash) {
    std::vector<RevokeEntry> storage(5);
    RevokeTable t(Span<RevokeEntry>(storage.data(), storage.size()));
    for (u64 b = 0; b < 5; ++b) ASSERT_TRUE(t.add(b * 1000, 1).ok());
    EXPECT_EQ(t.add(99, 1).error(), Error::NoMemory);
    EXPECT_TRUE(t.add(3000, 2).ok());  // known blocks still update
    for (u64 b = 0; b < 5; ++b) EXPECT_TRUE(t.revoked(b * 1000, 1));
    EXPECT_FALSE(t.revoked(99, 1));
    t.clear();
    EXPECT_EQ(t.size(), 0u);
    EXPECT_FALSE(t.revoked(0, 1));
    RevokeTable empty {Span<RevokeEntry>()};
    EXPECT_EQ(empty.add(1, 1).error(), Error::NoMemory);
    EXPECT_FALSE(empty.revoked(1, 1));
}

TEST(Jbd2Fault, EveryFaultHasAName) {
    std::set<std::string> names;
    for (usize i = 0; i < kJbd2FaultCount; ++i) {
        const char* name = jbd2_fault_name(Jbd2Fault(i));
        EXPECT_STRNE(name, "UnknownJbd2Fault");
        names.insert(name);
    }
    EXPECT_EQ(names.size(), kJbd2FaultCount);
    EXPECT_STREQ(jbd2_fault_name(Jbd2Fault::BadCommitChecksum), "BadCommitChecksum");
    EXPECT_FALSE(jbd2_fault_is_corruption(Jbd2Fault::SequenceMismatch));
    EXPECT_TRUE(jbd2_fault_is_corruption(Jbd2Fault::BadDataChecksum));
}
