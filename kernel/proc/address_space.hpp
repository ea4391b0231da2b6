// AddressSpace: one process's user memory. It owns the regions (the
// program's segments, the stack, map() areas) and every frame mapped in
// them, and it is the only way the kernel reads or writes user memory.
//
// Layout (kernel/abi/syscalls.hpp): program segments at their link
// addresses from abi::kUserBase, map() regions in [kMapBase, kMapLimit)
// each followed by an unmapped guard page, the stack below kStackTop with an
// unmapped guard page under it. W^X: no region is writable and executable.
//
// User memory is reached by translation, never by dereference: copy_in and
// copy_out look each page up in the MMU, check the access the user itself
// would need (a read needs readable, a write writable), and copy through
// the kernel's direct map. So a bad user pointer is a named error
// (OutOfRange here, BadAddress at the syscall boundary), the kernel runs
// with user access off (SUM/PAN/SMAP), and a user page unmapped meanwhile
// cannot fault the kernel.
//
// The last few translations are kept (`m_recent`): a syscall's small
// copies (a message header, its bytes, a result) touch the same one or two
// pages again and again, and each walk of the page tables costs far more
// than the copy. Only this object changes the mappings, and every unmap
// empties the cache first, so it never names a frame that has been given
// back. New mappings need nothing: the cache holds only pages that were
// mapped when it was filled.
#pragma once

#include "base/span.hpp"
#include "mm/page_allocator.hpp"
#include "proc/user_mmu.hpp"

namespace mote {

enum class RegionKind : u8 { Free, Program, Stack, Mapped };
const char* region_kind_name(RegionKind kind);

struct Region {
    u64 start = 0;
    u64 size = 0;
    u32 access = 0;
    RegionKind kind = RegionKind::Free;
    bool lazy = false;  // pages below `populated` arrive on first touch
    u64 end() const { return start + size; }
};

class AddressSpace {
public:
    static constexpr usize kMaxRegions = 32;

    // Frames are allocated with `owner` (the process's pid) in their page
    // records, so the allocator can say what a process holds.
    AddressSpace(PageAllocator& pages, UserMmu& mmu, PageOwner owner = kOwnerKernel)
        : m_pages(pages), m_mmu(mmu), m_owner(owner) {}
    AddressSpace(const AddressSpace&) = delete;
    AddressSpace& operator=(const AddressSpace&) = delete;
    ~AddressSpace() { VERIFY_MSG(m_resident == 0, "address space destroyed with pages mapped"); }

    // Adds a region of zeroed pages at [start, start + size) (page aligned,
    // inside the user half, clear of every other region and of the guard
    // pages). All or nothing: on NoMemory every page taken is given back.
    Result<void> add_region(u64 start, u64 size, u32 access, RegionKind kind);
    // The same, but only the top `populated` bytes get pages now; the rest
    // get a zeroed page when first touched (resolve_fault). The stack: most
    // programs use a few KiB of its 256.
    Result<void> add_lazy_region(u64 start, u64 size, u64 populated, u32 access, RegionKind kind);
    // A fault at `address` in a lazy region's untouched page: maps a zeroed
    // page there (the thread then retries). NotFound if the address is in
    // no lazy region or its page is already there (a real fault).
    Result<void> resolve_fault(u64 address);
    // map(): a region of `size` bytes (rounded up to pages) at the lowest
    // free address in the map area that leaves a guard page after it.
    Result<u64> map_anywhere(u64 size, u32 access);
    // unmap(): removes the whole region that starts at `start` and is
    // `size` bytes (rounded up). InvalidArgument if that is not exactly one
    // map() region (the program and stack cannot be unmapped).
    Result<void> remove_mapped(u64 start, u64 size);
    // Returns every page and forgets every region (process teardown: the
    // MMU takes no mappings afterwards).
    void clear();

    Result<void> copy_in(Span<u8> to, u64 from);
    Result<void> copy_out(u64 to, Span<const u8> from);
    // Copies into frames regardless of the page's user access (the loader
    // fills read-only and executable pages this way).
    Result<void> fill(u64 to, Span<const u8> from);
    // Whether the user could write (`write`) or read every byte of
    // [address, address + length) now; OutOfRange if not.
    Result<void> check_access(u64 address, u64 length, bool write);
    // Whether [address, address + length) is inside the user half at all.
    static bool in_user_half(u64 address, u64 length);

    const Region* regions() const { return m_regions; }
    usize region_count() const { return m_count; }
    u64 resident_pages() const { return m_resident; }
    UserMmu& mmu() { return m_mmu; }

    enum class Need : u8 { Read, Write, Any };
    // The kernel-virtual address of user byte `va`, checked for `need`; a
    // lazy region's untouched page is brought in first, as the user's own
    // touch would. Valid until the page is unmapped: only for a caller that
    // holds the process in the kernel (the submission ring's pages).
    // A recent translation is a few instructions, inline; anything else
    // (first use of the page, a lazy page, a refusal) is reach_slow's, kept
    // out of line so that the hit pays no stack frame.
    [[gnu::always_inline]] Result<u8*> reach(u64 va, Need need) {
        u64 page_va = va & ~(kPageSize - 1);
        const Recent& recent = m_recent[(page_va / kPageSize) % kRecent];
        if (recent.page == page_va && allows(recent.access, need)) return recent.frame + (va & (kPageSize - 1));
        return reach_slow(va, need);
    }

private:
    static bool allows(u32 access, Need need) {
        return need == Need::Any || (access & (need == Need::Read ? kUserRead : kUserWrite));
    }
    [[gnu::noinline]] Result<u8*> reach_slow(u64 va, Need need);
    // check_access, copy_in and copy_out across page boundaries.
    [[gnu::noinline]] Result<void> check_pages(u64 address, u64 length, bool write);
    [[gnu::noinline]] Result<void> copy_in_pages(Span<u8> to, u64 from);
    [[gnu::noinline]] Result<void> copy_out_pages(u64 to, Span<const u8> from);
    Result<void> unmap_pages(u64 start, u64 size);
    Result<void> populate(u64 start, u64 end, u32 access);
    bool overlaps(u64 start, u64 size) const;

    void forget_translations();

    // A direct-mapped cache of translations, by page number.
    static constexpr usize kRecent = 4;
    static constexpr u64 kNoPage = ~u64(0);  // never page aligned
    struct Recent {
        u64 page = kNoPage;
        u8* frame = nullptr;  // the page's frame in the kernel's direct map
        u32 access = 0;
    };

    PageAllocator& m_pages;
    UserMmu& m_mmu;
    PageOwner m_owner;
    Recent m_recent[kRecent];
    Region m_regions[kMaxRegions];
    usize m_count = 0;
    u64 m_resident = 0;
};

}  // namespace mote
