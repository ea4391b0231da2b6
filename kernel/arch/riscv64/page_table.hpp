// Sv39 page tables (RISC-V privileged spec 4.4): three levels of 512
// eight-byte entries, 4 KiB pages, 2 MiB megapages and 1 GiB gigapages.
//
// The kernel has one address space, built once at boot while the MMU is
// off (boot.cpp) and extended later only by map_device. Table pages come
// from a fixed pool in .bss, so they are part of the kernel image that the
// memory map reserves and nothing here ever allocates.
#pragma once

#include "base/result.hpp"

namespace mote::riscv {

// The upper half of Sv39 starts at 0xffffffc000000000 (VAs are bit 38
// sign-extended). RAM and device registers are reached at this offset from
// their physical address; the kernel image is linked at kKernelVirt.
inline constexpr u64 kDirectMapBase = 0xffffffc000000000;
inline constexpr u64 kKernelVirt = 0xffffffff80000000;

enum Permission : u32 { kRead = 1, kWrite = 2, kExecute = 4 };

class PageTables {
public:
    static constexpr usize kPoolPages = 24;

    // Takes the pool at `pool_phys`, whose pages are reached at phys +
    // `access_offset` (0 while the MMU is off; after, the offset of the image
    // mapping, since the pool is part of .bss).
    void init(u64 pool_phys, u64 access_offset);
    void set_access_offset(u64 offset) { m_access_offset = offset; }

    // Maps [va, va + size) to [pa, pa + size) with the largest pages that
    // alignment allows (smaller ones where an earlier call left smaller
    // pages). All three must be page aligned. A page that is already mapped,
    // alone or inside a larger page, to the same frame with the same
    // permissions is left alone; any other overlap is BadState. NoMemory
    // when the pool runs out.
    Result<void> map(u64 va, u64 pa, u64 size, u32 permissions);
    // Clears the root entry covering `va` (the boot identity mapping).
    void clear_root_entry(u64 va);

    u64 root_phys() const { return m_pool_phys; }
    // The satp value that turns this address space on (4.1.11: MODE=8 is Sv39).
    u64 satp() const { return (u64(8) << 60) | (m_pool_phys >> 12); }
    usize pages_used() const { return m_used; }

private:
    u64* table(u64 phys) const { return reinterpret_cast<u64*>(phys + m_access_offset); }
    Result<u64> allocate_table();
    Result<void> map_one(u64 va, u64 pa, u32 level, u32 permissions);
    Result<void> map_range(u64 va, u64 pa, u64 size, u32 permissions, u32 max_level);

    u64 m_pool_phys = 0;
    u64 m_access_offset = 0;
    usize m_used = 0;
};

PageTables& kernel_page_tables();
// Where the pool is: physical while the MMU is off (PC-relative addressing).
u64 page_table_pool_address();

}  // namespace mote::riscv
