// Sv39 page tables (RISC-V privileged spec 4.4): three levels of 512
// eight-byte entries, 4 KiB pages, 2 MiB megapages and 1 GiB gigapages,
// built by the shared arch/radix_page_tables.hpp from the entry format here.
//
// One tree holds both halves of an address space. The kernel's is built at
// boot (boot.cpp) and extended later only by map_device; its table pages
// come from the pool in .bss. A user address space is a tree of its own
// whose root entries 256..511 are copied from the kernel's
// (copy_kernel_half), so the kernel stays mapped while it runs.
#pragma once

#include "abi/syscalls.hpp"
#include "arch/allocator_table_source.hpp"
#include "arch/radix_page_tables.hpp"
#include "arch/table_pool.hpp"

namespace mote::riscv {

// The upper half of Sv39 starts at 0xffffffc000000000 (VAs are bit 38
// sign-extended). RAM and device registers are reached at this offset from
// their physical address; the kernel image is linked at kKernelVirt.
inline constexpr u64 kDirectMapBase = 0xffffffc000000000;
inline constexpr u64 kKernelVirt = 0xffffffff80000000;
// User space is the lower half: [0, 2^38), root entries 0..255.
inline constexpr u64 kUserTop = u64(1) << 38;
static_assert(abi::kUserLimit <= kUserTop);

// PTE bits (4.4.1, figure 4.18). A valid entry with none of R, W, X points
// at the next level; any of them makes it a leaf.
struct Sv39Format {
    static constexpr u64 kValid = 1 << 0;
    static constexpr u64 kR = 1 << 1, kW = 1 << 2, kX = 1 << 3;
    static constexpr u64 kU = 1 << 4;
    static constexpr u64 kGlobal = 1 << 5;
    // Accessed and dirty set up front: the spec lets hardware either set
    // them or fault when they are clear (4.4.1), and the kernel has no use
    // for them.
    static constexpr u64 kAccessed = 1 << 6, kDirty = 1 << 7;
    static constexpr u64 kPpnMask = ((u64(1) << 44) - 1) << 10;  // bits 53:10

    static constexpr u32 kTopLevel = 2;
    static constexpr u32 kLargestLeaf = 2;
    static constexpr u64 kUserRootEntries = 256;
    static constexpr u64 kLowerLimit = kUserTop;
    static constexpr u64 kUpperBase = kDirectMapBase;

    static bool valid(u64 entry) { return entry & kValid; }
    static bool is_leaf(u64 entry, u32) { return entry & (kR | kW | kX); }
    // Non-leaf entries carry no U, A or D (the spec reserves them there);
    // the leaf alone decides who may access.
    static u64 table_entry(u64 phys, u32) { return ((phys >> 12) << 10) | kValid; }
    static u64 next_table(u64 entry) { return ((entry & kPpnMask) >> 10) << 12; }
    static u64 leaf_address(u64 entry, u32) { return next_table(entry); }
    // Kernel pages are global (the same in every address space); user
    // pages are not, so they are tagged with their address space's ASID.
    u64 leaf(u64 pa, u32, u32 permissions) const {
        u64 leaf = ((pa >> 12) << 10) | kValid | kAccessed;
        leaf |= (permissions & arch::kUser) ? kU : kGlobal;
        if (permissions & arch::kRead) leaf |= kR;
        if (permissions & arch::kWrite) leaf |= kW | kDirty;
        if (permissions & arch::kExecute) leaf |= kX;
        return leaf;
    }
    u32 permissions_of(u64 entry, u32) const {
        return ((entry & kR) ? arch::kRead : 0) | ((entry & kW) ? arch::kWrite : 0) |
               ((entry & kX) ? arch::kExecute : 0) | ((entry & kU) ? arch::kUser : 0);
    }
};

arch::TablePool& page_table_pool();
using PageTables = arch::RadixPageTables<Sv39Format, arch::PoolSource<page_table_pool>>;
using UserPageTables = arch::RadixPageTables<Sv39Format, arch::AllocatorTableSource>;

// The satp value that turns `tables` on (4.1.11: MODE=8 is Sv39; the ASID
// goes in bits 59:44).
template <typename Tables>
inline u64 satp_of(const Tables& tables, u16 asid = 0) {
    return (u64(8) << 60) | (u64(asid) << 44) | (tables.root_phys() >> 12);
}

// The kernel's tables and their pool (kPoolPages pages in .bss).
inline constexpr usize kPoolPages = 24;
PageTables& kernel_page_tables();
// Where the pool is: physical while the MMU is off (PC-relative addressing).
u64 page_table_pool_address();

}  // namespace mote::riscv
