// PageAllocator: the buddy allocator of physical page frames.
//
// Memory is handed out in blocks of 2^order pages (order 0 .. kMaxPageOrder,
// 4 KiB .. 4 MiB). A block of order k always starts at a physical address
// that is a multiple of its own size, so its "buddy" (the other half of the
// order k+1 block it came from) is found by flipping one bit of the page
// frame number. Freeing a block merges it with its buddy while the buddy is
// free too, so memory returns to large blocks on its own.
//
// Promises:
// * No hidden allocation. The free lists are intrusive: a free block's own
//   first bytes hold its list node, reached through the direct map. The
//   per-page records (one 8-byte PageFrame per page frame: state, reference
//   count, owner; see page_frame.hpp) are carved out of the managed memory
//   itself at initialize().
// * initialize() writes nothing into the memory it hands out: only the
//   records. Each region starts as an untouched "frontier" that free lists are
//   seeded from one block at a time, when a request finds them empty. Why:
//   on a virtual machine the first write to a guest page makes the host
//   back it (on hosts with transparent huge pages, zero 2 MiB), so writing
//   a list node into every free block at boot cost tens of ms at 128 MiB and
//   seconds at 2 GiB. Counters include the untouched blocks, so stats() do
//   not depend on how far seeding has gone.
// * allocate() and free() are O(kMaxPageOrder + log regions): a walk up or
//   down the orders plus a binary search of the (at most kMaxRegions)
//   regions.
// * Exhaustion is Error::NoMemory and a counted failure, never a crash.
// * A bad free (double free, wrong order, misaligned, inside a block, an
//   address this allocator does not manage, or a block others still hold
//   references to) stops the kernel with a VERIFY: it means someone else's
//   memory is about to be corrupted. So does ref()/unref() of anything but
//   a live allocated block.
// * Not synchronised: called from the kernel loop only, never from an
//   interrupt handler (Mote's interrupt handlers only post to the loop).
//
// Ranges given to initialize() may be many, unsorted, non-contiguous and of
// any alignment; whole pages inside them are used, adjacent ones are merged.
// Overlapping ranges are rejected: they would hand out the same page twice.
#pragma once

#include "base/list.hpp"
#include "base/result.hpp"
#include "base/span.hpp"
#include "mm/page_frame.hpp"
#include "mm/phys_range.hpp"

namespace mote {

inline constexpr u32 kMaxPageOrder = 10;
inline constexpr u32 kPageOrderCount = kMaxPageOrder + 1;

// A snapshot of the counters, for the `mem` command and the self-test.
struct PageAllocatorStats {
    u64 total_pages = 0;     // pages under management (metadata excluded)
    u64 free_pages = 0;
    u64 metadata_pages = 0;  // carved out at initialize() for the page records
    u64 free_blocks[kPageOrderCount] {};
    u64 allocations = 0;     // successful allocate()/allocate_pages() calls
    u64 frees = 0;           // free()/free_pages() calls
    u64 failures = 0;        // allocations refused for lack of memory
};

// True when both snapshots have the same free memory in the same block
// sizes: what "back to the boot state" means (call counters excluded).
bool same_free_state(const PageAllocatorStats& a, const PageAllocatorStats& b);

class PageAllocator {
public:
    static constexpr usize kMaxRegions = 32;

    // An empty allocator: every allocation fails with NoMemory until
    // initialize() succeeds.
    PageAllocator() = default;
    PageAllocator(const PageAllocator&) = delete;
    PageAllocator& operator=(const PageAllocator&) = delete;
    ~PageAllocator();

    // Takes over the whole pages of `ranges`, reached at virt = phys +
    // `direct_map_offset` (page-aligned). Validates everything before
    // touching memory; on error nothing was written and the allocator stays
    // empty.
    //   BadState         already initialised
    //   InvalidArgument  the offset is not page-aligned
    //   Malformed        two ranges overlap
    //   Overflow         more than kMaxRegions disjoint regions remain
    //   NoMemory         no range can hold the page map plus one page
    Result<void> initialize(Span<const PhysRange> ranges, u64 direct_map_offset);

    // A block of 2^order pages, aligned to its size. Its contents are
    // whatever was there; its record has refs() == 1 and `owner`.
    // InvalidArgument if order > kMaxPageOrder (can never succeed); NoMemory
    // if no block that large is free.
    Result<PhysAddr> allocate(u32 order, PageOwner owner = kOwnerKernel);
    // Gives the block back. Its count must be 1 (never shared) or 0 (the
    // last unref() said so); anything else VERIFYs, as does any bad address.
    void free(PhysAddr block, u32 order);

    // `count` (1 .. 2^kMaxPageOrder) physically contiguous pages with no
    // rounding waste: a block of the next power of two is split and its
    // unused tail returned at once. The pages are kept as the binary
    // decomposition of `count` (largest piece first), so they must be given
    // back with free_pages() and the same count. Each piece is a block with
    // its own record (refs 1, `owner`); `first` is the first piece's head, so
    // ref()/unref() of `first` count references to the whole run.
    Result<PhysAddr> allocate_pages(usize count, PageOwner owner = kOwnerKernel);
    void free_pages(PhysAddr first, usize count);

    // The record of the page frame holding `phys` (any address inside the
    // page), or nullptr if no managed page holds it (unmanaged memory, holes
    // between regions, the records' own pages). For a page inside a block
    // this is that page's own record, which reads "not a head" and all zero;
    // block_head() finds the block's. O(log regions).
    PageFrame* frame(PhysAddr phys);
    const PageFrame* frame(PhysAddr phys) const;

    // The head of the allocated block holding `phys`; NotFound if `phys` is
    // free or unmanaged. For a run from allocate_pages() this is the head of
    // the piece holding `phys`. O(kMaxPageOrder + log regions).
    Result<PhysAddr> block_head(PhysAddr phys) const;

    // Reference counting of an allocated block, addressed by its head. The
    // count starts at 1; ref() adds one (Overflow at PageFrame::kMaxRefs,
    // count unchanged); unref() drops one and returns true when it reached
    // 0: the caller holding the last reference must then free() the block
    // (or free_pages() the run). Both VERIFY that `block` is the head of an
    // allocated block with a live count: anything else is a use after free.
    Result<void> ref(PhysAddr block);
    [[nodiscard]] bool unref(PhysAddr block);
    // Hands an allocated block (addressed by its head) to another owner.
    void set_owner(PhysAddr block, PageOwner owner);
    // Pages in allocated blocks whose record names `owner`. A walk over the
    // blocks below the frontiers (O(blocks), not O(log)): for `mem`, tests
    // and leak checks, not for hot paths.
    u64 owned_pages(PageOwner owner) const;

    void* to_virtual(PhysAddr phys) const { return m_map.to_virtual(phys); }
    PhysAddr to_physical(const void* virt) const { return m_map.to_physical(virt); }
    const DirectMap& direct_map() const { return m_map; }

    // Whether `phys` lies in a managed page (free or allocated).
    bool manages(PhysAddr phys) const { return find_region(phys >> kPageShift) != nullptr; }
    // Whether exactly one allocated block of `order` starts at `phys`. Lets
    // layers above (the slab caches) validate a pointer before trusting what
    // its page says.
    bool is_allocated_block(PhysAddr phys, u32 order) const;

    u64 total_pages() const { return m_total_pages; }
    u64 free_pages() const { return m_free_pages; }
    u64 free_blocks(u32 order) const;
    u64 allocations() const { return m_allocations; }
    u64 frees() const { return m_frees; }
    u64 failures() const { return m_failures; }
    PageAllocatorStats stats() const;

    // The managed regions, sorted by address (the records' own pages are not
    // part of any).
    usize region_count() const { return m_region_count; }
    PhysRange region(usize index) const;

private:
    // The head of a free block, written into the block itself.
    struct FreeBlock {
        ListNode node;
    };
    using FreeList = IntrusiveList<FreeBlock, &FreeBlock::node>;

    // A run of contiguous managed pages and its slice of the record array.
    // Pages in [frontier, end) are free but not yet on any list: they count
    // as the aligned blocks that cut that range (see page_allocator.cpp),
    // their records read Interior and nothing has been written to them.
    struct Region {
        u64 first_pfn = 0;
        u64 page_count = 0;
        PageFrame* frames = nullptr;  // one record per page
        u64 frontier = 0;

        u64 end_pfn() const { return first_pfn + page_count; }
        bool contains(u64 pfn) const { return pfn >= first_pfn && pfn < end_pfn(); }
    };

    Result<void> add_region(u64 first_pfn, u64 page_count);
    const Region* find_region(u64 pfn) const;
    Region* find_region(u64 pfn);
    static PageFrame& frame_of(const Region& region, u64 pfn) { return region.frames[pfn - region.first_pfn]; }
    static u8& state_of(const Region& region, u64 pfn) { return frame_of(region, pfn).m_state; }

    // The block mechanics, without the API's counters and checks.
    Result<u64> take_block(u32 order);
    void mark_allocated(Region& region, u64 pfn, u32 order, PageOwner owner);
    bool seed_from_frontier(u32& seeded_order);
    void release_block(Region& region, u64 pfn, u32 order);
    void push_free(Region& region, u64 pfn, u32 order);
    void verify_allocated(Region*& region, PhysAddr phys, u32 order);
    PageFrame& verify_live_block(PhysAddr phys, const char* why);

    DirectMap m_map;
    FreeList m_free[kPageOrderCount];
    u64 m_unseeded[kPageOrderCount] {};  // blocks of each order beyond the frontiers
    Region m_regions[kMaxRegions];
    usize m_region_count = 0;
    bool m_initialized = false;

    u64 m_total_pages = 0;
    u64 m_free_pages = 0;
    u64 m_metadata_pages = 0;
    u64 m_allocations = 0;
    u64 m_frees = 0;
    u64 m_failures = 0;
};

}  // namespace mote
