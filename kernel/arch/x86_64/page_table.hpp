// x86_64 4-level page tables (Intel SDM vol. 3A 5.5, "4-Level Paging"):
// PML4, PDPT, PD and PT of 512 eight-byte entries; 4 KiB pages and 2 MiB
// pages (PS in a PD entry). Built by the shared arch/radix_page_tables.hpp
// from the entry format here.
//
// The kernel has one address space, built once at boot by kernel_main
// (boot.cpp) and extended later only by map_device and the firmware-table
// mapper. Its table pages come from the pool in .bss.
#pragma once

#include "arch/radix_page_tables.hpp"

namespace mote::x86 {

// Where things live. The image is linked at kKernelOffset + its physical
// address (the top 2 GiB, which -mcmodel=kernel addresses); RAM, firmware
// tables and device registers are reached at kDirectMapBase + phys.
inline constexpr u64 kKernelOffset = 0xffffffff80000000;
inline constexpr u64 kDirectMapBase = 0xffff800000000000;

enum Permission : u32 { kRead = 1, kWrite = 2, kExecute = 4, kUncached = 8 };

// Entry bits (SDM vol. 3A 5.5.5, tables 5-15 to 5-20).
struct X86Format {
    static constexpr u64 kPresent = u64(1) << 0;
    static constexpr u64 kWritable = u64(1) << 1;
    static constexpr u64 kWriteThrough = u64(1) << 3;  // PWT
    static constexpr u64 kCacheDisable = u64(1) << 4;  // PCD: with PWT, UC under the power-on PAT
    static constexpr u64 kLarge = u64(1) << 7;         // PS: a 2 MiB page in a PD entry
    static constexpr u64 kGlobal = u64(1) << 8;
    static constexpr u64 kNoExecute = u64(1) << 63;
    static constexpr u64 kAddressMask = 0x000ffffffffff000;

    static constexpr u32 kTopLevel = 3;
    static constexpr u32 kLargestLeaf = 1;  // 2 MiB pages
    static bool valid(u64 entry) { return entry & kPresent; }
    static bool is_leaf(u64 entry, u32 level) { return level == 0 || (entry & kLarge); }
    // Intermediate entries allow everything; the leaf decides (permissions
    // combine as the most restrictive, 5.6.1).
    static u64 table_entry(u64 phys) { return phys | kPresent | kWritable; }
    static u64 next_table(u64 entry) { return entry & kAddressMask; }
    u64 leaf(u64 pa, u32 level, u32 permissions) const {
        u64 leaf = pa | kPresent | kGlobal;
        if (level == 1) leaf |= kLarge;
        if (permissions & kWrite) leaf |= kWritable;
        if (!(permissions & kExecute) && nx) leaf |= kNoExecute;
        if (permissions & kUncached) leaf |= kCacheDisable | kWriteThrough;
        return leaf;
    }

    bool nx = false;  // EFER.NXE is on: the NX bit may be set
};

arch::TablePool& page_table_pool();
using PageTables = arch::RadixPageTables<X86Format, page_table_pool>;

// The kernel's tables and their pool (kPoolPages pages in .bss).
inline constexpr usize kPoolPages = 40;
PageTables& kernel_page_tables();
// The pool's first page, physical (its link address less kKernelOffset).
u64 page_table_pool_phys();

}  // namespace mote::x86
