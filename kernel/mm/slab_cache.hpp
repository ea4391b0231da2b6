// SlabCache: fixed-size kernel objects carved from page-allocator blocks.
//
// A slab is one buddy block (2^slab_order pages). Its first bytes hold the
// slab header: list node, owner, a bitmap of objects in use; the objects
// follow at a fixed stride. Free objects are chained through their own
// first word, so allocate() and free() are O(1) and never allocate.
//
// free(ptr) finds its slab by rounding the pointer's *physical* address down
// to the slab size (buddy blocks are aligned to their size), then checks,
// before trusting a byte of that header, that the page allocator has an
// allocated block of this cache's slab order there; then that the header
// names this cache, that ptr is the start of an object, and that the object
// is in use. Anything else is a VERIFY: a pointer that is not from this
// cache, or a double free.
//
// Slabs sit on one of three lists: partial (some objects free), full, and
// empty. At most kKeepEmptySlabs empty slabs are kept to absorb alloc/free
// churn at a slab boundary; further empty slabs go back to the page
// allocator at once.
//
// Every cache registers itself in a global intrusive list for the `mem`
// command (for_each_cache). Not synchronised: kernel loop only.
#pragma once

#include "base/bitmap.hpp"
#include "base/list.hpp"
#include "base/result.hpp"
#include "base/span.hpp"
#include "mm/page_allocator.hpp"

namespace mote {

class SlabCache {
public:
    static constexpr u32 kMaxSlabOrder = 4;        // slabs of at most 64 KiB
    static constexpr usize kMinObjectsPerSlab = 8;  // grow the slab until this many fit
    static constexpr usize kKeepEmptySlabs = 1;

    // `name` must outlive the cache (a string literal, typically).
    // `align` is a power of two up to kPageSize; objects are at least 8-byte
    // aligned regardless, since a free object holds a pointer. An object too
    // large for even a kMaxSlabOrder slab is a VERIFY: use the page
    // allocator for those.
    SlabCache(StringView name, usize object_size, usize align, PageAllocator& pages);
    SlabCache(const SlabCache&) = delete;
    SlabCache& operator=(const SlabCache&) = delete;
    // Returns every slab to the page allocator. Destroying a cache with
    // objects still in use is a VERIFY: they would dangle into freed pages.
    ~SlabCache();

    // An uninitialised object, aligned as asked. NoMemory (and a counted
    // failure) when a new slab was needed and the page allocator had none.
    Result<void*> allocate();
    void free(void* object);

    StringView name() const { return m_name; }
    usize object_size() const { return m_object_size; }
    usize alignment() const { return m_align; }
    usize stride() const { return m_stride; }
    u32 slab_order() const { return m_slab_order; }
    usize objects_per_slab() const { return m_capacity; }

    u64 objects_in_use() const { return m_in_use; }
    u64 slab_count() const { return m_partial.size() + m_full.size() + m_empty.size(); }
    u64 empty_slab_count() const { return m_empty.size(); }
    u64 allocations() const { return m_allocations; }
    u64 frees() const { return m_frees; }
    u64 failures() const { return m_failures; }

    // Calls fn(const SlabCache&) for every live cache, oldest first.
    template <typename Fn>
    static void for_each_cache(Fn&& fn) {
        for (SlabCache& cache : registry()) fn(static_cast<const SlabCache&>(cache));
    }
    static usize cache_count() { return registry().size(); }

private:
    struct FreeObject {
        FreeObject* next;
    };
    // The header at the start of every slab. The in-use bitmap (one bit per
    // object) follows it directly; the objects start at m_objects_offset.
    struct Slab {
        ListNode node;            // on m_partial, m_full or m_empty
        SlabCache* cache;
        u64 magic;                // kSlabMagic while the block is a slab
        FreeObject* free_head;
        u32 in_use;
        u32 reserved;
    };
    static_assert(sizeof(Slab) % sizeof(u64) == 0, "the bitmap follows the header");
    using SlabList = IntrusiveList<Slab, &Slab::node>;

    Result<Slab*> grow();
    void release(Slab& slab);
    BitmapView in_use_map(Slab& slab) const;
    u8* objects_of(Slab& slab) const { return reinterpret_cast<u8*>(&slab) + m_objects_offset; }
    usize layout_capacity(usize slab_bytes, usize& objects_offset) const;

    StringView m_name;
    PageAllocator& m_pages;
    usize m_object_size;
    usize m_align;
    usize m_stride;
    usize m_capacity = 0;        // objects per slab
    usize m_objects_offset = 0;  // from the slab start to the first object
    u32 m_slab_order = 0;

    SlabList m_partial;
    SlabList m_full;
    SlabList m_empty;

    u64 m_in_use = 0;
    u64 m_allocations = 0;
    u64 m_frees = 0;
    u64 m_failures = 0;

    ListNode m_registry_node;
    using Registry = IntrusiveList<SlabCache, &SlabCache::m_registry_node>;
    static Registry& registry();
};

}  // namespace mote
