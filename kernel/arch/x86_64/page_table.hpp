// x86_64 4-level page tables (Intel SDM vol. 3A 5.5, "4-Level Paging"):
// PML4, PDPT, PD and PT of 512 eight-byte entries; 4 KiB pages and 2 MiB
// pages (PS in a PD entry).
//
// The kernel has one address space, built once at boot by kernel_main
// (boot.cpp) and extended later only by map_device and the firmware-table
// mapper. Table pages come from a fixed pool in .bss, so they are part of
// the kernel image that the memory map reserves; nothing here allocates.
#pragma once

#include "base/result.hpp"

namespace mote::x86 {

// Where things live. The image is linked at kKernelOffset + its physical
// address (the top 2 GiB, which -mcmodel=kernel addresses); RAM, firmware
// tables and device registers are reached at kDirectMapBase + phys.
inline constexpr u64 kKernelOffset = 0xffffffff80000000;
inline constexpr u64 kDirectMapBase = 0xffff800000000000;

enum Permission : u32 { kRead = 1, kWrite = 2, kExecute = 4, kUncached = 8 };

class PageTables {
public:
    static constexpr usize kPoolPages = 40;

    // Takes the pool at `pool_phys`, whose pages are reached at phys +
    // `access_offset`. The root starts empty.
    void init(u64 pool_phys, u64 access_offset, bool nx);

    // Maps [va, va + size) to [pa, pa + size) with the largest pages that
    // alignment allows. All three must be page aligned. A page already
    // mapped to the same frame with the same permissions is left alone;
    // any other overlap is BadState. NoMemory when the pool runs out.
    Result<void> map(u64 va, u64 pa, u64 size, u32 permissions);
    // Whether `va` is mapped at all.
    bool is_mapped(u64 va) const;

    u64 root_phys() const { return m_pool_phys; }
    usize pages_used() const { return m_used; }

private:
    u64* table(u64 phys) const { return reinterpret_cast<u64*>(phys + m_access_offset); }
    Result<u64> allocate_table();
    Result<void> map_one(u64 va, u64 pa, u32 level, u32 permissions);

    u64 m_pool_phys = 0;
    u64 m_access_offset = 0;
    usize m_used = 0;
    bool m_nx = false;
};

PageTables& kernel_page_tables();

}  // namespace mote::x86
