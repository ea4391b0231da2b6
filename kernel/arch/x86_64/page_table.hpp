// x86_64 4-level page tables (Intel SDM vol. 3A 5.5, "4-Level Paging"):
// PML4, PDPT, PD and PT of 512 eight-byte entries; 4 KiB pages and 2 MiB
// pages (PS in a PD entry). Built by the shared arch/radix_page_tables.hpp
// from the entry format here.
//
// One tree holds both halves of an address space. The kernel's is built
// once at boot by kernel_main (boot.cpp) and extended later only by
// map_device and the firmware-table mapper; its table pages come from the
// pool in .bss. A user address space is a tree of its own whose PML4
// entries 256..511 are copied from the kernel's (copy_kernel_half).
#pragma once

#include "abi/syscalls.hpp"
#include "arch/allocator_table_source.hpp"
#include "arch/radix_page_tables.hpp"
#include "arch/table_pool.hpp"

namespace mote::x86 {

// Where things live. The image is linked at kKernelOffset + its physical
// address (the top 2 GiB, which -mcmodel=kernel addresses); RAM, firmware
// tables and device registers are reached at kDirectMapBase + phys.
inline constexpr u64 kKernelOffset = 0xffffffff80000000;
inline constexpr u64 kDirectMapBase = 0xffff800000000000;
// User space is the lower half: [0, 2^47), PML4 entries 0..255.
inline constexpr u64 kUserTop = u64(1) << 47;
static_assert(abi::kUserLimit <= kUserTop);

// Entry bits (SDM vol. 3A 5.5.5, tables 5-15 to 5-20).
struct X86Format {
    static constexpr u64 kPresent = u64(1) << 0;
    static constexpr u64 kWritable = u64(1) << 1;
    static constexpr u64 kUserSupervisor = u64(1) << 2;  // U/S: user mode may access
    static constexpr u64 kWriteThrough = u64(1) << 3;    // PWT
    static constexpr u64 kCacheDisable = u64(1) << 4;    // PCD: with PWT, UC under the power-on PAT
    static constexpr u64 kLarge = u64(1) << 7;           // PS: a 2 MiB page in a PD entry
    static constexpr u64 kGlobal = u64(1) << 8;
    static constexpr u64 kNoExecute = u64(1) << 63;
    static constexpr u64 kAddressMask = 0x000ffffffffff000;

    static constexpr u32 kTopLevel = 3;
    static constexpr u32 kLargestLeaf = 1;  // 2 MiB pages
    static constexpr u64 kUserRootEntries = 256;
    static constexpr u64 kLowerLimit = kUserTop;
    static constexpr u64 kUpperBase = kDirectMapBase;

    static bool valid(u64 entry) { return entry & kPresent; }
    static bool is_leaf(u64 entry, u32 level) { return level == 0 || (entry & kLarge); }
    // Intermediate entries allow everything the leaf may ask for; the leaf
    // decides (permissions combine as the most restrictive, 5.6.1). So a
    // user page needs U/S on every level above it too.
    static u64 table_entry(u64 phys, u32 permissions) {
        return phys | kPresent | kWritable | ((permissions & arch::kUser) ? kUserSupervisor : 0);
    }
    static u64 next_table(u64 entry) { return entry & kAddressMask; }
    // In a 2 MiB page's entry bit 12 is PAT, not address.
    static u64 leaf_address(u64 entry, u32 level) {
        return entry & kAddressMask & ~((u64(4096) << (9 * level)) - 1);
    }
    // Kernel pages are global (kept across CR3 loads); user pages are not.
    u64 leaf(u64 pa, u32 level, u32 permissions) const {
        u64 leaf = pa | kPresent;
        leaf |= (permissions & arch::kUser) ? kUserSupervisor : kGlobal;
        if (level == 1) leaf |= kLarge;
        if (permissions & arch::kWrite) leaf |= kWritable;
        if (!(permissions & arch::kExecute) && nx) leaf |= kNoExecute;
        if (permissions & arch::kDevice) leaf |= kCacheDisable | kWriteThrough;
        return leaf;
    }
    u32 permissions_of(u64 entry, u32) const {
        return arch::kRead | ((entry & kWritable) ? arch::kWrite : 0) | ((entry & kNoExecute) ? 0 : arch::kExecute) |
               ((entry & kUserSupervisor) ? arch::kUser : 0) | ((entry & kCacheDisable) ? arch::kDevice : 0);
    }

    bool nx = false;  // EFER.NXE is on: the NX bit may be set
};

arch::TablePool& page_table_pool();
using PageTables = arch::RadixPageTables<X86Format, arch::PoolSource<page_table_pool>>;
using UserPageTables = arch::RadixPageTables<X86Format, arch::AllocatorTableSource>;

// The kernel's tables and their pool (kPoolPages pages in .bss).
inline constexpr usize kPoolPages = 40;
PageTables& kernel_page_tables();
// The pool's first page, physical (its link address less kKernelOffset).
u64 page_table_pool_phys();

}  // namespace mote::x86
