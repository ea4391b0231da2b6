// A read-only walk of an ext2 image held in memory, built only from the
// format layer (kernel/fs/ext2): superblock, descriptors, inodes, the block
// map through indirect blocks, directory blocks. The tests compare what it
// sees with e2fsprogs' tools; the fuzzer runs it over mutated images.
//
// Bytes past the end of the image read as zeros (a truncated image is a
// valid input for the fuzzer). Every value comes out of a decoder, so a
// corrupt image yields an error, never a stray read.
#pragma once

#include <vector>

#include "fs/ext2/bitmap_search.hpp"
#include "fs/ext2/block_map.hpp"
#include "fs/ext2/directory_block.hpp"
#include "fs/ext2/group_descriptor.hpp"
#include "fs/ext2/inode.hpp"
#include "fs/ext2/superblock.hpp"

namespace mote::ext2_test {

using namespace mote::fs::ext2;

class Ext2Reader {
public:
    // Decodes the superblock and every group descriptor (at most
    // max_groups of them: the fuzzer's bound).
    static Result<Ext2Reader> open(ReadonlyBytes image, Ext2Fault* fault = nullptr, u32 max_groups = ~0u) {
        Ext2Reader reader;
        reader.m_image = image;
        u8 raw[kSuperblockSize] = {};
        copy_out(image, kSuperblockOffset, Bytes(raw));
        reader.m_sb = TRY(decode_superblock(ReadonlyBytes(raw), fault));
        const Geometry& g = reader.m_sb.geometry;
        const u32 groups = min(g.group_count, max_groups);
        for (u32 group = 0; group < groups; ++group) {
            const DescriptorLocation at = g.descriptor_location(group);
            u8 bytes[kGroupDescriptorSize];
            copy_out(image, u64(at.block) * g.block_size + at.offset, Bytes(bytes));
            reader.m_groups.push_back(TRY(decode_group_descriptor(g, group, ReadonlyBytes(bytes), fault)));
        }
        return reader;
    }

    const Superblock& superblock() const { return m_sb; }
    const Geometry& geometry() const { return m_sb.geometry; }
    const std::vector<GroupDescriptor>& groups() const { return m_groups; }

    // Block `number` of the image (zeros past its end).
    std::vector<u8> block(u32 number) const {
        std::vector<u8> out(geometry().block_size);
        copy_out(m_image, u64(number) * geometry().block_size, Bytes(out.data(), out.size()));
        return out;
    }
    // Where inode `number`'s bytes start in the image.
    Result<u64> inode_offset(u32 number, Ext2Fault* fault = nullptr) const {
        const InodeLocation at = TRY(locate_inode(geometry(), number, fault));
        if (at.group >= m_groups.size()) return Error::OutOfRange;
        return (u64(m_groups[at.group].inode_table) + at.table_block) * geometry().block_size + at.offset;
    }
    std::vector<u8> inode_bytes(u32 number) const {
        std::vector<u8> out(geometry().inode_size);
        auto offset = inode_offset(number);
        if (offset.ok()) copy_out(m_image, offset.value(), Bytes(out.data(), out.size()));
        return out;
    }
    Result<Inode> inode(u32 number, Ext2Fault* fault = nullptr) const {
        TRY(inode_offset(number, fault));
        auto bytes = inode_bytes(number);
        return decode_inode(geometry(), ReadonlyBytes(bytes.data(), bytes.size()), fault);
    }

    // The physical block holding logical block `logical` of a file (0: a
    // hole). Malformed if an indirect block holds a pointer outside the
    // data blocks.
    Result<u32> map(const Inode& inode, u64 logical, Ext2Fault* fault = nullptr) const {
        const BlockPath path = TRY(block_path(geometry().block_size, logical, fault));
        u32 pointer = inode.block[path.slot];
        for (u32 level = 0; level < path.depth && pointer != 0; ++level) {
            u8 bytes[4];
            copy_out(m_image, u64(pointer) * geometry().block_size + 4 * u64(path.index[level]), Bytes(bytes));
            pointer = u32(bytes[0]) | u32(bytes[1]) << 8 | u32(bytes[2]) << 16 | u32(bytes[3]) << 24;
            if (pointer != 0 && !geometry().is_data_block(pointer)) {
                if (fault) *fault = Ext2Fault::BlockPointerOutOfRange;
                return Error::Malformed;
            }
        }
        return pointer;
    }

    // Every allocated block of a file's map in e2fsprogs' order (data in
    // logical order) and the indirect blocks met on the way, walking at most
    // `limit` logical blocks.
    struct Blocks {
        std::vector<u32> data;
        std::vector<u32> indirect;
    };
    Result<Blocks> blocks(const Inode& inode, u64 limit = ~u64(0)) const {
        Blocks out;
        const u64 count = min((inode.size + geometry().block_size - 1) / geometry().block_size, limit);
        for (u64 logical = 0; logical < count; ++logical) {
            const u32 physical = TRY(map(inode, logical));
            if (physical) out.data.push_back(physical);
        }
        walk_indirect(inode.block[kIndirectSlot], 1, out.indirect);
        walk_indirect(inode.block[kDoubleIndirectSlot], 2, out.indirect);
        walk_indirect(inode.block[kTripleIndirectSlot], 3, out.indirect);
        return out;
    }

private:
    static void copy_out(ReadonlyBytes image, u64 offset, Bytes out) {
        for (usize i = 0; i < out.size(); ++i) out[i] = offset + i < image.size() ? image[usize(offset + i)] : 0;
    }

    void walk_indirect(u32 pointer, u32 levels, std::vector<u32>& out) const {
        if (pointer == 0 || !geometry().is_data_block(pointer) || out.size() > 100000) return;
        out.push_back(pointer);
        if (levels == 1) return;
        const auto bytes = block(pointer);
        for (usize i = 0; i + 4 <= bytes.size(); i += 4) {
            const u32 next = u32(bytes[i]) | u32(bytes[i + 1]) << 8 | u32(bytes[i + 2]) << 16 | u32(bytes[i + 3]) << 24;
            walk_indirect(next, levels - 1, out);
        }
    }

    ReadonlyBytes m_image;
    Superblock m_sb;
    std::vector<GroupDescriptor> m_groups;
};

}  // namespace mote::ext2_test
