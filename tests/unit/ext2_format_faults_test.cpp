// The ext2 format layer's rejections: every Ext2Fault from a corrupted copy
// of real mke2fs bytes (superblock, descriptors, inodes) or a hand-built
// directory block, the feature policy, and the encoders writing back only
// what they model. Field offsets here are written from the ext2 layout, not
// taken from the code under test.
#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "support/ext2_images.hpp"
#include "support/ext2_reader.hpp"

using namespace mote;
using namespace mote::ext2_test;

namespace {

using ByteVector = std::vector<u8>;

void put16(ByteVector& b, usize at, u32 v) {
    b.at(at) = u8(v);
    b.at(at + 1) = u8(v >> 8);
}
void put32(ByteVector& b, usize at, u32 v) {
    for (usize i = 0; i < 4; ++i) b.at(at + i) = u8(v >> (8 * i));
}
u32 get32(const ByteVector& b, usize at) {
    return u32(b.at(at)) | u32(b.at(at + 1)) << 8 | u32(b.at(at + 2)) << 16 | u32(b.at(at + 3)) << 24;
}

ReadonlyBytes span(const ByteVector& b) { return ReadonlyBytes(b.data(), b.size()); }
Bytes span(ByteVector& b) { return Bytes(b.data(), b.size()); }

class Ext2Faults : public ::testing::Test {
protected:
    void SetUp() override {
        if (!Ext2Images::get().ok()) GTEST_SKIP() << Ext2Images::get().error();
        const Image& image = Ext2Images::get().images().front();  // ext2, 1 KiB blocks, 128-byte inodes
        ASSERT_STREQ(image.spec.name, "ext2-1k");
        m_image = &image;
        m_sb.assign(image.bytes.begin() + 1024, image.bytes.begin() + 2048);
        auto reader = Ext2Reader::open(span(image.bytes));
        ASSERT_TRUE(reader.ok());
        m_geometry = reader.value().geometry();
        m_reader = new Ext2Reader(reader.release_value());
    }
    void TearDown() override { delete m_reader; }

    // Decodes a modified superblock copy: the fault (None if accepted).
    Ext2Fault sb_fault(const ByteVector& bytes, Error expected = Error::Malformed, const char** feature = nullptr) {
        Ext2Fault fault = Ext2Fault::BitmapFull;
        auto sb = decode_superblock(span(bytes), &fault, feature);
        EXPECT_EQ(sb.ok(), fault == Ext2Fault::None);
        if (sb.is_error()) EXPECT_EQ(sb.error(), expected) << ext2_fault_name(fault);
        return fault;
    }
    ByteVector sb_with(usize at, u32 value, bool wide = true) {
        ByteVector b = m_sb;
        if (wide) put32(b, at, value);
        else put16(b, at, value);
        return b;
    }

    const Image* m_image = nullptr;
    ByteVector m_sb;
    Geometry m_geometry;
    Ext2Reader* m_reader = nullptr;
};

}  // namespace

// ---------------------------------------------------------------------------
// Superblock.

TEST_F(Ext2Faults, SuperblockRejections) {
    EXPECT_EQ(sb_fault(m_sb), Ext2Fault::None);
    EXPECT_EQ(sb_fault(ByteVector(m_sb.begin(), m_sb.end() - 1)), Ext2Fault::SuperblockTruncated);
    EXPECT_EQ(sb_fault(sb_with(0x38, 0xEF54, false)), Ext2Fault::BadMagic);
    EXPECT_EQ(sb_fault(sb_with(0x4C, 2), Error::Unsupported), Ext2Fault::UnsupportedRevision);
    EXPECT_EQ(sb_fault(sb_with(0x18, 3), Error::Unsupported), Ext2Fault::UnsupportedBlockSize);
    EXPECT_EQ(sb_fault(sb_with(0x18, 0xffffffff), Error::Unsupported), Ext2Fault::UnsupportedBlockSize);
    EXPECT_EQ(sb_fault(sb_with(0x1C, 1), Error::Unsupported), Ext2Fault::FragmentSizeMismatch);
    EXPECT_EQ(sb_fault(sb_with(0x24, 4096), Error::Unsupported), Ext2Fault::FragmentSizeMismatch);
    EXPECT_EQ(sb_fault(sb_with(0x14, 0)), Ext2Fault::BadFirstDataBlock);
    EXPECT_EQ(sb_fault(sb_with(0x14, 2)), Ext2Fault::BadFirstDataBlock);
    EXPECT_EQ(sb_fault(sb_with(0x04, 2)), Ext2Fault::BadBlocksCount);
    EXPECT_EQ(sb_fault(sb_with(0x20, 0)), Ext2Fault::BadBlocksPerGroup);
    EXPECT_EQ(sb_fault(sb_with(0x20, 8 * 1024 + 8)), Ext2Fault::BadBlocksPerGroup);
    EXPECT_EQ(sb_fault(sb_with(0x20, 4100)), Ext2Fault::BadBlocksPerGroup);
    EXPECT_EQ(sb_fault(sb_with(0x28, 0)), Ext2Fault::BadInodesPerGroup);
    EXPECT_EQ(sb_fault(sb_with(0x28, 8 * 1024 + 1)), Ext2Fault::BadInodesPerGroup);
    EXPECT_EQ(sb_fault(sb_with(0x28, 7)), Ext2Fault::BadInodesPerGroup);  // fewer than one block's 8 inodes
    EXPECT_EQ(sb_fault(sb_with(0x58, 100, false)), Ext2Fault::BadInodeSize);
    EXPECT_EQ(sb_fault(sb_with(0x58, 192, false)), Ext2Fault::BadInodeSize);
    EXPECT_EQ(sb_fault(sb_with(0x58, 2048, false)), Ext2Fault::BadInodeSize);
    EXPECT_EQ(sb_fault(sb_with(0x54, 10)), Ext2Fault::BadFirstInode);
    EXPECT_EQ(sb_fault(sb_with(0x54, get32(m_sb, 0x00) + 1)), Ext2Fault::BadFirstInode);
    EXPECT_EQ(sb_fault(sb_with(0x00, get32(m_sb, 0x00) + 1)), Ext2Fault::InodesCountMismatch);
    EXPECT_EQ(sb_fault(sb_with(0x0C, get32(m_sb, 0x04) + 1)), Ext2Fault::BadFreeCounts);
    EXPECT_EQ(sb_fault(sb_with(0x10, get32(m_sb, 0x00) + 1)), Ext2Fault::BadFreeCounts);
    EXPECT_EQ(sb_fault(sb_with(0x08, get32(m_sb, 0x04) + 1)), Ext2Fault::BadFreeCounts);
    EXPECT_EQ(sb_fault(sb_with(0xCE, 257, false)), Ext2Fault::BadReservedGdtBlocks);  // one indirect block maps 256
    {
        // A one-group device of 100 blocks cannot hold 200 reserved blocks.
        ByteVector b = m_sb;
        put32(b, 0x04, 100);
        put32(b, 0x00, get32(m_sb, 0x28));
        put32(b, 0x08, 0);
        put32(b, 0x0C, 0);
        put32(b, 0x10, 0);
        put16(b, 0xCE, 200);
        EXPECT_EQ(sb_fault(b), Ext2Fault::DescriptorTableTooLarge);
        put16(b, 0xCE, 0);
        EXPECT_EQ(sb_fault(b), Ext2Fault::None);
    }
    {
        ByteVector b = sb_with(0x5C, get32(m_sb, 0x5C) | 0x4);  // has_journal
        put32(b, 0xE0, get32(m_sb, 0x00) + 1);
        EXPECT_EQ(sb_fault(b), Ext2Fault::BadJournalInode);
        put32(b, 0xE0, 0);  // external journal
        auto sb = decode_superblock(span(b));
        ASSERT_TRUE(sb.ok());
        EXPECT_TRUE(sb.value().journal_is_external());
    }
}

TEST_F(Ext2Faults, IncompatFeaturesAreRefusedByName) {
    const u32 incompat = get32(m_sb, 0x60);
    struct Case {
        u32 bit;
        const char* name;
    };
    for (Case c : {Case {0x1, "compression"}, Case {0x8, "journal_dev"}, Case {0x10, "meta_bg"}, Case {0x40, "extent"},
                   Case {0x80, "64bit"}, Case {0x100, "mmp"}, Case {0x200, "flex_bg"}, Case {0x8000, "inline_data"},
                   Case {0x10000, "encrypt"}, Case {0x20000, "casefold"}, Case {1u << 20, "incompat_bit_20"}}) {
        SCOPED_TRACE(c.name);
        const char* feature = nullptr;
        EXPECT_EQ(sb_fault(sb_with(0x60, incompat | c.bit), Error::Unsupported, &feature),
                  Ext2Fault::UnsupportedIncompatFeature);
        ASSERT_NE(feature, nullptr);
        EXPECT_STREQ(feature, c.name);
    }
    // recover: accepted, and reported.
    auto sb = decode_superblock(span(sb_with(0x60, incompat | 0x4)));
    ASSERT_TRUE(sb.ok());
    EXPECT_TRUE(sb.value().needs_recovery);
    EXPECT_FALSE(sb.value().read_only);
}

TEST_F(Ext2Faults, RoCompatFeaturesMeanReadOnly) {
    const u32 ro = get32(m_sb, 0x64);
    struct Case {
        u32 bits;
        const char* name;
    };
    for (Case c : {Case {0x8, "huge_file"}, Case {0x10, "uninit_bg"}, Case {0x20, "dir_nlink"}, Case {0x40, "extra_isize"},
                   Case {0x400, "metadata_csum"}, Case {1u << 20, "ro_compat_bit_20"}, Case {0x20 | 0x400, "dir_nlink"}}) {
        SCOPED_TRACE(c.name);
        auto sb = decode_superblock(span(sb_with(0x64, ro | c.bits)));
        ASSERT_TRUE(sb.ok());
        EXPECT_TRUE(sb.value().read_only);
        EXPECT_STREQ(sb.value().read_only_feature, c.name);
    }
    // Unknown compat bits are fine; sparse_super and large_file alone are writable.
    auto sb = decode_superblock(span(sb_with(0x5C, get32(m_sb, 0x5C) | (1u << 20) | 0x1)));
    ASSERT_TRUE(sb.ok());
    EXPECT_FALSE(sb.value().read_only);
    EXPECT_EQ(sb.value().read_only_feature, nullptr);
    EXPECT_STREQ(feature_name(FeatureWord::Compat, 20), "compat_bit_20");
    EXPECT_STREQ(feature_name(FeatureWord::Compat, 5), "dir_index");
}

TEST_F(Ext2Faults, RevisionZeroAndSparseSuper2) {
    // Revision 0: inode size 128 and first inode 11 whatever the (absent) fields hold.
    ByteVector b = sb_with(0x4C, 0);
    put16(b, 0x58, 999);
    put32(b, 0x54, 3);
    auto sb = decode_superblock(span(b));
    ASSERT_TRUE(sb.ok());
    EXPECT_EQ(sb.value().geometry.inode_size, 128u);
    EXPECT_EQ(sb.value().geometry.first_inode, 11u);

    // sparse_super2: backups only in the groups s_backup_bgs names.
    b = sb_with(0x5C, get32(m_sb, 0x5C) | 0x200);
    put32(b, 0x24C, 1);
    put32(b, 0x250, 99999);  // beyond the last group: none
    auto sparse2 = decode_superblock(span(b));
    ASSERT_TRUE(sparse2.ok());
    const Geometry& g = sparse2.value().geometry;
    ASSERT_EQ(g.group_count, 2u);
    EXPECT_TRUE(g.group_has_superblock(0));
    EXPECT_TRUE(g.group_has_superblock(1));
    put32(b, 0x24C, 0);
    EXPECT_FALSE(decode_superblock(span(b)).value().geometry.group_has_superblock(1));
}

TEST(Ext2Geometry, SparseSuperBackupGroups) {
    Geometry g;
    g.block_size = 1024;
    g.first_data_block = 1;
    g.blocks_per_group = 8;
    g.group_count = 400;
    g.blocks_count = 1 + 8 * 400;
    g.sparse_super = true;
    std::set<u32> expected = {0, 1, 3, 9, 27, 81, 243, 5, 25, 125, 7, 49, 343};
    for (u32 group = 0; group < g.group_count; ++group)
        EXPECT_EQ(g.group_has_superblock(group), expected.count(group) == 1) << group;
    g.sparse_super = false;
    for (u32 group = 0; group < g.group_count; ++group) EXPECT_TRUE(g.group_has_superblock(group));
    EXPECT_EQ(g.group_first_block(2), 17u);
    EXPECT_EQ(g.group_of_block(17), 2u);
    EXPECT_EQ(g.group_of_block(16), 1u);
    EXPECT_EQ(g.group_block_count(399), 8u);
    g.blocks_count -= 3;
    EXPECT_EQ(g.group_block_count(399), 5u);
}

TEST_F(Ext2Faults, SuperblockEncoderWritesOnlyMutableFields) {
    auto decoded = decode_superblock(span(m_sb));
    ASSERT_TRUE(decoded.ok());
    Superblock sb = decoded.value();
    sb.free_blocks_count -= 7;
    sb.free_inodes_count -= 3;
    sb.mount_time = 0x11223344;
    sb.write_time = 0x55667788;
    sb.mount_count = 9;
    sb.max_mount_count = 20;
    sb.state = kStateErrors;
    sb.errors = 2;
    sb.last_check_time = 0x01020304;
    sb.feature_incompat |= kIncompatRecover;
    sb.last_orphan = 12;
    ByteVector out = m_sb;
    encode_superblock(sb, span(out));
    // The bytes that may change: the fields above.
    std::set<usize> allowed;
    for (usize at : {0x0C, 0x10, 0x2C, 0x30, 0x40, 0x60, 0xE8})
        for (usize i = 0; i < 4; ++i) allowed.insert(at + i);
    for (usize at : {0x34, 0x36, 0x3A, 0x3C})
        for (usize i = 0; i < 2; ++i) allowed.insert(at + i);
    for (usize i = 0; i < out.size(); ++i)
        if (!allowed.count(i)) EXPECT_EQ(out[i], m_sb[i]) << "byte " << i;
    EXPECT_EQ(get32(out, 0x0C), sb.free_blocks_count);
    EXPECT_EQ(get32(out, 0x2C), 0x11223344u);
    auto again = decode_superblock(span(out));
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again.value().free_inodes_count, sb.free_inodes_count);
    EXPECT_EQ(again.value().mount_count, 9);
    EXPECT_EQ(again.value().max_mount_count, 20);
    EXPECT_EQ(again.value().state, kStateErrors);
    EXPECT_TRUE(again.value().needs_recovery);
    EXPECT_EQ(again.value().last_orphan, 12u);
    // Unchanged values re-encode to the same bytes.
    ByteVector same = m_sb;
    encode_superblock(decoded.value(), span(same));
    EXPECT_EQ(same, m_sb);
}

// ---------------------------------------------------------------------------
// Group descriptors (group 1 of the 1 KiB image: blocks 8193..16383, with a
// superblock backup at 8193).

TEST_F(Ext2Faults, GroupDescriptorRejections) {
    const Geometry& g = m_geometry;
    ASSERT_EQ(g.group_count, 2u);
    const DescriptorLocation at = g.descriptor_location(1);
    const auto table = m_reader->block(at.block);
    const ByteVector good(table.begin() + at.offset, table.begin() + at.offset + 32);
    auto fault_of = [&](const ByteVector& bytes, u32 group = 1) {
        Ext2Fault fault = Ext2Fault::BitmapFull;
        auto d = decode_group_descriptor(g, group, span(bytes), &fault);
        EXPECT_EQ(d.ok(), fault == Ext2Fault::None);
        return fault;
    };
    auto with = [&](usize offset, u32 value, bool wide) {
        ByteVector b = good;
        if (wide) put32(b, offset, value);
        else put16(b, offset, value);
        return b;
    };
    EXPECT_EQ(fault_of(good), Ext2Fault::None);
    Ext2Fault fault;
    auto bad_group = decode_group_descriptor(g, 2, span(good), &fault);
    EXPECT_EQ(bad_group.error(), Error::OutOfRange);
    EXPECT_EQ(fault, Ext2Fault::BadGroupNumber);
    EXPECT_EQ(fault_of(ByteVector(good.begin(), good.end() - 1)), Ext2Fault::DescriptorTruncated);
    const u32 first = g.group_first_block(1);
    EXPECT_EQ(first, 8193u);
    EXPECT_EQ(fault_of(with(0x00, first - 1, true)), Ext2Fault::BlockBitmapOutOfGroup);
    EXPECT_EQ(fault_of(with(0x00, g.blocks_count, true)), Ext2Fault::BlockBitmapOutOfGroup);
    EXPECT_EQ(fault_of(with(0x04, 5, true)), Ext2Fault::InodeBitmapOutOfGroup);
    EXPECT_EQ(fault_of(with(0x08, g.blocks_count - g.inode_table_blocks + 1, true)), Ext2Fault::InodeTableOutOfGroup);
    EXPECT_EQ(fault_of(with(0x08, 0xffffffff, true)), Ext2Fault::InodeTableOutOfGroup);
    EXPECT_EQ(fault_of(with(0x00, first, true)), Ext2Fault::GroupMetadataOverlap);      // on the backup superblock
    EXPECT_EQ(fault_of(with(0x04, first + 2, true)), Ext2Fault::GroupMetadataOverlap);  // on the reserved GDT blocks
    EXPECT_EQ(fault_of(with(0x04, get32(good, 0x00), true)), Ext2Fault::GroupMetadataOverlap);
    EXPECT_EQ(fault_of(with(0x00, get32(good, 0x08) + 5, true)), Ext2Fault::GroupMetadataOverlap);
    EXPECT_EQ(fault_of(with(0x08, get32(good, 0x04), true)), Ext2Fault::GroupMetadataOverlap);
    EXPECT_EQ(fault_of(with(0x0C, g.group_block_count(1) + 1, false)), Ext2Fault::BadGroupFreeBlocks);
    EXPECT_EQ(fault_of(with(0x0E, g.inodes_per_group + 1, false)), Ext2Fault::BadGroupFreeInodes);
    ByteVector dirs = with(0x0E, g.inodes_per_group - 3, false);
    put16(dirs, 0x10, 3);
    EXPECT_EQ(fault_of(dirs), Ext2Fault::None);
    put16(dirs, 0x10, 4);
    EXPECT_EQ(fault_of(dirs), Ext2Fault::BadUsedDirsCount);
}

TEST_F(Ext2Faults, GroupDescriptorEncoderWritesOnlyCounts) {
    const DescriptorLocation at = m_geometry.descriptor_location(0);
    const auto table = m_reader->block(at.block);
    ByteVector bytes(table.begin() + at.offset, table.begin() + at.offset + 32);
    for (usize i = 0x12; i < 32; ++i) bytes[i] = u8(0xA0 + i);  // flags and the tail: must survive
    const ByteVector before = bytes;
    GroupDescriptor d = decode_group_descriptor(m_geometry, 0, span(bytes)).value();
    d.free_blocks_count -= 1;
    d.free_inodes_count -= 2;
    d.used_dirs_count += 1;
    d.block_bitmap = 1;  // not written back: locations never change
    encode_group_descriptor(d, span(bytes));
    for (usize i = 0; i < 32; ++i)
        if (i < 0x0C || i >= 0x12) EXPECT_EQ(bytes[i], before[i]) << i;
    const GroupDescriptor again = decode_group_descriptor(m_geometry, 0, span(bytes)).value();
    EXPECT_EQ(again.free_blocks_count, d.free_blocks_count);
    EXPECT_EQ(again.free_inodes_count, d.free_inodes_count);
    EXPECT_EQ(again.used_dirs_count, d.used_dirs_count);
}

// ---------------------------------------------------------------------------
// Inodes.

TEST_F(Ext2Faults, LocatesInodes) {
    const Geometry& g = m_geometry;  // 128-byte inodes, 8 per 1 KiB block
    Ext2Fault fault = Ext2Fault::None;
    EXPECT_EQ(locate_inode(g, 0, &fault).error(), Error::OutOfRange);
    EXPECT_EQ(fault, Ext2Fault::BadInodeNumber);
    EXPECT_EQ(locate_inode(g, g.inodes_count + 1, &fault).error(), Error::OutOfRange);
    struct Case {
        u32 number, group, index, block, offset;
    };
    const u32 ipg = g.inodes_per_group;
    for (Case c : {Case {1, 0, 0, 0, 0}, Case {2, 0, 1, 0, 128}, Case {8, 0, 7, 0, 896}, Case {9, 0, 8, 1, 0},
                   Case {ipg, 0, ipg - 1, (ipg - 1) / 8, 896}, Case {ipg + 1, 1, 0, 0, 0},
                   Case {g.inodes_count, 1, ipg - 1, (ipg - 1) / 8, 896}}) {
        auto at = locate_inode(g, c.number, &fault);
        ASSERT_TRUE(at.ok()) << c.number;
        EXPECT_EQ(fault, Ext2Fault::None);
        EXPECT_EQ(at.value().group, c.group) << c.number;
        EXPECT_EQ(at.value().index, c.index) << c.number;
        EXPECT_EQ(at.value().table_block, c.block) << c.number;
        EXPECT_EQ(at.value().offset, c.offset) << c.number;
    }
}

TEST_F(Ext2Faults, InodeRejections) {
    const Geometry& g = m_geometry;
    // Real inodes: the root directory, a regular file ("big", its first
    // regular file), a fast symlink.
    u32 file = 0, fast = 0, slow = 0;
    for (u32 n = g.first_inode; n < g.first_inode + 700 && n <= g.inodes_count; ++n) {
        auto inode = m_reader->inode(n);
        if (inode.is_error()) continue;
        if (inode.value().type == FileType::Regular && inode.value().size == 300000) file = n;
        if (inode.value().type == FileType::Symlink && inode.value().fast_symlink) fast = n;
        if (inode.value().type == FileType::Symlink && !inode.value().fast_symlink) slow = n;
    }
    ASSERT_TRUE(file && fast && slow);
    auto fault_of = [&](const ByteVector& bytes, Error expected = Error::Malformed) {
        Ext2Fault fault = Ext2Fault::BitmapFull;
        auto inode = decode_inode(g, span(bytes), &fault);
        EXPECT_EQ(inode.ok(), fault == Ext2Fault::None);
        if (inode.is_error()) EXPECT_EQ(inode.error(), expected) << ext2_fault_name(fault);
        return fault;
    };
    const ByteVector root = m_reader->inode_bytes(kRootInode);
    const ByteVector reg = m_reader->inode_bytes(file);
    const ByteVector sym = m_reader->inode_bytes(fast);
    const ByteVector slow_sym = m_reader->inode_bytes(slow);
    auto with = [](ByteVector b, usize at, u32 value, bool wide = true) {
        if (wide) put32(b, at, value);
        else put16(b, at, value);
        return b;
    };
    EXPECT_EQ(fault_of(root), Ext2Fault::None);
    EXPECT_EQ(fault_of(ByteVector(reg.begin(), reg.begin() + 127)), Ext2Fault::InodeTruncated);
    EXPECT_EQ(fault_of(with(with(reg, 0x1A, 0, false), 0x14, 12345)), Ext2Fault::InodeNotInUse);
    EXPECT_EQ(fault_of(with(with(reg, 0x1A, 0, false), 0x00, 0, false)), Ext2Fault::InodeNotInUse);
    EXPECT_EQ(fault_of(with(reg, 0x1A, 0, false)), Ext2Fault::None);  // no links but live: an unlinked open file
    EXPECT_EQ(fault_of(with(reg, 0x00, 0170644, false)), Ext2Fault::BadFileType);
    EXPECT_EQ(fault_of(with(reg, 0x00, 0000644, false)), Ext2Fault::BadFileType);
    EXPECT_EQ(fault_of(with(reg, 0x20, 0x80000), Error::Unsupported), Ext2Fault::ExtentsUnsupported);
    EXPECT_EQ(fault_of(with(reg, 0x20, 0x10000000), Error::Unsupported), Ext2Fault::InlineDataUnsupported);
    for (usize slot = 0; slot < 15; ++slot) {
        EXPECT_EQ(fault_of(with(reg, 0x28 + 4 * slot, g.blocks_count)), Ext2Fault::BlockPointerOutOfRange) << slot;
        EXPECT_EQ(fault_of(with(reg, 0x28 + 4 * slot, 1)), Ext2Fault::BlockPointerOutOfRange) << slot;  // the superblock
        EXPECT_EQ(fault_of(with(reg, 0x28 + 4 * slot, 0)), Ext2Fault::None) << slot;                  // a hole
    }
    EXPECT_EQ(fault_of(with(reg, 0x68, g.blocks_count)), Ext2Fault::FileAclOutOfRange);
    EXPECT_EQ(fault_of(with(reg, 0x6C, 0xffffffff)), Ext2Fault::FileTooLarge);
    EXPECT_EQ(fault_of(with(reg, 0x6C, 3)), Ext2Fault::None);  // 12 GiB: within the 1 KiB map's 16 GiB
    EXPECT_EQ(fault_of(with(root, 0x04, 1000)), Ext2Fault::BadDirectorySize);
    EXPECT_EQ(fault_of(with(root, 0x04, 0)), Ext2Fault::BadDirectorySize);
    EXPECT_EQ(fault_of(with(root, 0x6C, 7)), Ext2Fault::None);  // i_dir_acl: not a size for a directory
    EXPECT_EQ(fault_of(with(sym, 0x04, 0)), Ext2Fault::BadSymlinkSize);
    EXPECT_EQ(fault_of(with(sym, 0x04, 60)), Ext2Fault::BadSymlinkSize);
    EXPECT_EQ(fault_of(with(sym, 0x28, 0x00414141)), Ext2Fault::BadSymlinkSize);  // a NUL inside the target
    EXPECT_EQ(fault_of(with(slow_sym, 0x04, g.block_size)), Ext2Fault::BadSymlinkSize);
    // A fast symlink's i_block is text, not pointers: no range check.
    EXPECT_EQ(fault_of(with(sym, 0x28 + 4 * 14, 0xffffffff)), Ext2Fault::None);
}

TEST_F(Ext2Faults, InodeEncoderKeepsUnmodelledBytes) {
    // A 256-byte inode from the 4 KiB image, with a pattern in its extra half
    // and the untouched classic fields.
    const Image& image = Ext2Images::get().images().at(1);
    ASSERT_EQ(image.spec.inode_size, 256u);
    auto reader = Ext2Reader::open(span(image.bytes));
    ASSERT_TRUE(reader.ok());
    const Geometry& g = reader.value().geometry();
    ByteVector bytes = reader.value().inode_bytes(kRootInode);
    for (usize i = 128; i < 256; ++i) bytes[i] = u8(i * 7);
    put32(bytes, 0x24, 0xdeadbeef);  // osd1
    put32(bytes, 0x70, 0xfeedface);  // faddr
    put16(bytes, 0x7C, 0x1234);      // checksum_lo
    const ByteVector before = bytes;
    Inode inode = decode_inode(g, span(bytes)).value();
    inode.mode = 040700;
    inode.uid = 0x12345678;
    inode.gid = 0x9abcdef0;
    inode.atime = 1;
    inode.ctime = 2;
    inode.mtime = 3;
    inode.links_count = 7;
    inode.sectors = 16;
    inode.flags = kInodeFlagNoAtime;
    inode.size = 8192;
    inode.block[1] = inode.block[0] + 1;
    inode.generation = 99;
    inode.dir_acl = 5;
    encode_inode(g, inode, span(bytes));
    for (usize i = 128; i < 256; ++i) EXPECT_EQ(bytes[i], before[i]) << i;
    EXPECT_EQ(get32(bytes, 0x24), 0xdeadbeefu);
    EXPECT_EQ(get32(bytes, 0x70), 0xfeedfaceu);
    EXPECT_EQ(bytes[0x7C] | bytes[0x7D] << 8, 0x1234);
    // The fields, where the layout puts them.
    EXPECT_EQ(bytes[0x02] | bytes[0x03] << 8, 0x5678);
    EXPECT_EQ(bytes[0x78] | bytes[0x79] << 8, 0x1234);
    EXPECT_EQ(bytes[0x18] | bytes[0x19] << 8, 0xdef0);
    EXPECT_EQ(bytes[0x7A] | bytes[0x7B] << 8, 0x9abc);
    EXPECT_EQ(get32(bytes, 0x1C), 16u);
    EXPECT_EQ(get32(bytes, 0x6C), 5u);
    const Inode again = decode_inode(g, span(bytes)).value();
    EXPECT_EQ(again.uid, inode.uid);
    EXPECT_EQ(again.gid, inode.gid);
    EXPECT_EQ(again.size, 8192u);
    EXPECT_EQ(again.links_count, 7);
    EXPECT_EQ(again.block[1], inode.block[1]);
    EXPECT_EQ(again.dir_acl, 5u);

    // A regular file's size high word.
    Inode file = again;
    file.mode = 0100644;
    file.type = FileType::Regular;
    file.size = (u64(2) << 32) | 77;
    encode_inode(g, file, span(bytes));
    EXPECT_EQ(get32(bytes, 0x04), 77u);
    EXPECT_EQ(get32(bytes, 0x6C), 2u);
    EXPECT_EQ(decode_inode(g, span(bytes)).value().size, file.size);

    // Fast symlink and device helpers round-trip through the bytes.
    Inode link = again;
    link.mode = 0120777;
    link.type = FileType::Symlink;
    link.sectors = 0;
    link.set_fast_symlink_target("some/where");
    encode_inode(g, link, span(bytes));
    EXPECT_EQ(std::memcmp(bytes.data() + 0x28, "some/where", 10), 0);
    const Inode link_again = decode_inode(g, span(bytes)).value();
    ASSERT_TRUE(link_again.fast_symlink);
    char target[64];
    EXPECT_EQ(std::string(target, link_again.fast_symlink_target(Bytes(reinterpret_cast<u8*>(target), 64))), "some/where");
    for (DeviceNumber dev : {DeviceNumber {4, 5}, DeviceNumber {255, 255}, DeviceNumber {8, 300}, DeviceNumber {259, 70000}}) {
        Inode node = again;
        node.mode = 020600;
        node.type = FileType::CharDevice;
        node.set_device(dev);
        encode_inode(g, node, span(bytes));
        const Inode decoded = decode_inode(g, span(bytes)).value();
        EXPECT_EQ(decoded.device().major, dev.major);
        EXPECT_EQ(decoded.device().minor, dev.minor);
        if (dev.major < 256 && dev.minor < 256) EXPECT_EQ(get32(bytes, 0x28), dev.major << 8 | dev.minor);
        else EXPECT_EQ(get32(bytes, 0x28), 0u);
    }
}

TEST(Ext2FaultNames, AreDistinct) {
    std::set<std::string> names;
    for (usize i = 0; i < kExt2FaultCount; ++i) {
        const std::string name = ext2_fault_name(Ext2Fault(i));
        EXPECT_NE(name, "UnknownExt2Fault") << i;
        EXPECT_TRUE(names.insert(name).second) << name;
    }
    EXPECT_STREQ(ext2_fault_name(Ext2Fault(kExt2FaultCount)), "UnknownExt2Fault");
}
