#include "mm/frame_cache.hpp"

namespace mote {

namespace {
constexpr const char* kClassNames[FrameCache::kClassCount] = {"frame-128", "frame-256", "frame-512", "frame-1k",
                                                               "frame-2k"};
// Frames hold u64s and pointers; clang asks for no more than this.
constexpr usize kFrameAlign = 16;
}  // namespace

FrameCache::FrameCache(PageAllocator& pages) {
    for (usize i = 0; i < kClassCount; ++i)
        new (m_storage[i]) SlabCache(kClassNames[i], kClassSizes[i], kFrameAlign, pages);
}

FrameCache::~FrameCache() {
    for (usize i = 0; i < kClassCount; ++i) cache(i).~SlabCache();
}

usize FrameCache::class_of(usize size) {
    for (usize i = 0; i < kClassCount; ++i)
        if (size <= kClassSizes[i]) return i;
    return kClassCount;
}

void* FrameCache::allocate_frame(usize size) {
    if (size > m_largest) m_largest = size;
    usize index = class_of(size);
    if (index == kClassCount) {
        ++m_oversized;
        ++m_failures;
        return nullptr;
    }
    auto frame = cache(index).allocate();
    if (frame.is_error()) {
        ++m_failures;
        return nullptr;
    }
    return frame.value();
}

void FrameCache::free_frame(void* frame, usize size) {
    usize index = class_of(size);
    VERIFY_MSG(index < kClassCount, "freeing a frame no class could have held");
    cache(index).free(frame);
}

FrameCacheStats FrameCache::stats() const {
    FrameCacheStats stats;
    for (usize i = 0; i < kClassCount; ++i) {
        stats.in_use += cache(i).objects_in_use();
        stats.allocations += cache(i).allocations();
    }
    stats.failures = m_failures;
    stats.oversized = m_oversized;
    stats.largest = m_largest;
    return stats;
}

}  // namespace mote
