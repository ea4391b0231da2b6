// Searching and counting in an ext2 block or inode bitmap.
//
// A group's bitmap is one block; bit i (byte i / 8, bit i % 8, least
// significant first) is 1 when the group's block or inode i is in use. Only
// the first `bit_count` bits are real (blocks_per_group, inodes_per_group, or
// fewer in a short last group); mke2fs sets the bits past them, and these
// functions never look at them, so a caller's counts and searches stay
// within the group whatever those bits hold.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"
#include "fs/ext2/ext2_fault.hpp"

namespace mote::fs::ext2 {

// The first clear bit at or after `goal`, wrapping around to bit 0 (a goal
// at or beyond bit_count starts at 0): an allocator's "near this one".
// Error::NotFound with BitmapFull if all bit_count bits are set;
// InvalidArgument with BitmapTooSmall if the bitmap has fewer than
// bit_count bits.
Result<u32> find_clear_bit(ReadonlyBytes bitmap, u32 bit_count, u32 goal, Ext2Fault* fault = nullptr);

// Set bits among the first bit_count (VERIFYs the bitmap holds them):
// used blocks or inodes, for free-count checks.
u32 count_set_bits(ReadonlyBytes bitmap, u32 bit_count);

// Single bits (VERIFY the index is inside the bitmap).
inline bool test_bit(ReadonlyBytes bitmap, u32 bit) { return (bitmap[bit / 8] >> (bit % 8)) & 1; }
inline void set_bit(Bytes bitmap, u32 bit) { bitmap[bit / 8] = u8(bitmap[bit / 8] | (1u << (bit % 8))); }
inline void clear_bit(Bytes bitmap, u32 bit) { bitmap[bit / 8] = u8(bitmap[bit / 8] & ~(1u << (bit % 8))); }

}  // namespace mote::fs::ext2
