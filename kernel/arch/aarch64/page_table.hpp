// VMSAv8-64 translation tables with the 4 KiB granule and 48-bit addresses
// (ARM ARM D8.2, "Translation table walk"): four levels of 512 eight-byte
// descriptors; 1 GiB blocks at level 1, 2 MiB blocks at level 2, 4 KiB
// pages at level 3.
//
// Two trees: TTBR1 holds the kernel (image, direct map, devices) for good;
// TTBR0 holds only the identity page that boot needs while it turns the
// MMU on, and is switched off (TCR_EL1.EPD0) right after. Table pages come
// from a fixed pool in .bss, which the memory map reserves with the image.
#pragma once

#include "base/result.hpp"

namespace mote::aarch64 {

// TTBR1 covers 0xffff000000000000 and up (T1SZ = 16). RAM and device
// registers sit at this offset from their physical address.
inline constexpr u64 kDirectMapBase = 0xffff000000000000;
inline constexpr u64 kKernelVirt = 0xffffffff80000000;

enum Permission : u32 { kRead = 1, kWrite = 2, kExecute = 4, kDevice = 8 };

class PageTables {
public:
    static constexpr usize kPoolPages = 32;

    // The shared pool at `pool_phys`, reached at phys + `access_offset`.
    static void init_pool(u64 pool_phys, u64 access_offset);
    static void set_access_offset(u64 offset);
    static usize pages_used();

    // Takes a fresh root from the pool.
    Result<void> init();
    // Maps [va, va + size) to [pa, pa + size) with the largest blocks that
    // alignment allows (smaller ones where an earlier call left smaller
    // pages). All three must be page aligned. A page that is already mapped,
    // alone or inside a block, to the same frame the same way is left alone;
    // any other overlap is BadState. NoMemory when the pool runs out.
    Result<void> map(u64 va, u64 pa, u64 size, u32 permissions);
    u64 root_phys() const { return m_root; }

private:
    Result<void> map_one(u64 va, u64 pa, u32 level, u32 permissions);
    // map() with no block larger than level `min_level` (1: 1 GiB ... 3: 4 KiB).
    Result<void> map_range(u64 va, u64 pa, u64 size, u32 permissions, u32 min_level);
    u64 m_root = 0;
};

PageTables& kernel_page_tables();
PageTables& identity_page_tables();
u64 page_table_pool_address();

}  // namespace mote::aarch64
