#include "fs/ext2/block_map.hpp"

#include "base/verify.hpp"

namespace mote::fs::ext2 {

namespace {

u64 pointers_per_block(u32 block_size) {
    VERIFY(block_size >= 1024 && block_size <= 65536 && (block_size & (block_size - 1)) == 0);
    return block_size / 4;
}

u64 ceil_div(u64 a, u64 b) { return (a + b - 1) / b; }

}  // namespace

Result<BlockPath> block_path(u32 block_size, u64 logical, Ext2Fault* fault) {
    if (fault) *fault = Ext2Fault::None;
    const u64 p = pointers_per_block(block_size);
    BlockPath path;
    if (logical < kDirectBlocks) {
        path.slot = u32(logical);
        return path;
    }
    u64 rest = logical - kDirectBlocks;
    if (rest < p) {
        path.depth = 1;
        path.slot = kIndirectSlot;
        path.index[0] = u32(rest);
        return path;
    }
    rest -= p;
    if (rest < p * p) {
        path.depth = 2;
        path.slot = kDoubleIndirectSlot;
        path.index[0] = u32(rest / p);
        path.index[1] = u32(rest % p);
        return path;
    }
    rest -= p * p;
    if (rest < p * p * p) {
        path.depth = 3;
        path.slot = kTripleIndirectSlot;
        path.index[0] = u32(rest / (p * p));
        path.index[1] = u32(rest / p % p);
        path.index[2] = u32(rest % p);
        return path;
    }
    if (fault) *fault = Ext2Fault::FileBlockOutOfRange;
    return Error::OutOfRange;
}

u64 addressable_blocks(u32 block_size) {
    const u64 p = pointers_per_block(block_size);
    return kDirectBlocks + p + p * p + p * p * p;
}

u64 addressable_size(u32 block_size) { return addressable_blocks(block_size) * block_size; }

u64 indirect_blocks_for(u32 block_size, u64 data_blocks) {
    const u64 p = pointers_per_block(block_size);
    VERIFY(data_blocks <= addressable_blocks(block_size));
    if (data_blocks <= kDirectBlocks) return 0;
    u64 rest = data_blocks - kDirectBlocks;
    // Single indirect: one block for up to p data blocks.
    u64 indirect = 1;
    if (rest <= p) return indirect;
    rest -= p;
    // Double: the top block and one second-level block per p data blocks.
    const u64 in_double = min(rest, p * p);
    indirect += 1 + ceil_div(in_double, p);
    rest -= in_double;
    if (rest == 0) return indirect;
    // Triple: the top block, one per p^2 data blocks, one per p.
    indirect += 1 + ceil_div(rest, p * p) + ceil_div(rest, p);
    return indirect;
}

u64 max_file_size(u32 block_size) {
    const u64 sectors_per_block = block_size / 512;
    const u64 sector_limit = (u64(1) << 32) - 1;
    // The total (data + indirect) grows with the data, so the largest
    // fitting data-block count is found by bisection.
    u64 low = 0;  // fits
    u64 high = addressable_blocks(block_size) + 1;  // does not fit (or beyond the map)
    while (high - low > 1) {
        const u64 mid = low + (high - low) / 2;
        if ((mid + indirect_blocks_for(block_size, mid)) * sectors_per_block <= sector_limit) low = mid;
        else high = mid;
    }
    return low * block_size;
}

}  // namespace mote::fs::ext2
