#include "mm/page_allocator.hpp"

#include "base/memory.hpp"

namespace mote {

// The page map: one state byte per managed page frame.
//
// It is the only record of which blocks exist. Only the first page of a
// block (its head) carries the block's state; every other page reads
// Interior. That keeps splitting and merging O(1) per step (only heads are
// rewritten) and still lets free() reject any address that is not the head
// of an allocated block of exactly that order.
//
// Where it lives: initialize() sizes it as one byte per page of all regions,
// rounds that up to whole pages and takes those pages from the start of the
// largest region, so the map costs 1/4096 of RAM and needs no memory of its
// own before the allocator exists. Each region then owns a consecutive slice
// of it, so a hole between regions costs nothing.
namespace {

constexpr u8 kInterior = 0x00;       // inside a block (free or allocated)
constexpr u8 kFreeHead = 0x40;       // | order: first page of a free block
constexpr u8 kAllocatedHead = 0x80;  // | order: first page of an allocated block
constexpr u8 kOrderMask = 0x1f;
static_assert(kMaxPageOrder <= kOrderMask);

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
    // Sized before the carve-out shrinks the largest region, so the map may
    // have a few bytes to spare; that is simpler than solving for the
    // fixpoint and costs at most one page.
    u64 map_pages = (all_pages + kPageSize - 1) / kPageSize;
    if (m_regions[largest].page_count <= map_pages) {
        m_region_count = 0;
        return Error::NoMemory;
    }

    // Perform.
    m_map = DirectMap(direct_map_offset);
    Region& host = m_regions[largest];
    auto* map = static_cast<u8*>(to_virtual(host.first_pfn << kPageShift));
    host.first_pfn += map_pages;
    host.page_count -= map_pages;
    m_metadata_pages = map_pages;

    for (usize i = 0; i < m_region_count; ++i) {
        Region& region = m_regions[i];
        region.page_map = map;
        map += region.page_count;
        mem_set(region.page_map, kInterior, region.page_count);
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
    state_of(*region, pfn) = u8(kAllocatedHead | order);
    return pfn;
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
    state_of(region, pfn) = kInterior;
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
    u8 state = state_of(*region, pfn);
    VERIFY_FREE((state & kFreeHead) == 0, "page free: double free");
    VERIFY_FREE((state & kAllocatedHead) != 0, "page free: double free, or an address inside a block");
    VERIFY_FREE((state & kOrderMask) == order, "page free: order differs from the allocation");
}

Result<PhysAddr> PageAllocator::allocate(u32 order) {
    if (order > kMaxPageOrder) return Error::InvalidArgument;
    Result<u64> pfn = take_block(order);
    if (pfn.is_error()) {
        ++m_failures;
        return pfn.error();
    }
    ++m_allocations;
    return pfn.value() << kPageShift;
}

void PageAllocator::free(PhysAddr phys, u32 order) {
    Region* region = nullptr;
    verify_allocated(region, phys, order);
    release_block(*region, phys >> kPageShift, order);
    ++m_frees;
}

Result<PhysAddr> PageAllocator::allocate_pages(usize count) {
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
            state_of(region, cursor) = u8(kAllocatedHead | k);
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
    return region->page_map[pfn - region->first_pfn] == (kAllocatedHead | order);
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
