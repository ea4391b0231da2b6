// Sv39 page tables (RISC-V privileged spec 4.4): three levels of 512
// eight-byte entries, 4 KiB pages, 2 MiB megapages and 1 GiB gigapages,
// built by the shared arch/radix_page_tables.hpp from the entry format here.
//
// The kernel has one address space, built at boot (boot.cpp) and extended
// later only by map_device. Its table pages come from the pool in .bss.
#pragma once

#include "arch/radix_page_tables.hpp"

namespace mote::riscv {

// The upper half of Sv39 starts at 0xffffffc000000000 (VAs are bit 38
// sign-extended). RAM and device registers are reached at this offset from
// their physical address; the kernel image is linked at kKernelVirt.
inline constexpr u64 kDirectMapBase = 0xffffffc000000000;
inline constexpr u64 kKernelVirt = 0xffffffff80000000;

enum Permission : u32 { kRead = 1, kWrite = 2, kExecute = 4 };

// PTE bits (4.4.1, figure 4.18). A valid entry with none of R, W, X points
// at the next level; any of them makes it a leaf.
struct Sv39Format {
    static constexpr u64 kValid = 1 << 0;
    static constexpr u64 kR = 1 << 1, kW = 1 << 2, kX = 1 << 3;
    static constexpr u64 kGlobal = 1 << 5;
    // Accessed and dirty set up front: the spec lets hardware either set
    // them or fault when they are clear (4.4.1), and the kernel has no use
    // for them.
    static constexpr u64 kAccessed = 1 << 6, kDirty = 1 << 7;

    static constexpr u32 kTopLevel = 2;
    static constexpr u32 kLargestLeaf = 2;
    static bool valid(u64 entry) { return entry & kValid; }
    static bool is_leaf(u64 entry, u32) { return entry & (kR | kW | kX); }
    static u64 table_entry(u64 phys) { return ((phys >> 12) << 10) | kValid; }
    static u64 next_table(u64 entry) { return (entry >> 10) << 12; }
    u64 leaf(u64 pa, u32, u32 permissions) const {
        u64 leaf = ((pa >> 12) << 10) | kValid | kGlobal | kAccessed;
        if (permissions & kRead) leaf |= kR;
        if (permissions & kWrite) leaf |= kW | kDirty;
        if (permissions & kExecute) leaf |= kX;
        return leaf;
    }
};

arch::TablePool& page_table_pool();
using PageTables = arch::RadixPageTables<Sv39Format, page_table_pool>;

// The satp value that turns `tables` on (4.1.11: MODE=8 is Sv39).
inline u64 satp_of(const PageTables& tables) { return (u64(8) << 60) | (tables.root_phys() >> 12); }

// The kernel's tables and their pool (kPoolPages pages in .bss).
inline constexpr usize kPoolPages = 24;
PageTables& kernel_page_tables();
// Where the pool is: physical while the MMU is off (PC-relative addressing).
u64 page_table_pool_address();

}  // namespace mote::riscv
