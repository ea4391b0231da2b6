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
    trim();
    for (usize i = 0; i < kClassCount; ++i) cache(i).~SlabCache();
}

void FrameCache::trim() {
    for (usize i = 0; i < kClassCount; ++i) {
        Magazine& magazine = m_magazines[i];
        while (magazine.count) cache(i).free(magazine.frames[--magazine.count]);
    }
}

// Classes double from 128 bytes: the class is the bit length of
// (size - 1) / 128.
usize FrameCache::class_of(usize size) {
    if (size <= kClassSizes[0]) return 0;
    if (size > kClassSizes[kClassCount - 1]) return kClassCount;
    return usize(64 - __builtin_clzll(u64(size - 1) >> 7));  // nonzero: size > 128
}

void* FrameCache::allocate_frame(usize size) {
    if (size > m_largest) m_largest = size;
    usize index = class_of(size);
    if (index == kClassCount) {
        ++m_oversized;
        ++m_failures;
        return nullptr;
    }
    ++m_allocations;
    Magazine& magazine = m_magazines[index];
    if (magazine.count) return magazine.frames[--magazine.count];
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
    Magazine& magazine = m_magazines[index];
    if (magazine.count < kMagazine) magazine.frames[magazine.count++] = frame;
    else cache(index).free(frame);
}

FrameCacheStats FrameCache::stats() const {
    FrameCacheStats stats;
    for (usize i = 0; i < kClassCount; ++i) {
        stats.in_use += cache(i).objects_in_use() - m_magazines[i].count;
        stats.cached += m_magazines[i].count;
    }
    stats.allocations = m_allocations;
    stats.failures = m_failures;
    stats.oversized = m_oversized;
    stats.largest = m_largest;
    return stats;
}

}  // namespace mote
