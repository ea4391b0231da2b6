// The ext2 format layer's pure parts without images: the block map's
// arithmetic at every boundary (and exhaustively at 1 KiB), the bitmap
// search against a naive scan, and directory blocks built by hand here
// (every directory fault, htree-shaped blocks, and the editing functions).
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "fs/ext2/bitmap_search.hpp"
#include "fs/ext2/block_map.hpp"
#include "fs/ext2/directory_block.hpp"

using namespace mote;
using namespace mote::fs::ext2;

namespace {

using ByteVector = std::vector<u8>;

// ---------------------------------------------------------------------------
// Block map.

struct Expected {
    u64 logical;
    u32 depth, slot, i0, i1, i2;
};

void expect_path(u32 block_size, const Expected& e) {
    Ext2Fault fault = Ext2Fault::BitmapFull;
    auto path = block_path(block_size, e.logical, &fault);
    ASSERT_TRUE(path.ok()) << e.logical;
    EXPECT_EQ(fault, Ext2Fault::None);
    EXPECT_EQ(path.value().depth, e.depth) << e.logical;
    EXPECT_EQ(path.value().slot, e.slot) << e.logical;
    const u32 index[3] = {e.i0, e.i1, e.i2};
    for (u32 level = 0; level < e.depth; ++level) EXPECT_EQ(path.value().index[level], index[level]) << e.logical;
}

}  // namespace

TEST(Ext2BlockMap, Boundaries) {
    for (u32 bs : {1024u, 2048u, 4096u}) {
        SCOPED_TRACE(bs);
        const u64 p = bs / 4;
        const u32 q = u32(p - 1);
        expect_path(bs, {0, 0, 0, 0, 0, 0});
        expect_path(bs, {11, 0, 11, 0, 0, 0});
        expect_path(bs, {12, 1, 12, 0, 0, 0});
        expect_path(bs, {12 + p - 1, 1, 12, q, 0, 0});
        expect_path(bs, {12 + p, 2, 13, 0, 0, 0});
        expect_path(bs, {12 + p + p - 1, 2, 13, 0, q, 0});
        expect_path(bs, {12 + p + p, 2, 13, 1, 0, 0});
        expect_path(bs, {12 + p + p * p - 1, 2, 13, q, q, 0});
        expect_path(bs, {12 + p + p * p, 3, 14, 0, 0, 0});
        expect_path(bs, {12 + p + p * p + p - 1, 3, 14, 0, 0, q});
        expect_path(bs, {12 + p + p * p + p, 3, 14, 0, 1, 0});
        expect_path(bs, {12 + p + p * p + p * p, 3, 14, 1, 0, 0});
        expect_path(bs, {12 + p + p * p + p * p * p - 1, 3, 14, q, q, q});
        EXPECT_EQ(addressable_blocks(bs), 12 + p + p * p + p * p * p);
        EXPECT_EQ(addressable_size(bs), addressable_blocks(bs) * bs);
        for (u64 beyond : {addressable_blocks(bs), addressable_blocks(bs) + 1, ~u64(0)}) {
            Ext2Fault fault = Ext2Fault::None;
            auto path = block_path(bs, beyond, &fault);
            ASSERT_TRUE(path.is_error());
            EXPECT_EQ(path.error(), Error::OutOfRange);
            EXPECT_EQ(fault, Ext2Fault::FileBlockOutOfRange);
        }
    }
    EXPECT_EQ(addressable_blocks(1024), 16843020u);
    EXPECT_EQ(addressable_blocks(4096), 1074791436u);
}

TEST(Ext2BlockMap, EveryBlockAt1KiBHasItsOwnPath) {
    // Rebuild each logical number from its path: the map is a bijection onto
    // [0, addressable) and walks the paths in order.
    const u64 p = 256;
    const u64 base[4] = {0, 12, 12 + p, 12 + p + p * p};
    const u64 total = addressable_blocks(1024);
    for (u64 logical = 0; logical < total; ++logical) {
        auto path = block_path(1024, logical);
        ASSERT_TRUE(path.ok());
        const BlockPath& b = path.value();
        u64 rebuilt = 0;
        if (b.depth == 0) {
            rebuilt = b.slot;
        } else {
            ASSERT_EQ(b.slot, 11 + b.depth);
            u64 rest = 0;
            for (u32 level = 0; level < b.depth; ++level) {
                ASSERT_LT(b.index[level], p);
                rest = rest * p + b.index[level];
            }
            rebuilt = base[b.depth] + rest;
        }
        ASSERT_EQ(rebuilt, logical);
    }
}

TEST(Ext2BlockMap, IndirectBlockCounts) {
    for (u32 bs : {1024u, 2048u, 4096u}) {
        SCOPED_TRACE(bs);
        const u64 p = bs / 4;
        EXPECT_EQ(indirect_blocks_for(bs, 0), 0u);
        EXPECT_EQ(indirect_blocks_for(bs, 12), 0u);
        EXPECT_EQ(indirect_blocks_for(bs, 13), 1u);
        EXPECT_EQ(indirect_blocks_for(bs, 12 + p), 1u);
        EXPECT_EQ(indirect_blocks_for(bs, 12 + p + 1), 3u);           // + double top + one second level
        EXPECT_EQ(indirect_blocks_for(bs, 12 + p + p), 3u);
        EXPECT_EQ(indirect_blocks_for(bs, 12 + p + p + 1), 4u);
        EXPECT_EQ(indirect_blocks_for(bs, 12 + p + p * p), 2 + p);
        EXPECT_EQ(indirect_blocks_for(bs, 12 + p + p * p + 1), 2 + p + 3);  // + triple top, one of each level
        EXPECT_EQ(indirect_blocks_for(bs, addressable_blocks(bs)), 1 + (1 + p) + (1 + p + p * p));
    }
}

TEST(Ext2BlockMap, MaxFileSize) {
    // 1 and 2 KiB blocks: the map is the limit (16 GiB, 256 GiB). 4 KiB: the
    // 32-bit count of 512-byte sectors is (2 TiB less the indirect blocks).
    EXPECT_EQ(max_file_size(1024), addressable_size(1024));
    EXPECT_EQ(max_file_size(2048), addressable_size(2048));
    const u32 bs = 4096;
    const u64 size = max_file_size(bs);
    EXPECT_EQ(size % bs, 0u);
    const u64 blocks = size / bs;
    EXPECT_LT(blocks, addressable_blocks(bs));
    EXPECT_LE((blocks + indirect_blocks_for(bs, blocks)) * 8, 0xffffffffu);
    EXPECT_GT((blocks + 1 + indirect_blocks_for(bs, blocks + 1)) * 8, 0xffffffffu);
    const u64 ceiling = (u64(1) << 32) * 512;  // 2 TiB of sectors
    EXPECT_LT(size, ceiling);
    EXPECT_GT(size, ceiling - ceiling / 200);
}

// ---------------------------------------------------------------------------
// Bitmaps.

TEST(Ext2Bitmap, FindsClearBitsWithWrap) {
    ByteVector bits(16, 0xff);
    const ReadonlyBytes all(bits.data(), bits.size());
    Ext2Fault fault = Ext2Fault::None;
    EXPECT_EQ(find_clear_bit(all, 128, 0, &fault).error(), Error::NotFound);
    EXPECT_EQ(fault, Ext2Fault::BitmapFull);
    bits[0] = 0xdf;  // bit 5 clear
    EXPECT_EQ(find_clear_bit(all, 128, 0).value(), 5u);
    EXPECT_EQ(find_clear_bit(all, 128, 5).value(), 5u);
    EXPECT_EQ(find_clear_bit(all, 128, 6).value(), 5u);  // wraps
    EXPECT_EQ(find_clear_bit(all, 128, 999).value(), 5u);  // goal past the end: from 0
    bits[9] = 0x7f;  // bit 79 clear
    EXPECT_EQ(find_clear_bit(all, 128, 6).value(), 79u);
    EXPECT_EQ(find_clear_bit(all, 128, 80).value(), 5u);
    // Only the first bit_count bits count.
    EXPECT_EQ(find_clear_bit(all, 79, 6).value(), 5u);
    bits[0] = 0xff;
    EXPECT_EQ(find_clear_bit(all, 79, 0, &fault).error(), Error::NotFound);
    EXPECT_EQ(find_clear_bit(all, 129, 0, &fault).error(), Error::InvalidArgument);
    EXPECT_EQ(fault, Ext2Fault::BitmapTooSmall);
    EXPECT_EQ(find_clear_bit(all, 0, 0, &fault).error(), Error::NotFound);
    EXPECT_EQ(count_set_bits(all, 128), 127u);
    EXPECT_EQ(count_set_bits(all, 79), 79u);
    EXPECT_EQ(count_set_bits(all, 3), 3u);
    EXPECT_EQ(count_set_bits(all, 0), 0u);
    set_bit(Bytes(bits.data(), bits.size()), 79);
    EXPECT_TRUE(test_bit(all, 79));
    clear_bit(Bytes(bits.data(), bits.size()), 0);
    EXPECT_EQ(bits[0], 0xfe);
}

TEST(Ext2Bitmap, MatchesANaiveScan) {
    std::mt19937 rng(7);
    for (int round = 0; round < 3000; ++round) {
        const usize bytes = 1 + rng() % 64;
        const u32 count = u32(rng() % (bytes * 8 + 1));
        ByteVector bits(bytes);
        const int density = int(rng() % 4);
        for (auto& b : bits) b = density == 0 ? 0xff : u8(rng() | (density == 1 ? rng() : 0));
        const ReadonlyBytes span(bits.data(), bits.size());
        const u32 goal = u32(rng() % (count + 2));
        u32 expected = ~0u;
        u32 set = 0;
        for (u32 i = 0; i < count; ++i) set += (bits[i / 8] >> (i % 8)) & 1;
        const u32 start = goal < count ? goal : 0;
        for (u32 k = 0; k < count; ++k) {
            const u32 i = (start + k) % count;
            if (!((bits[i / 8] >> (i % 8)) & 1)) {
                expected = i;
                break;
            }
        }
        auto found = find_clear_bit(span, count, goal);
        if (expected == ~0u) EXPECT_EQ(found.error(), Error::NotFound);
        else EXPECT_EQ(found.value(), expected);
        EXPECT_EQ(count_set_bits(span, count), set);
    }
}

// ---------------------------------------------------------------------------
// Directory blocks.

namespace {

Geometry dir_geometry(u32 block_size = 1024, bool filetype = true) {
    Geometry g;
    g.block_size = block_size;
    g.inodes_count = 1000;
    g.filetype = filetype;
    return g;
}

// Builds a block record by record, the layout written out here.
struct BlockBuilder {
    ByteVector bytes;
    usize at = 0;
    explicit BlockBuilder(usize size) : bytes(size, 0xEE) {}
    BlockBuilder& record(u32 inode, u32 rec_len, const std::string& name, u8 type, int name_len = -1) {
        for (usize i = 0; i < 4; ++i) bytes.at(at + i) = u8(inode >> (8 * i));
        bytes.at(at + 4) = u8(rec_len);
        bytes.at(at + 5) = u8(rec_len >> 8);
        bytes.at(at + 6) = u8(name_len < 0 ? name.size() : usize(name_len));
        bytes.at(at + 7) = type;
        std::memcpy(bytes.data() + at + 8, name.data(), std::min(name.size(), bytes.size() - at - 8));
        at += rec_len;
        return *this;
    }
    // One last record up to the end of the block.
    BlockBuilder& last(u32 inode, const std::string& name, u8 type) { return record(inode, u32(bytes.size() - at), name, type); }
};

Ext2Fault later_fault(const ByteVector& block, const Geometry& g = dir_geometry()) {
    Ext2Fault fault = Ext2Fault::BitmapFull;
    auto decoded = DirectoryBlock::decode(g, ReadonlyBytes(block.data(), block.size()), &fault);
    EXPECT_EQ(decoded.ok(), fault == Ext2Fault::None);
    return fault;
}

Ext2Fault first_fault(const ByteVector& block, u32 self, const Geometry& g = dir_geometry()) {
    Ext2Fault fault = Ext2Fault::BitmapFull;
    auto decoded = DirectoryBlock::decode_first(g, ReadonlyBytes(block.data(), block.size()), self, &fault);
    EXPECT_EQ(decoded.ok(), fault == Ext2Fault::None);
    return fault;
}

std::vector<std::string> names_of(const ByteVector& block, const Geometry& g = dir_geometry(), bool first = false) {
    auto decoded = first ? DirectoryBlock::decode_first(g, ReadonlyBytes(block.data(), block.size()), 20)
                         : DirectoryBlock::decode(g, ReadonlyBytes(block.data(), block.size()));
    EXPECT_TRUE(decoded.ok());
    std::vector<std::string> out;
    if (decoded.ok())
        for (const DirEntry& e : decoded.value())
            if (e.in_use()) out.emplace_back(e.name.data(), e.name.length());
    return out;
}

}  // namespace

TEST(Ext2DirectoryBlock, DecodesRecords) {
    auto b = BlockBuilder(1024).record(2, 12, ".", 2).record(2, 12, "..", 2).record(0, 20, "gone", 1)
                 .record(15, 16, "file", 1).last(16, "sub", 2);
    auto decoded = DirectoryBlock::decode_first(dir_geometry(), ReadonlyBytes(b.bytes.data(), 1024), 2);
    ASSERT_TRUE(decoded.ok());
    const DirectoryBlock& block = decoded.value();
    EXPECT_EQ(block.record_count(), 5u);
    EXPECT_EQ(block.used_count(), 4u);
    EXPECT_EQ(block.parent_inode(), 2u);
    std::vector<DirEntry> entries;
    for (const DirEntry& e : block) entries.push_back(e);
    ASSERT_EQ(entries.size(), 5u);
    EXPECT_TRUE(entries[0].is_dot());
    EXPECT_TRUE(entries[1].is_dotdot());
    EXPECT_FALSE(entries[2].in_use());
    EXPECT_TRUE(entries[2].name.empty());
    EXPECT_EQ(entries[3].offset, 44u);
    EXPECT_EQ(entries[3].inode, 15u);
    EXPECT_EQ(entries[3].type, FileType::Regular);
    EXPECT_TRUE(entries[3].name == "file");
    EXPECT_EQ(entries[4].type, FileType::Directory);
    EXPECT_EQ(entries[4].record_length, 1024u - 60);
    EXPECT_EQ(block.find("sub").value().inode, 16u);
    Ext2Fault fault = Ext2Fault::None;
    EXPECT_EQ(block.find("gone", &fault).error(), Error::NotFound);  // unused records are not found
    EXPECT_EQ(fault, Ext2Fault::EntryNotFound);
    EXPECT_EQ(block.find("su").error(), Error::NotFound);
}

TEST(Ext2DirectoryBlock, Rejections) {
    const auto ok = BlockBuilder(1024).record(5, 12, "a", 1).last(6, "b", 1).bytes;
    EXPECT_EQ(later_fault(ok), Ext2Fault::None);
    EXPECT_EQ(later_fault(ByteVector(ok.begin(), ok.end() - 4)), Ext2Fault::BadDirectoryBlockSize);
    EXPECT_EQ(later_fault(BlockBuilder(1024).record(5, 4, "", 1).bytes), Ext2Fault::RecordTooShort);
    EXPECT_EQ(later_fault(BlockBuilder(1024).record(5, 0, "", 1).bytes), Ext2Fault::RecordTooShort);
    EXPECT_EQ(later_fault(BlockBuilder(1024).record(5, 12, "longer", 1).last(6, "b", 1).bytes), Ext2Fault::RecordTooShort);
    EXPECT_EQ(later_fault(BlockBuilder(1024).record(5, 14, "a", 1).last(6, "b", 1).bytes), Ext2Fault::RecordMisaligned);
    EXPECT_EQ(later_fault(BlockBuilder(1024).record(5, 1028, "a", 1).bytes), Ext2Fault::RecordPastBlockEnd);
    // The records stop 4 bytes short of the end: no room for another header.
    auto b = BlockBuilder(1024).record(5, 1020, "a", 1).bytes;
    EXPECT_EQ(later_fault(b), Ext2Fault::RecordPastBlockEnd);
    EXPECT_EQ(later_fault(BlockBuilder(1024).record(5, 1024, "", 1).bytes), Ext2Fault::EmptyName);
    EXPECT_EQ(later_fault(BlockBuilder(1024).last(5, "a/b", 1).bytes), Ext2Fault::BadNameByte);
    EXPECT_EQ(later_fault(BlockBuilder(1024).last(5, std::string("a\0b", 3), 1).bytes), Ext2Fault::BadNameByte);
    EXPECT_EQ(later_fault(BlockBuilder(1024).last(5, "a", 0).bytes), Ext2Fault::BadEntryFileType);
    EXPECT_EQ(later_fault(BlockBuilder(1024).last(5, "a", 8).bytes), Ext2Fault::BadEntryFileType);
    EXPECT_EQ(later_fault(BlockBuilder(1024).last(1001, "a", 1).bytes), Ext2Fault::EntryInodeOutOfRange);
    EXPECT_EQ(later_fault(BlockBuilder(1024).last(1000, "a", 1).bytes), Ext2Fault::None);
    EXPECT_EQ(later_fault(BlockBuilder(1024).record(0, 1024, "", 0, 255).bytes), Ext2Fault::None);  // stale name length fits
    EXPECT_EQ(later_fault(BlockBuilder(1024).record(0, 12, "", 0, 5).last(6, "b", 1).bytes), Ext2Fault::RecordTooShort);
    // Without filetype the type byte is not checked (it was name_len's high byte).
    EXPECT_EQ(later_fault(BlockBuilder(1024).last(5, "a", 0).bytes, dir_geometry(1024, false)), Ext2Fault::None);
    EXPECT_EQ(names_of(BlockBuilder(1024).last(5, "a", 200).bytes, dir_geometry(1024, false)), std::vector<std::string> {"a"});
    // Dots.
    const auto dots = BlockBuilder(1024).record(20, 12, ".", 2).last(3, "..", 2).bytes;
    EXPECT_EQ(first_fault(dots, 20), Ext2Fault::None);
    EXPECT_EQ(later_fault(dots), Ext2Fault::MisplacedDotEntry);
    EXPECT_EQ(first_fault(dots, 21), Ext2Fault::BadDotEntry);
    EXPECT_EQ(first_fault(BlockBuilder(1024).record(20, 12, ".", 1).last(3, "..", 2).bytes, 20), Ext2Fault::BadDotEntry);
    EXPECT_EQ(first_fault(BlockBuilder(1024).record(20, 12, "x", 2).last(3, "..", 2).bytes, 20), Ext2Fault::MissingDotEntry);
    EXPECT_EQ(first_fault(BlockBuilder(1024).record(20, 12, ".", 2).last(3, "y", 2).bytes, 20), Ext2Fault::MissingDotEntry);
    EXPECT_EQ(first_fault(BlockBuilder(1024).record(20, 12, ".", 2).last(0, "..", 2).bytes, 20), Ext2Fault::MissingDotEntry);
    EXPECT_EQ(first_fault(BlockBuilder(1024).last(20, ".", 2).bytes, 20), Ext2Fault::MissingDotEntry);
    EXPECT_EQ(first_fault(BlockBuilder(1024).record(20, 12, ".", 2).record(3, 12, "..", 2).last(4, ".", 2).bytes, 20),
              Ext2Fault::MisplacedDotEntry);
    EXPECT_EQ(first_fault(BlockBuilder(1024).record(3, 12, "..", 2).last(20, ".", 2).bytes, 20),
              Ext2Fault::MisplacedDotEntry);
}

TEST(Ext2DirectoryBlock, HtreeBlocksReadLinearly) {
    // An htree root: "." and a ".." record whose slack holds the index (a
    // dx_root_info and hash/block pairs: not zero, not records).
    auto root = BlockBuilder(4096).record(20, 12, ".", 2).last(3, "..", 2).bytes;
    for (usize i = 24; i < root.size(); ++i) root[i] = u8(i * 13 + 1);
    EXPECT_EQ(first_fault(root, 20, dir_geometry(4096)), Ext2Fault::None);
    EXPECT_EQ(names_of(root, dir_geometry(4096), true), (std::vector<std::string> {".", ".."}));
    // An interior index node: one unused record over the whole block.
    auto node = BlockBuilder(4096).record(0, 4096, "", 0, 0).bytes;
    for (usize i = 8; i < node.size(); ++i) node[i] = u8(i * 7 + 3);
    EXPECT_EQ(later_fault(node, dir_geometry(4096)), Ext2Fault::None);
    EXPECT_TRUE(names_of(node, dir_geometry(4096)).empty());
}

TEST(Ext2DirectoryBlock, InsertAndRemove) {
    const Geometry g = dir_geometry();
    ByteVector block(1024);
    init_directory_block(g, Bytes(block.data(), block.size()), 20, 3);
    EXPECT_EQ(first_fault(block, 20), Ext2Fault::None);
    EXPECT_EQ(block[4] | block[5] << 8, 12);
    EXPECT_EQ(block[16] | block[17] << 8, 1012);
    const Bytes span(block.data(), block.size());
    // 4-byte names take 12 bytes each: 1000 / 12 = 83 fit after "." and "..".
    std::vector<std::string> names;
    for (int i = 0;; ++i) {
        char name[8];
        std::snprintf(name, sizeof name, "n%03d", i);
        const ByteVector before = block;
        Ext2Fault fault = Ext2Fault::BitmapFull;
        auto offset = insert_entry(g, span, name, u32(100 + i), FileType::Regular, &fault);
        if (offset.is_error()) {
            EXPECT_EQ(offset.error(), Error::Overflow);
            EXPECT_EQ(fault, Ext2Fault::NoRoom);
            EXPECT_EQ(block, before);
            break;
        }
        EXPECT_EQ(offset.value(), 24u + 12u * u32(i));
        names.push_back(name);
    }
    EXPECT_EQ(names.size(), 83u);
    std::vector<std::string> expected = {".", ".."};
    expected.insert(expected.end(), names.begin(), names.end());
    EXPECT_EQ(names_of(block, g, true), expected);

    // Remove one in the middle: merged into the previous record, whose slack
    // then takes a new name of the same size.
    EXPECT_EQ(remove_entry(g, span, "n010").value(), 110u);
    EXPECT_EQ(block[24 + 12 * 9 + 4] | block[24 + 12 * 9 + 5] << 8, 24);
    EXPECT_EQ(insert_entry(g, span, "x010", 7, FileType::Symlink).value(), 24u + 12 * 10);
    EXPECT_EQ(insert_entry(g, span, "y", 8, FileType::Fifo).error(), Error::Overflow);
    // A longer name needs the slack of two removed neighbours.
    ASSERT_TRUE(remove_entry(g, span, "n020").ok());
    EXPECT_EQ(insert_entry(g, span, "twelve_bytes", 9, FileType::Regular).error(), Error::Overflow);
    ASSERT_TRUE(remove_entry(g, span, "n021").ok());
    EXPECT_EQ(insert_entry(g, span, "twelve_bytes", 9, FileType::Regular).value(), 24u + 12 * 20);
    auto decoded = DirectoryBlock::decode_first(g, ReadonlyBytes(block.data(), block.size()), 20);
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(decoded.value().find("twelve_bytes").value().type, FileType::Regular);
    EXPECT_EQ(decoded.value().find("x010").value().type, FileType::Symlink);

    Ext2Fault fault = Ext2Fault::None;
    EXPECT_EQ(remove_entry(g, span, "n020", &fault).error(), Error::NotFound);
    EXPECT_EQ(fault, Ext2Fault::EntryNotFound);
    EXPECT_EQ(remove_entry(g, span, ".", &fault).error(), Error::InvalidArgument);
    EXPECT_EQ(fault, Ext2Fault::BadName);
    EXPECT_EQ(remove_entry(g, span, "..", &fault).error(), Error::InvalidArgument);
}

// A check leaves a note; with the note of an unchanged block, decode and
// the edits trust it instead of checking again, but only for the role it
// was checked in, and a full block refuses an insert from the note alone.
TEST(Ext2DirectoryBlock, ANoteStandsForTheCheck) {
    const Geometry g = dir_geometry();
    auto b = BlockBuilder(1024).record(2, 12, ".", 2).record(7, 12, "..", 2).record(0, 20, "gone", 1)
                 .record(15, 16, "file", 1).last(16, "sub", 2);
    const ReadonlyBytes bytes(b.bytes.data(), b.bytes.size());
    u64 note = 0;
    auto first = DirectoryBlock::decode_first(g, bytes, 2, nullptr, &note);
    ASSERT_TRUE(first.ok());
    ASSERT_NE(note, 0u);
    const u64 first_note = note;

    // The note alone must carry what decode reports: break a name byte, which
    // only a full check would see, and decode again with the note.
    b.bytes[44 + 8] = '/';
    auto again = DirectoryBlock::decode_first(g, bytes, 2, nullptr, &note);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(note, first_note);
    EXPECT_EQ(again.value().record_count(), 5u);
    EXPECT_EQ(again.value().used_count(), 4u);
    EXPECT_EQ(again.value().parent_inode(), 7u);
    // Without the note the check runs and sees it.
    Ext2Fault fault = Ext2Fault::None;
    EXPECT_FALSE(DirectoryBlock::decode_first(g, bytes, 2, &fault).ok());
    EXPECT_EQ(fault, Ext2Fault::BadNameByte);
    // The note of a first block does not vouch for it as another
    // directory's first block, nor as a later block.
    u64 other = first_note;
    EXPECT_EQ(DirectoryBlock::decode_first(g, bytes, 3, &fault, &other).error(), Error::Malformed);
    EXPECT_EQ(fault, Ext2Fault::BadDotEntry);  // checked again: "." names 2
    other = first_note;
    EXPECT_FALSE(DirectoryBlock::decode(g, bytes, &fault, &other).ok());
    b.bytes[44 + 8] = 'f';

    // Edits: a note claiming no room refuses at once and leaves the block
    // alone; the true note lets the insert take the unused record.
    const Bytes span(b.bytes.data(), b.bytes.size());
    const ByteVector before = b.bytes;
    u64 later = 0;
    auto full = BlockBuilder(1024).record(5, 12, "a", 1).last(6, "b", 1);
    ASSERT_TRUE(DirectoryBlock::decode(g, ReadonlyBytes(full.bytes.data(), 1024), nullptr, &later).ok());
    const u64 no_room = later & ~(u64(0x3ff) << 22);
    EXPECT_EQ(insert_entry(g, span, "new", 30, FileType::Regular, &fault, no_room).error(), Error::Overflow);
    EXPECT_EQ(fault, Ext2Fault::NoRoom);
    EXPECT_EQ(b.bytes, before);
    EXPECT_EQ(insert_entry(g, span, "new", 30, FileType::Regular, &fault, first_note).value(), 24u);
    EXPECT_EQ(remove_entry(g, span, "new", &fault, 0).value(), 30u);
}

// note_after_edit: after each insert and remove the note carried past the
// edit is the note a fresh check of the changed block gives, for a first
// block and a later one; without a note before, there is none after.
TEST(Ext2DirectoryBlock, TheNoteAfterAnEditIsTheNoteOfAFreshCheck) {
    const Geometry g = dir_geometry();
    for (bool first : {true, false}) {
        ByteVector block(1024, 0);
        const Bytes span(block.data(), block.size());
        const ReadonlyBytes bytes(block.data(), block.size());
        if (first) init_directory_block(g, span, 2, 7);
        else init_empty_directory_block(g, span);
        auto fresh = [&] {
            u64 note = 0;
            auto decoded = first ? DirectoryBlock::decode_first(g, bytes, 2, nullptr, &note)
                                 : DirectoryBlock::decode(g, bytes, nullptr, &note);
            EXPECT_TRUE(decoded.ok());
            return note;
        };
        u64 note = fresh();
        for (int i = 0; i < 40; ++i) {
            const std::string name = "entry-" + std::to_string(i * 7);
            auto inserted = insert_entry(g, span, StringView(name.data(), name.size()), u32(30 + i), FileType::Regular,
                                         nullptr, note);
            if (!inserted.ok()) break;  // full
            note = note_after_edit(g, bytes, note);
            ASSERT_EQ(note, fresh()) << (first ? "first" : "later") << " block, after inserting " << name;
            if (i % 3 == 1) {
                const std::string gone = "entry-" + std::to_string((i - 1) * 7);
                ASSERT_TRUE(remove_entry(g, span, StringView(gone.data(), gone.size()), nullptr, note).ok());
                note = note_after_edit(g, bytes, note);
                ASSERT_EQ(note, fresh()) << "after removing " << gone;
            }
        }
        EXPECT_EQ(note_after_edit(g, bytes, 0), 0u);
    }
}

TEST(Ext2DirectoryBlock, EditsOfALaterBlock) {
    const Geometry g = dir_geometry();
    ByteVector block(1024, 0x55);
    const Bytes span(block.data(), block.size());
    init_empty_directory_block(g, span);
    EXPECT_EQ(later_fault(block), Ext2Fault::None);
    EXPECT_TRUE(names_of(block).empty());
    // The first insert reuses the empty record in place, whole.
    EXPECT_EQ(insert_entry(g, span, "first", 30, FileType::Directory).value(), 0u);
    EXPECT_EQ(block[4] | block[5] << 8, 1024);
    EXPECT_EQ(insert_entry(g, span, "second", 31, FileType::Regular).value(), 16u);
    // Removing the first record marks it unused in place, keeping its length...
    EXPECT_EQ(remove_entry(g, span, "first").value(), 30u);
    EXPECT_EQ(block[0] | block[1] | block[2] | block[3], 0);
    EXPECT_EQ(block[4] | block[5] << 8, 16);
    EXPECT_EQ(names_of(block), std::vector<std::string> {"second"});
    // ...which a short enough name reuses; a longer one goes to the slack.
    EXPECT_EQ(insert_entry(g, span, "a_bit_longer", 32, FileType::Regular).value(), 32u);
    EXPECT_EQ(insert_entry(g, span, "tiny", 33, FileType::Regular).value(), 0u);
    EXPECT_EQ(names_of(block), (std::vector<std::string> {"tiny", "second", "a_bit_longer"}));
    // 255 bytes is the longest name.
    EXPECT_TRUE(insert_entry(g, span, std::string(255, 'n').c_str(), 34, FileType::Regular).ok());
    auto decoded = DirectoryBlock::decode(g, ReadonlyBytes(block.data(), block.size()));
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(decoded.value().find(std::string(255, 'n').c_str()).value().inode, 34u);
}

TEST(Ext2DirectoryBlock, InsertRejectsBadArguments) {
    const Geometry g = dir_geometry();
    ByteVector block(1024);
    const Bytes span(block.data(), block.size());
    init_empty_directory_block(g, span);
    const ByteVector before = block;
    auto fault_of = [&](StringView name, u32 inode, FileType type, const Geometry& geometry) {
        Ext2Fault fault = Ext2Fault::None;
        auto r = insert_entry(geometry, span, name, inode, type, &fault);
        EXPECT_EQ(r.error(), Error::InvalidArgument);
        EXPECT_EQ(block, before);
        return fault;
    };
    const std::string too_long(256, 'n');
    EXPECT_EQ(fault_of("", 5, FileType::Regular, g), Ext2Fault::BadName);
    EXPECT_EQ(fault_of(StringView(too_long.data(), too_long.size()), 5, FileType::Regular, g), Ext2Fault::BadName);
    EXPECT_EQ(fault_of("a/b", 5, FileType::Regular, g), Ext2Fault::BadName);
    EXPECT_EQ(fault_of(StringView("a\0b", 3), 5, FileType::Regular, g), Ext2Fault::BadName);
    EXPECT_EQ(fault_of(".", 5, FileType::Directory, g), Ext2Fault::BadName);
    EXPECT_EQ(fault_of("..", 5, FileType::Directory, g), Ext2Fault::BadName);
    EXPECT_EQ(fault_of("ok", 0, FileType::Regular, g), Ext2Fault::EntryInodeOutOfRange);
    EXPECT_EQ(fault_of("ok", 1001, FileType::Regular, g), Ext2Fault::EntryInodeOutOfRange);
    EXPECT_EQ(fault_of("ok", 5, FileType::Unknown, g), Ext2Fault::BadEntryFileType);
    // Without filetype the type is not stored.
    const Geometry plain = dir_geometry(1024, false);
    ASSERT_TRUE(insert_entry(plain, span, "ok", 5, FileType::Unknown).ok());
    EXPECT_EQ(block[7], 0);
    // A corrupt block is refused before any change.
    block[4] = 13;
    const ByteVector corrupt = block;
    Ext2Fault fault = Ext2Fault::None;
    EXPECT_EQ(insert_entry(g, span, "x", 5, FileType::Regular, &fault).error(), Error::Malformed);
    EXPECT_EQ(fault, Ext2Fault::RecordMisaligned);
    EXPECT_EQ(remove_entry(g, span, "ok", &fault).error(), Error::Malformed);
    EXPECT_EQ(block, corrupt);
}
