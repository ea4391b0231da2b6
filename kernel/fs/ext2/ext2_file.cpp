// File contents: reading (holes read as zeros, read-ahead on sequential
// reads), writing (holes filled, the file grown), and resizing.
#include "base/memory.hpp"
#include "fs/ext2/block_map.hpp"
#include "fs/ext2/ext2_fs.hpp"

namespace mote::fs::ext2 {

namespace {

alignas(16) const u8 kZeros[kMaxBlockSize] = {};

// How far a sequential reader gets ahead of itself; the next window
// starts when it is half used up.
constexpr u64 kReadAheadBytes = 256 * 1024;
// File blocks written per journal change: a large write is several
// changes, so one write never needs more of the log than this.
constexpr u64 kBlocksPerChange = 32;
// A remembered run's length is a u32; a window is far shorter anyway.
constexpr u32 kMaxRun = 1u << 20;

}  // namespace

// A sequential reader: map this read's blocks and the window after them,
// and start reading every physically contiguous stretch as one prefetch
// (the cache makes each a multi-block request). Best effort: a block that
// cannot be mapped is met (and reported) when it is read, not here.
Task<void> Ext2Fs::read_ahead(Ext2Node& node, u64 first, u64 last) {
    const Geometry& g = m_sb.geometry;
    const u64 file_blocks = (node.m_inode.size + g.block_size - 1) / g.block_size;
    const u64 window = kReadAheadBytes / g.block_size;
    if (node.m_ahead_end < first || node.m_ahead_end > last + 1 + window) node.m_ahead_end = first;
    if (node.m_ahead_end > last + window / 2) co_return {};  // the last window is not half used yet
    const u64 to = last + 1 + window < file_blocks ? last + 1 + window : file_blocks;
    u64 run_start = 0;
    u32 run_length = 0;
    u64 logical = node.m_ahead_end;
    auto flush = [&] {
        if (!run_length) return;
        m_cache.prefetch(run_start, run_length);
        node.remember_run(logical - run_length, u32(run_start), run_length);
    };
    while (logical < to) {
        u32 physical = 0;
        u32 n = map_cached(node, logical, u32(to - logical < 0xffffffffu ? to - logical : 0xffffffffu), physical);
        if (n == 0) {
            auto block = co_await map_block(node, logical, false);
            if (block.is_error()) break;
            physical = block.value();
            n = 1;
        }
        if (run_length && physical && physical == run_start + run_length && run_length + n <= kMaxRun) {
            run_length += n;
        } else {
            flush();
            run_start = physical;
            run_length = physical ? n : 0;  // a hole reads as zeros
        }
        logical += n;
    }
    flush();
    node.m_ahead_end = logical;
    co_return {};
}

Task<usize> Ext2Fs::read_file(Ext2Node& node, u64 offset, IoBuffer buffer) {
    const Geometry& g = m_sb.geometry;
    const u64 size = node.m_inode.size;
    if (offset >= size || buffer.size() == 0) co_return usize(0);
    const u64 length = buffer.size() < size - offset ? buffer.size() : size - offset;
    const u64 first = offset / g.block_size;
    const u64 last = (offset + length - 1) / g.block_size;

    if (first == node.m_last_read_block + 1 || first == node.m_last_read_block || first == 0)
        (void)co_await read_ahead(node, first, last);
    u64 done = 0;
    for (u64 logical = first; logical <= last; ++logical) {
        const u64 block_offset = logical == first ? offset % g.block_size : 0;
        const u64 chunk = g.block_size - block_offset < length - done ? g.block_size - block_offset : length - done;
        // The common case (read-ahead mapped it, and it is in the cache)
        // costs no coroutine call.
        u32 block = node.mapped(logical);
        if (!block) block = CO_TRY(co_await map_block(node, logical, false));
        if (block == 0) {
            CO_TRY(buffer.fill(done, ReadonlyBytes(kZeros, usize(chunk))));
        } else {
            BufferRef data = m_cache.peek(block);
            if (!data) data = CO_TRY(co_await m_cache.read(block));
            CO_TRY(buffer.fill(done, ReadonlyBytes(data.data() + block_offset, usize(chunk))));
        }
        done += chunk;
        node.m_last_read_block = logical;
    }
    co_return usize(done);
}

Task<usize> Ext2Fs::write_file(Ext2Node& node, u64 offset, IoBuffer data) {
    const Geometry& g = m_sb.geometry;
    if (data.size() == 0) co_return usize(0);
    const u64 limit = m_max_file_size;
    if (offset >= limit) co_return Error::Overflow;
    const u64 length = data.size() < limit - offset ? data.size() : limit - offset;
    if (offset + length > 0x7fffffffull && !g.large_file) co_return Error::Overflow;
    u64 done = 0;
    while (done < length) {
        CO_TRY(co_await begin_change(24, u32(kBlocksPerChange)));
        u64 blocks = 0;
        Result<void> step = Result<void> {};
        while (done < length && blocks < kBlocksPerChange) {
            const u64 position = offset + done;
            const u64 logical = position / g.block_size;
            const u64 block_offset = position % g.block_size;
            const u64 chunk = g.block_size - block_offset < length - done ? g.block_size - block_offset : length - done;
            bool fresh = false;
            auto mapped = co_await map_block(node, logical, true, &fresh);
            if (mapped.is_error()) {
                step = mapped.error();
                break;
            }
            const bool whole = chunk == g.block_size;
            auto got = (fresh || whole) ? co_await m_cache.get_zeroed(mapped.value()) : co_await m_cache.read(mapped.value());
            if (got.is_error()) {
                step = got.error();
                break;
            }
            BufferRef buffer = got.release_value();
            auto ready = co_await modify_data(buffer);
            if (ready.is_error()) {
                step = ready.error();
                break;
            }
            if (fresh && !whole) mem_set(buffer.data(), 0, g.block_size);
            auto taken = data.take(done, Span<u8>(buffer.data() + block_offset, usize(chunk)));
            dirty(buffer);
            if (taken.is_error()) {
                step = taken.error();
                break;
            }
            done += chunk;
            ++blocks;
        }
        // Whatever was written is recorded, even if a later block failed.
        if (offset + done > node.m_inode.size) node.m_inode.size = offset + done;
        node.m_inode.mtime = node.m_inode.ctime = now_seconds();
        CO_TRY(co_await write_inode(node));
        CO_TRY(co_await end_change());
        if (step.is_error()) {
            if (done == 0) co_return step.error();
            break;  // a short write: what was written stays
        }
    }
    co_return usize(done);
}

Task<void> Ext2Fs::resize(Ext2Node& node, u64 size) {
    const Geometry& g = m_sb.geometry;
    if (size > m_max_file_size) co_return Error::Overflow;
    if (size > 0x7fffffffull && !g.large_file) co_return Error::Overflow;
    const u64 old_size = node.m_inode.size;
    if (size < old_size) {
        // Zero the tail of the last kept block, so growing the file again
        // later reads zeros there, not the old bytes.
        if (size % g.block_size) {
            u32 block = CO_TRY(co_await map_block(node, size / g.block_size, false));
            if (block) {
                BufferRef buffer = CO_TRY(co_await m_cache.read(block));
                CO_TRY(co_await modify_data(buffer));
                mem_set(buffer.data() + size % g.block_size, 0, g.block_size - size % g.block_size);
                dirty(buffer);
            }
        }
        CO_TRY(co_await free_blocks_from(node, (size + g.block_size - 1) / g.block_size));
    }
    // Growing leaves a hole: the blocks are made when written.
    node.m_inode.size = size;
    node.m_inode.mtime = node.m_inode.ctime = now_seconds();
    CO_TRY(co_await write_inode(node));
    co_return Result<void> {};
}

}  // namespace mote::fs::ext2
