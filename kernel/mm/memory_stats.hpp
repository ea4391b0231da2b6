// The text of the `mem` command: page allocator counters, regions and slab
// caches, formatted into caller buffers. Nothing here allocates; each line
// is built in a bounded buffer and handed to the caller's sink.
#pragma once

#include "base/format.hpp"
#include "mm/page_allocator.hpp"
#include "mm/slab_cache.hpp"

namespace mote {

// "pages: 32512 total, 30000 free (117 MiB), 64 for page records"
void format_page_summary(FormatBuffer& out, const PageAllocatorStats& stats);
// "held by: kernel 12, slab 4, dma 130, page tables 0, processes 300 (pages)"
// (processes: every other owner). Walks the blocks: O(blocks), for `mem`.
void format_page_owners(FormatBuffer& out, const PageAllocator& pages);
// "calls: 120 allocations, 100 frees, 2 failures"
void format_page_calls(FormatBuffer& out, const PageAllocatorStats& stats);
// "free blocks by order: 0:1 1:0 2:3 ... 10:29"
void format_free_blocks(FormatBuffer& out, const PageAllocatorStats& stats);
// "task  size 96 align 8: 12 in use, 2 slabs (order 0, 40 per slab), 0 failures"
void format_slab_cache(FormatBuffer& out, const SlabCache& cache);

// The whole report, one line per call of `sink`: the page summary, owners,
// calls, free blocks, each region, then each registered slab cache.
using MemoryLineSink = void (*)(StringView line, void* context);
void write_memory_report(const PageAllocator& pages, MemoryLineSink sink, void* context);

}  // namespace mote
