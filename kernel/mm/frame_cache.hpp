// FrameCache: coroutine frames (core/task.hpp) from slab caches, one per
// size class, so a filesystem operation's state costs one O(1) allocation
// and nothing ever comes from a general-purpose heap.
//
// Frame sizes are fixed by the compiler per coroutine function (its locals
// that live across a co_await, plus the promise), typically 100-600 bytes;
// the classes below cover them with at most 2x waste. A frame larger than
// the largest class is refused (counted in `oversized`): that is a
// coroutine keeping a big buffer in its frame, which should come from the
// page allocator instead.
//
// Each class keeps a short stack of frames freed last (a magazine, as in
// Bonwick's slab allocator) and hands them out again first. A filesystem
// call makes and frees several frames per block it touches, and the slab's
// own path checks every free (page lookup, bitmap) to catch wild frees:
// worth it for objects code frees by hand, not for frames only
// compiler-generated code frees, one size each. The magazine holds at most
// kMagazine frames per class; the rest go back to the slab as before.
// trim() empties the magazines into the slabs: the memory report does, so
// the pages it counts are what the live frames and the slabs alone hold,
// and memory before and after a workload compares equal.
#pragma once

#include "core/frame_source.hpp"
#include "mm/slab_cache.hpp"

namespace mote {

struct FrameCacheStats {
    u64 in_use = 0;
    u64 cached = 0;  // freed frames waiting in the magazines
    u64 allocations = 0;
    u64 failures = 0;   // out of memory, or oversized
    u64 oversized = 0;
    u64 largest = 0;    // the largest frame ever asked for, in bytes
};

class FrameCache final : public FrameSource {
public:
    static constexpr usize kClassCount = 5;
    static constexpr usize kClassSizes[kClassCount] = {128, 256, 512, 1024, 2048};
    static constexpr usize kMagazine = 16;

    explicit FrameCache(PageAllocator& pages);
    FrameCache(const FrameCache&) = delete;
    FrameCache& operator=(const FrameCache&) = delete;
    // Every frame must have been freed (the slab caches VERIFY it, once
    // the magazines are emptied back into them).
    ~FrameCache();

    void* allocate_frame(usize size) override;
    void free_frame(void* frame, usize size) override;
    void trim() override;

    FrameCacheStats stats() const;

private:
    static usize class_of(usize size);

    // The slab caches, built in place (SlabCache is neither copyable nor
    // default-constructible).
    alignas(SlabCache) u8 m_storage[kClassCount][sizeof(SlabCache)];
    SlabCache& cache(usize index) { return *reinterpret_cast<SlabCache*>(m_storage[index]); }
    const SlabCache& cache(usize index) const { return *reinterpret_cast<const SlabCache*>(m_storage[index]); }

    struct Magazine {
        void* frames[kMagazine];
        usize count = 0;
    };
    Magazine m_magazines[kClassCount];
    u64 m_allocations = 0;
    u64 m_failures = 0;
    u64 m_oversized = 0;
    u64 m_largest = 0;
};

}  // namespace mote
