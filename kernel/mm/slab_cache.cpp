#include "mm/slab_cache.hpp"

namespace mote {

namespace {

// Marks a block as a live slab header. Cleared when the slab goes back to
// the page allocator, so a stale pointer into a recycled block fails the
// header check instead of corrupting whatever the block became.
constexpr u64 kSlabMagic = 0x4d4f54455f534c42;  // "MOTE_SLB"

}  // namespace

// A bad free is reported with the pointer that caused it in the breadcrumb
// trail, since the VERIFY message alone cannot carry a number.
#define VERIFY_SLAB_FREE(cond, why)                                   \
    do {                                                              \
        if (!(cond)) [[unlikely]] {                                   \
            BREADCRUMB("bad slab free at", reinterpret_cast<uptr>(object)); \
            VERIFY_MSG(cond, why);                                    \
        }                                                             \
    } while (0)

SlabCache::Registry& SlabCache::registry() {
    // Built on first use and never destroyed: a cache may be a global whose
    // constructor runs before this file's static initialisers, or whose
    // destructor runs after them at hosted exit. The list outlives both.
    alignas(Registry) static u8 storage[sizeof(Registry)];
    static Registry* list = new (storage) Registry();
    return *list;
}

SlabCache::SlabCache(StringView name, usize object_size, usize align, PageAllocator& pages)
    : m_name(name), m_pages(pages), m_object_size(object_size), m_align(max(align, alignof(FreeObject))) {
    VERIFY_MSG(object_size > 0, "slab cache of zero-sized objects");
    // Slabs are aligned in physical memory, and the direct-map offset is
    // only guaranteed page-aligned, so only alignments up to a page carry
    // over to the pointers handed out.
    VERIFY_MSG(align != 0 && (align & (align - 1)) == 0 && align <= kPageSize,
               "slab alignment must be a power of two, at most a page");
    VERIFY_MSG(object_size <= (kPageSize << kMaxSlabOrder), "object too large for a slab cache");
    m_stride = (max(object_size, sizeof(FreeObject)) + m_align - 1) & ~(m_align - 1);

    // The smallest slab that holds kMinObjectsPerSlab objects keeps both the
    // per-slab waste and the pressure on large page blocks low; an object
    // too big for that gets the largest slab instead.
    for (u32 order = 0; order <= kMaxSlabOrder; ++order) {
        usize offset = 0;
        usize capacity = layout_capacity(usize(kPageSize) << order, offset);
        if (capacity > 0) {
            m_slab_order = order;
            m_capacity = capacity;
            m_objects_offset = offset;
        }
        if (capacity >= kMinObjectsPerSlab) break;
    }
    VERIFY_MSG(m_capacity > 0, "object too large for a slab cache");
    registry().push_back(*this);
}

SlabCache::~SlabCache() {
    VERIFY_MSG(m_in_use == 0, "slab cache destroyed with objects in use");
    while (Slab* slab = m_empty.pop_front()) release(*slab);
    registry().remove(*this);
}

// How many objects fit a slab of `slab_bytes` once the header and the
// bitmap (whose size depends on the count) are in front of them.
usize SlabCache::layout_capacity(usize slab_bytes, usize& objects_offset) const {
    usize capacity = (slab_bytes - sizeof(Slab)) / m_stride;
    for (; capacity > 0; --capacity) {
        usize header = sizeof(Slab) + BitmapView::words_for(capacity) * sizeof(u64);
        usize offset = (header + m_align - 1) & ~(m_align - 1);
        if (offset + capacity * m_stride <= slab_bytes) {
            objects_offset = offset;
            return capacity;
        }
    }
    return 0;
}

BitmapView SlabCache::in_use_map(Slab& slab) const {
    return BitmapView(reinterpret_cast<u64*>(&slab + 1), m_capacity);
}

Result<SlabCache::Slab*> SlabCache::grow() {
    PhysAddr block = TRY(m_pages.allocate(m_slab_order, kOwnerSlab));
    auto* slab = new (m_pages.to_virtual(block)) Slab();
    slab->cache = this;
    slab->magic = kSlabMagic;
    slab->in_use = 0;
    in_use_map(*slab).fill(false);
    // Chained in address order, so a fresh slab hands out ascending
    // addresses (friendlier to caches and easier to read in a dump).
    FreeObject* head = nullptr;
    for (usize i = m_capacity; i-- > 0;) {
        auto* object = reinterpret_cast<FreeObject*>(objects_of(*slab) + i * m_stride);
        object->next = head;
        head = object;
    }
    slab->free_head = head;
    return slab;
}

void SlabCache::release(Slab& slab) {
    VERIFY(!slab.node.is_linked() && slab.in_use == 0);
    slab.magic = 0;
    m_pages.free(m_pages.to_physical(&slab), m_slab_order);
}

Result<void*> SlabCache::allocate() {
    Slab* slab = m_partial.front();
    if (!slab) {
        slab = m_empty.pop_front();
        if (!slab) {
            Result<Slab*> grown = grow();
            if (grown.is_error()) {
                ++m_failures;
                return grown.error();
            }
            slab = grown.value();
        }
        m_partial.push_front(*slab);
    }

    // The chain runs through freed objects, so a write after free lands
    // here. Check the link before following it rather than hand out a wild
    // pointer later. (Integer arithmetic: the link may point anywhere.)
    FreeObject* object = slab->free_head;
    uptr delta = reinterpret_cast<uptr>(object) - reinterpret_cast<uptr>(objects_of(*slab));
    usize index = delta / m_stride;
    VERIFY_MSG(object && delta % m_stride == 0 && index < m_capacity, "slab free list corrupted (write after free?)");
    BitmapView used = in_use_map(*slab);
    VERIFY_MSG(!used.get(index), "slab free list corrupted (object on the list is in use)");
    slab->free_head = object->next;
    used.set(index);

    ++slab->in_use;
    ++m_in_use;
    ++m_allocations;
    if (slab->in_use == m_capacity) {
        m_partial.remove(*slab);
        m_full.push_back(*slab);
    }
    return static_cast<void*>(object);
}

void SlabCache::free(void* object) {
    VERIFY_SLAB_FREE(object != nullptr, "slab free: null pointer");
    // Validate, then act: establish that the pointer really is a live
    // object of this cache before touching any list.
    PhysAddr phys = m_pages.to_physical(object);
    PhysAddr slab_phys = align_down(phys, kPageSize << m_slab_order);
    VERIFY_SLAB_FREE(m_pages.is_allocated_block(slab_phys, m_slab_order), "slab free: pointer not from this cache");
    auto* slab = static_cast<Slab*>(m_pages.to_virtual(slab_phys));
    VERIFY_SLAB_FREE(slab->magic == kSlabMagic && slab->cache == this, "slab free: pointer not from this cache");
    u64 offset = phys - slab_phys;
    VERIFY_SLAB_FREE(offset >= m_objects_offset && (offset - m_objects_offset) % m_stride == 0,
                     "slab free: pointer not at the start of an object");
    usize index = usize(offset - m_objects_offset) / m_stride;
    VERIFY_SLAB_FREE(index < m_capacity, "slab free: pointer not at the start of an object");
    BitmapView used = in_use_map(*slab);
    VERIFY_SLAB_FREE(used.get(index), "slab free: double free");

    used.clear(index);
    auto* node = static_cast<FreeObject*>(object);
    node->next = slab->free_head;
    slab->free_head = node;
    bool was_full = slab->in_use == m_capacity;
    --slab->in_use;
    --m_in_use;
    ++m_frees;

    if (was_full) {
        m_full.remove(*slab);
        m_partial.push_front(*slab);
    }
    if (slab->in_use == 0) {
        m_partial.remove(*slab);
        if (m_empty.size() < kKeepEmptySlabs) m_empty.push_back(*slab);
        else release(*slab);
    }
}

}  // namespace mote
