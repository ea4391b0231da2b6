// Physical addresses, ranges of physical memory, and the direct map.
//
// The mm layer never dereferences a physical address. It reaches physical
// memory through the direct map: a linear mapping of all RAM at a fixed
// offset, set up by the platform before the allocator starts
// (virt = phys + offset, modulo 2^64). On the hosted build "physical memory"
// is a buffer and the offset is whatever makes the buffer's chosen physical
// base land on it, so physical addresses and pointers differ, as they do on
// bare metal.
#pragma once

#include "base/checked.hpp"
#include "base/types.hpp"

namespace mote {

// A physical address is a number, not a pointer: keeping it an integer type
// makes an accidental dereference a compile error.
using PhysAddr = u64;

// Every pointer and physical address fits a u64 on all targets, which the
// wrapping direct-map arithmetic below relies on.
static_assert(sizeof(uptr) == sizeof(PhysAddr));

inline constexpr u32 kPageShift = 12;
inline constexpr u64 kPageSize = u64(1) << kPageShift;

// A contiguous range of physical memory, [base, base + size).
struct PhysRange {
    PhysAddr base = 0;
    u64 size = 0;

    bool empty() const { return size == 0; }
};

// The whole pages inside `range`: the start rounded up and the end rounded
// down to page boundaries. Empty if no whole page fits. A range that claims
// to run past the top of the address space (a lying DTB) is clamped there
// instead of wrapping.
inline PhysRange page_aligned_part(PhysRange range) {
    Result<u64> start = align_up(range.base, kPageSize);
    if (start.is_error()) return {};
    u64 end = align_down(checked_add(range.base, range.size).value_or(~u64(0)), kPageSize);
    if (end <= start.value()) return {};
    return {start.value(), end - start.value()};
}

// virt = phys + offset. The offset is page-aligned (PageAllocator checks it),
// so page and sub-page alignment is the same in both address spaces; larger
// alignments hold for physical addresses only.
class DirectMap {
public:
    DirectMap() = default;
    explicit DirectMap(u64 offset) : m_offset(offset) {}

    u64 offset() const { return m_offset; }
    void* to_virtual(PhysAddr phys) const { return reinterpret_cast<void*>(uptr(phys + m_offset)); }
    PhysAddr to_physical(const void* virt) const { return PhysAddr(reinterpret_cast<uptr>(virt)) - m_offset; }

private:
    u64 m_offset = 0;
};

}  // namespace mote
