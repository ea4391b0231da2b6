#include "mm/page_allocator.hpp"

#include "base/memory.hpp"

namespace mote {

// The page records: one PageFrame per managed page frame.
//
// Their state bytes are the only record of which blocks exist. Only the
// first page of a block (its head) carries the block's state, count and
// owner; every other page reads Interior and zero (page_frame.hpp says why).
//
// Where they live: initialize() sizes the array as one record per page of
// all regions, rounds that up to whole pages and takes those pages from the
// start of the largest region, so the records cost 1/512 of RAM and need no
// memory of their own before the allocator exists. Each region then owns a
// consecutive slice of the array, so a hole between regions costs nothing.
namespace {

constexpr u8 kInterior = PageFrame::kInterior;
constexpr u8 kFreeHead = PageFrame::kFreeHead;
constexpr u8 kAllocatedHead = PageFrame::kAllocatedHead;
constexpr u8 kOrderMask = PageFrame::kOrderMask;
static_assert(kMaxPageOrder <= kOrderMask);
// initialize() zero-fills the array: zero must read as an interior page with
// no references and no owner.
static_assert(kInterior == 0 && kOwnerKernel == 0);

constexpr u64 pages_in(u32 order) { return u64(1) << order; }

// Smallest order whose block holds `count` pages.
u32 order_for(u64 count) {
    u32 order = 0;
    while (pages_in(order) < count) ++order;
    return order;
}

// Cuts [first, end) into the largest blocks that are aligned to their own
// size: the only shapes the buddy system can hold. For a fully free region
// this is also the unique state that coalescing converges to, which is why
// "everything freed" can be compared against the boot state exactly.
//
// The largest such block that starts at `pfn` (< end).
u32 aligned_order_at(u64 pfn, u64 end) {
    u32 order = kMaxPageOrder;
    while (order > 0 && ((pfn & (pages_in(order) - 1)) != 0 || end - pfn < pages_in(order))) --order;
    return order;
}

template <typename Fn>
void for_each_aligned_block(u64 first, u64 end, Fn&& fn) {
    u64 pfn = first;
    while (pfn < end) {
        u32 order = aligned_order_at(pfn, end);
        fn(pfn, order);
        pfn += pages_in(order);
    }
}

}  // namespace

// A bad free is reported with the address that caused it in the breadcrumb
// trail, since the VERIFY message alone cannot carry a number.
#define VERIFY_FREE(cond, why)                        \
    do {                                              \
        if (!(cond)) [[unlikely]] {                   \
            BREADCRUMB("bad page free at", phys);     \
            VERIFY_MSG(cond, why);                    \
        }                                             \
    } while (0)

bool same_free_state(const PageAllocatorStats& a, const PageAllocatorStats& b) {
    if (a.total_pages != b.total_pages || a.free_pages != b.free_pages) return false;
    for (u32 order = 0; order < kPageOrderCount; ++order)
        if (a.free_blocks[order] != b.free_blocks[order]) return false;
    return true;
}

PageAllocator::~PageAllocator() {
    // The free lists thread through managed memory; unlink them so the lists'
    // own "destroyed while linked" check holds. Only hosted tests ever get
    // here; the kernel's allocator lives as long as the kernel.
    for (FreeList& list : m_free)
        while (list.pop_front()) {
        }
}

Result<void> PageAllocator::initialize(Span<const PhysRange> ranges, u64 direct_map_offset) {
    if (m_initialized) return Error::BadState;
    if (direct_map_offset % kPageSize) return Error::InvalidArgument;

    // Decode: build the sorted region table. Nothing in managed memory is
    // touched until every check below has passed.
    m_region_count = 0;
    for (const PhysRange& range : ranges) {
        PhysRange pages = page_aligned_part(range);
        if (pages.empty()) continue;
        Result<void> added = add_region(pages.base >> kPageShift, pages.size >> kPageShift);
        if (added.is_error()) {
            m_region_count = 0;
            return added.error();
        }
    }
    if (m_region_count == 0) return Error::NoMemory;

    u64 all_pages = 0;
    usize largest = 0;
    for (usize i = 0; i < m_region_count; ++i) {
        all_pages += m_regions[i].page_count;
        if (m_regions[i].page_count > m_regions[largest].page_count) largest = i;
    }
    // Sized before the carve-out shrinks the largest region, so the array
    // may have a few records to spare; that is simpler than solving for the
    // fixpoint and costs at most one page. (all_pages < 2^52: no overflow.)
    u64 map_pages = (all_pages * sizeof(PageFrame) + kPageSize - 1) / kPageSize;
    if (m_regions[largest].page_count <= map_pages) {
        m_region_count = 0;
        return Error::NoMemory;
    }

    // Perform.
    m_map = DirectMap(direct_map_offset);
    Region& host = m_regions[largest];
    auto* frames = static_cast<PageFrame*>(to_virtual(host.first_pfn << kPageShift));
    host.first_pfn += map_pages;
    host.page_count -= map_pages;
    m_metadata_pages = map_pages;

    for (usize i = 0; i < m_region_count; ++i) {
        Region& region = m_regions[i];
        region.frames = frames;
        frames += region.page_count;
        // All zero is an interior page nobody holds (see the static_assert).
        mem_set(region.frames, 0, region.page_count * sizeof(PageFrame));
        m_total_pages += region.page_count;
    }
    // Every region starts wholly beyond its frontier: free, counted, and not
    // written to. Only the counters are computed here (about
    // kMaxPageOrder + pages / 1024 steps per region).
    for (usize i = 0; i < m_region_count; ++i) {
        Region& region = m_regions[i];
        region.frontier = region.first_pfn;
        for_each_aligned_block(region.first_pfn, region.end_pfn(), [&](u64, u32 order) {
            ++m_unseeded[order];
            m_free_pages += pages_in(order);
        });
    }
    m_initialized = true;
    return {};
}

// Inserts [first_pfn, first_pfn + page_count) into the sorted table, merged
// with a neighbour it touches, so one physical run is one region and buddies
// may span the seam between two boot ranges.
Result<void> PageAllocator::add_region(u64 first_pfn, u64 page_count) {
    u64 end_pfn = first_pfn + page_count;  // pfns are < 2^52: cannot wrap
    usize i = 0;
    while (i < m_region_count && m_regions[i].first_pfn < first_pfn) ++i;
    Region* prev = i > 0 ? &m_regions[i - 1] : nullptr;
    Region* next = i < m_region_count ? &m_regions[i] : nullptr;
    if ((prev && prev->end_pfn() > first_pfn) || (next && end_pfn > next->first_pfn)) return Error::Malformed;

    bool join_prev = prev && prev->end_pfn() == first_pfn;
    bool join_next = next && next->first_pfn == end_pfn;
    if (join_prev && join_next) {
        prev->page_count += page_count + next->page_count;
        for (usize j = i; j + 1 < m_region_count; ++j) m_regions[j] = m_regions[j + 1];
        --m_region_count;
    } else if (join_prev) {
        prev->page_count += page_count;
    } else if (join_next) {
        next->first_pfn = first_pfn;
        next->page_count += page_count;
    } else {
        if (m_region_count == kMaxRegions) return Error::Overflow;
        for (usize j = m_region_count; j > i; --j) m_regions[j] = m_regions[j - 1];
        m_regions[i] = Region {first_pfn, page_count, nullptr, first_pfn};
        ++m_region_count;
    }
    return {};
}

const PageAllocator::Region* PageAllocator::find_region(u64 pfn) const {
    usize low = 0;
    usize high = m_region_count;
    while (low < high) {
        usize mid = low + (high - low) / 2;
        if (m_regions[mid].end_pfn() <= pfn) low = mid + 1;
        else high = mid;
    }
    if (low < m_region_count && m_regions[low].contains(pfn)) return &m_regions[low];
    return nullptr;
}

PageAllocator::Region* PageAllocator::find_region(u64 pfn) {
    return const_cast<Region*>(static_cast<const PageAllocator*>(this)->find_region(pfn));
}

void PageAllocator::push_free(Region& region, u64 pfn, u32 order) {
    state_of(region, pfn) = u8(kFreeHead | order);
    // The block's previous contents are garbage to us: construct a fresh node.
    auto* block = new (to_virtual(pfn << kPageShift)) FreeBlock();
    m_free[order].push_front(*block);
    m_free_pages += pages_in(order);
}

// Removes the smallest free block of at least `order` pages and splits it
// down, putting the unused halves back on their lists.
// Blocks from the frontiers are used only when the lists hold none large
// enough, so memory that was never handed out stays untouched as long as
// possible.
Result<u64> PageAllocator::take_block(u32 order) {
    u32 found = order;
    while (found <= kMaxPageOrder && m_free[found].empty()) ++found;
    while (found > kMaxPageOrder) {
        // A seeded block smaller than `order` stays on its list for later
        // requests; keep seeding until one is large enough.
        u32 seeded = 0;
        if (!seed_from_frontier(seeded)) return Error::NoMemory;
        if (seeded >= order) found = seeded;
    }

    FreeBlock* block = m_free[found].pop_front();
    u64 pfn = to_physical(block) >> kPageShift;
    Region* region = find_region(pfn);
    // The list and the page map must agree; if not, someone wrote to a free
    // block (a use after free) and corrupted the list.
    VERIFY_MSG(region && state_of(*region, pfn) == (kFreeHead | found), "page free list corrupted");
    m_free_pages -= pages_in(found);

    while (found > order) {
        --found;
        push_free(*region, pfn + pages_in(found), found);
    }
    // The caller writes the head's record (mark_allocated) at once.
    return pfn;
}

void PageAllocator::mark_allocated(Region& region, u64 pfn, u32 order, PageOwner owner) {
    PageFrame& frame = frame_of(region, pfn);
    frame.m_state = u8(kAllocatedHead | order);
    frame.m_refs = 1;
    frame.m_owner = owner;
}

// Moves the lowest block beyond the first non-exhausted frontier onto its
// free list (writing its list node: the first write to that memory). Blocks
// are taken in address order, so what lies beyond a frontier is always the
// aligned cut of [frontier, end) that initialize() counted. A block seeded
// this way never has a free buddy of its own order: the aligned cut would
// have made the two one larger block. So merging (release_block) needs no
// knowledge of the frontier: pages beyond it read Interior and never merge.
bool PageAllocator::seed_from_frontier(u32& seeded_order) {
    for (usize i = 0; i < m_region_count; ++i) {
        Region& region = m_regions[i];
        if (region.frontier == region.end_pfn()) continue;
        u64 pfn = region.frontier;
        u32 order = aligned_order_at(pfn, region.end_pfn());
        region.frontier += pages_in(order);
        VERIFY(m_unseeded[order] > 0);
        --m_unseeded[order];
        m_free_pages -= pages_in(order);  // push_free counts it again
        push_free(region, pfn, order);
        seeded_order = order;
        return true;
    }
    return false;
}

// Frees a block whose head state the caller has already cleared or checked,
// merging it with its buddy for as long as the buddy is a whole free block of
// the same order inside the same region.
void PageAllocator::release_block(Region& region, u64 pfn, u32 order) {
    frame_of(region, pfn) = PageFrame();
    while (order < kMaxPageOrder) {
        u64 buddy = pfn ^ pages_in(order);
        if (!region.contains(buddy) || state_of(region, buddy) != (kFreeHead | order)) break;
        auto* block = static_cast<FreeBlock*>(to_virtual(buddy << kPageShift));
        m_free[order].remove(*block);
        m_free_pages -= pages_in(order);
        state_of(region, buddy) = kInterior;
        pfn = min(pfn, buddy);
        ++order;
    }
    push_free(region, pfn, order);
}

// Checks that `phys` is the head of an allocated block of exactly `order`;
// every way it can fail is a bug in the caller.
void PageAllocator::verify_allocated(Region*& region, PhysAddr phys, u32 order) {
    VERIFY_FREE(order <= kMaxPageOrder, "page free: order out of range");
    VERIFY_FREE(phys % kPageSize == 0, "page free: address not page-aligned");
    u64 pfn = phys >> kPageShift;
    region = find_region(pfn);
    VERIFY_FREE(region != nullptr, "page free: address not managed by this allocator");
    VERIFY_FREE((pfn & (pages_in(order) - 1)) == 0, "page free: address misaligned for its order");
    const PageFrame& frame = frame_of(*region, pfn);
    u8 state = frame.m_state;
    VERIFY_FREE((state & kFreeHead) == 0, "page free: double free");
    VERIFY_FREE((state & kAllocatedHead) != 0, "page free: double free, or an address inside a block");
    VERIFY_FREE((state & kOrderMask) == order, "page free: order differs from the allocation");
    // 1: the only holder frees it; 0: the last unref() said to. More means
    // someone else still maps or uses it.
    VERIFY_FREE(frame.m_refs <= 1, "page free: block still referenced");
}

// The record of the allocated block headed at `phys`, for ref/unref and
// set_owner; stops the kernel if there is none or its count is dead.
PageFrame& PageAllocator::verify_live_block(PhysAddr phys, const char* why) {
    Region* region = find_region(phys >> kPageShift);
    PageFrame* frame = region ? &frame_of(*region, phys >> kPageShift) : nullptr;
    bool live = phys % kPageSize == 0 && frame && frame->is_allocated() && frame->m_refs > 0;
    if (!live) [[unlikely]] {
        BREADCRUMB("bad page reference at", phys);
        VERIFY_MSG(live, why);
    }
    return *frame;
}

Result<PhysAddr> PageAllocator::allocate(u32 order, PageOwner owner) {
    if (order > kMaxPageOrder) return Error::InvalidArgument;
    Result<u64> pfn = take_block(order);
    if (pfn.is_error()) {
        ++m_failures;
        return pfn.error();
    }
    mark_allocated(*find_region(pfn.value()), pfn.value(), order, owner);
    ++m_allocations;
    return pfn.value() << kPageShift;
}

void PageAllocator::free(PhysAddr phys, u32 order) {
    Region* region = nullptr;
    verify_allocated(region, phys, order);
    release_block(*region, phys >> kPageShift, order);
    ++m_frees;
}

Result<PhysAddr> PageAllocator::allocate_pages(usize count, PageOwner owner) {
    if (count == 0 || count > pages_in(kMaxPageOrder)) return Error::InvalidArgument;
    u32 order = order_for(count);
    Result<u64> taken = take_block(order);
    if (taken.is_error()) {
        ++m_failures;
        return taken.error();
    }
    u64 pfn = taken.value();
    Region& region = *find_region(pfn);

    // Record the kept pages as one allocated block per set bit of `count`,
    // largest first: each piece starts aligned to its size because the block
    // does and the pieces before it are larger powers of two.
    u64 cursor = pfn;
    for (u32 k = order + 1; k-- > 0;) {
        if (count & pages_in(k)) {
            mark_allocated(region, cursor, k, owner);
            cursor += pages_in(k);
        }
    }
    for_each_aligned_block(cursor, pfn + pages_in(order),
                           [&](u64 tail, u32 tail_order) { release_block(region, tail, tail_order); });
    ++m_allocations;
    return pfn << kPageShift;
}

void PageAllocator::free_pages(PhysAddr phys, usize count) {
    VERIFY_FREE(count > 0 && count <= pages_in(kMaxPageOrder), "page free: bad page count");
    // Validate every piece before releasing any, so a bad call stops with
    // the allocator still consistent.
    Region* region = nullptr;
    PhysAddr piece = phys;
    for (u32 k = kMaxPageOrder + 1; k-- > 0;) {
        if (count & pages_in(k)) {
            verify_allocated(region, piece, k);
            piece += pages_in(k) << kPageShift;
        }
    }
    piece = phys;
    for (u32 k = kMaxPageOrder + 1; k-- > 0;) {
        if (count & pages_in(k)) {
            release_block(*find_region(piece >> kPageShift), piece >> kPageShift, k);
            piece += pages_in(k) << kPageShift;
        }
    }
    ++m_frees;
}

bool PageAllocator::is_allocated_block(PhysAddr phys, u32 order) const {
    if (order > kMaxPageOrder || phys % kPageSize) return false;
    u64 pfn = phys >> kPageShift;
    const Region* region = find_region(pfn);
    if (!region) return false;
    return frame_of(*region, pfn).m_state == (kAllocatedHead | order);
}

const PageFrame* PageAllocator::frame(PhysAddr phys) const {
    u64 pfn = phys >> kPageShift;
    const Region* region = find_region(pfn);
    return region ? &frame_of(*region, pfn) : nullptr;
}

PageFrame* PageAllocator::frame(PhysAddr phys) {
    return const_cast<PageFrame*>(static_cast<const PageAllocator*>(this)->frame(phys));
}

// Blocks are aligned to their size, so the block holding `pfn`, if any,
// starts at `pfn` rounded down to some order's alignment: try each, smallest
// first. Heads never overlap, so the first head whose block reaches `pfn` is
// the one. Pages beyond a frontier have no head and are free anyway.
Result<PhysAddr> PageAllocator::block_head(PhysAddr phys) const {
    u64 pfn = phys >> kPageShift;
    const Region* region = find_region(pfn);
    if (!region) return Error::NotFound;
    for (u32 k = 0; k <= kMaxPageOrder; ++k) {
        u64 head = pfn & ~(pages_in(k) - 1);
        if (!region->contains(head)) break;
        const PageFrame& f = frame_of(*region, head);
        if (!f.is_block_head() || head + pages_in(f.order()) <= pfn) continue;
        if (!f.is_allocated()) return Error::NotFound;
        return head << kPageShift;
    }
    return Error::NotFound;
}

Result<void> PageAllocator::ref(PhysAddr block) {
    PageFrame& frame = verify_live_block(block, "page ref: not a live allocated block");
    if (frame.m_refs == PageFrame::kMaxRefs) return Error::Overflow;
    ++frame.m_refs;
    return {};
}

bool PageAllocator::unref(PhysAddr block) {
    PageFrame& frame = verify_live_block(block, "page unref: not a live allocated block");
    return --frame.m_refs == 0;
}

void PageAllocator::set_owner(PhysAddr block, PageOwner owner) {
    verify_live_block(block, "page set_owner: not a live allocated block").m_owner = owner;
}

// Below a frontier every page belongs to exactly one block and each block
// has a head, so stepping from head to head visits every block once.
u64 PageAllocator::owned_pages(PageOwner owner) const {
    u64 pages = 0;
    for (usize i = 0; i < m_region_count; ++i) {
        const Region& region = m_regions[i];
        for (u64 pfn = region.first_pfn; pfn < region.frontier;) {
            const PageFrame& f = frame_of(region, pfn);
            VERIFY_MSG(f.is_block_head(), "page records corrupted: no head below the frontier");
            if (f.is_allocated() && f.m_owner == owner) pages += pages_in(f.order());
            pfn += pages_in(f.order());
        }
    }
    return pages;
}

u64 PageAllocator::free_blocks(u32 order) const {
    VERIFY(order <= kMaxPageOrder);
    return m_free[order].size() + m_unseeded[order];
}

PageAllocatorStats PageAllocator::stats() const {
    PageAllocatorStats s;
    s.total_pages = m_total_pages;
    s.free_pages = m_free_pages;
    s.metadata_pages = m_metadata_pages;
    for (u32 order = 0; order < kPageOrderCount; ++order) s.free_blocks[order] = free_blocks(order);
    s.allocations = m_allocations;
    s.frees = m_frees;
    s.failures = m_failures;
    return s;
}

PhysRange PageAllocator::region(usize index) const {
    VERIFY(index < m_region_count);
    return {m_regions[index].first_pfn << kPageShift, m_regions[index].page_count << kPageShift};
}

}  // namespace mote
