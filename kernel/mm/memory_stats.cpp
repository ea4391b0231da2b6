#include "mm/memory_stats.hpp"

namespace mote {

void format_page_summary(FormatBuffer& out, const PageAllocatorStats& stats) {
    format_append(out, "pages: {} total, {} free ({} MiB), {} for page records", stats.total_pages,
                  stats.free_pages, (stats.free_pages * kPageSize) >> 20, stats.metadata_pages);
}

void format_page_owners(FormatBuffer& out, const PageAllocator& pages) {
    u64 kernel = pages.owned_pages(kOwnerKernel);
    u64 slab = pages.owned_pages(kOwnerSlab);
    u64 dma = pages.owned_pages(kOwnerDma);
    u64 tables = pages.owned_pages(kOwnerPageTable);
    u64 in_use = pages.total_pages() - pages.free_pages();
    u64 named = kernel + slab + dma + tables;
    u64 others = in_use >= named ? in_use - named : 0;
    format_append(out, "held by: kernel {}, slab {}, dma {}, page tables {}, processes {} (pages)", kernel, slab,
                  dma, tables, others);
}

void format_page_calls(FormatBuffer& out, const PageAllocatorStats& stats) {
    format_append(out, "calls: {} allocations, {} frees, {} failures", stats.allocations, stats.frees,
                  stats.failures);
}

void format_free_blocks(FormatBuffer& out, const PageAllocatorStats& stats) {
    format_append(out, "free blocks by order:");
    for (u32 order = 0; order < kPageOrderCount; ++order) format_append(out, " {}:{}", order, stats.free_blocks[order]);
}

void format_slab_cache(FormatBuffer& out, const SlabCache& cache) {
    format_append(out, "{:<12} size {} align {}: {} in use, {} slabs (order {}, {} per slab), {} failures",
                  cache.name(), cache.object_size(), cache.alignment(), cache.objects_in_use(),
                  cache.slab_count(), cache.slab_order(), cache.objects_per_slab(), cache.failures());
}

void write_memory_report(const PageAllocator& pages, MemoryLineSink sink, void* context) {
    PageAllocatorStats stats = pages.stats();
    // One bounded line at a time: the sink (sys/memory's text) copies it
    // out before the next is built. A line that does not fit is truncated.
    char buffer[160];
    auto line_of = [&](auto&& format) {
        FormatBuffer out{Span<char>(buffer, sizeof(buffer))};
        format(out);
        sink(out.view(), context);
    };
    line_of([&](FormatBuffer& out) { format_page_summary(out, stats); });
    line_of([&](FormatBuffer& out) { format_page_owners(out, pages); });
    line_of([&](FormatBuffer& out) { format_page_calls(out, stats); });
    line_of([&](FormatBuffer& out) { format_free_blocks(out, stats); });
    for (usize i = 0; i < pages.region_count(); ++i) {
        PhysRange r = pages.region(i);
        line_of([&](FormatBuffer& out) {
            format_append(out, "region {}: {:#x}..{:#x} ({} pages)", i, r.base, r.base + r.size, r.size / kPageSize);
        });
    }
    line_of([&](FormatBuffer& out) { format_append(out, "slab caches: {}", SlabCache::cache_count()); });
    SlabCache::for_each_cache([&](const SlabCache& cache) {
        line_of([&](FormatBuffer& out) {
            out.append("  ");
            format_slab_cache(out, cache);
        });
    });
}

}  // namespace mote
