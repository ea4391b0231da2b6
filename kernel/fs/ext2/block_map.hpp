// The ext2 block map: how a file's logical block number finds its data
// block through the inode's 15 pointers.
//
// i_block[0..11] point at the first twelve data blocks; i_block[12] at a
// block of pointers_per_block (block_size / 4) pointers to the next data
// blocks (single indirect); i_block[13] at a block of pointers to such
// blocks (double indirect); i_block[14] one level deeper (triple). A zero
// pointer at any level is a hole. block_path() is the pure arithmetic: which
// slot of i_block, and which entry at each indirect level; the caller reads
// the blocks (and checks each pointer with Geometry::is_data_block()).
#pragma once

#include "base/result.hpp"
#include "fs/ext2/ext2_fault.hpp"

namespace mote::fs::ext2 {

inline constexpr u32 kDirectBlocks = 12;
inline constexpr u32 kIndirectSlot = 12;
inline constexpr u32 kDoubleIndirectSlot = 13;
inline constexpr u32 kTripleIndirectSlot = 14;
inline constexpr u32 kBlockSlots = 15;

struct BlockPath {
    u32 depth = 0;     // indirect levels: 0 direct, 1 single, 2 double, 3 triple
    u32 slot = 0;      // the i_block entry: the logical block itself if direct, else 12, 13 or 14
    u32 index[3] = {};  // index[0..depth-1]: the entry to follow in each indirect block, top level first
};

// The path to logical block `logical` of a file with `block_size`-byte
// blocks (a power of two, 1024..65536: VERIFY). Error::OutOfRange with
// FileBlockOutOfRange beyond the triple-indirect reach.
Result<BlockPath> block_path(u32 block_size, u64 logical, Ext2Fault* fault = nullptr);

// Logical blocks the map can address: 12 + p + p^2 + p^3 (p = block_size / 4).
u64 addressable_blocks(u32 block_size);
// The largest file size the map can describe: addressable_blocks x block_size.
u64 addressable_size(u32 block_size);
// Indirect blocks (at every level) a file needs when its first `data_blocks`
// logical blocks are all allocated: what i_blocks counts besides the data.
// VERIFYs data_blocks <= addressable_blocks(block_size).
u64 indirect_blocks_for(u32 block_size, u64 data_blocks);
// The largest size a file may grow to: the biggest whole number of blocks
// that, stored densely with its indirect blocks, keeps the 32-bit i_blocks
// count of 512-byte sectors from overflowing (the limit Linux's ext2 sets
// without huge_file); never above addressable_size().
u64 max_file_size(u32 block_size);

}  // namespace mote::fs::ext2
