// VMSAv8-64 translation tables with the 4 KiB granule and 48-bit addresses
// (ARM ARM D8.2, "Translation table walk"): four levels of 512 eight-byte
// descriptors; 1 GiB blocks at level 1, 2 MiB blocks at level 2, 4 KiB
// pages at level 3 (ARM's numbering; arch/radix_page_tables.hpp counts from
// the bottom, so its level 0 is ARM's level 3). Built by the shared builder
// from the descriptor format here.
//
// Each half of the address space has its own tree. TTBR1 holds the kernel
// (image, direct map, devices) for good. TTBR0 holds, during boot, only the
// identity blocks that boot needs while it turns the MMU on, and is then
// switched off (TCR_EL1.EPD0); from Arch::init on it holds an empty table
// or a user address space with its ASID (16-bit where the CPU has them), a tree
// of its own (UserPageTables) with nothing of the kernel in it, so there is
// no kernel half to copy (copy_kernel_half does not compile here). Boot
// sets T0SZ = 16: TTBR0 covers [0, 2^48) with a four-level walk, of which
// user space uses [0, abi::kUserLimit). The boot trees take their table
// pages from one pool in .bss.
#pragma once

#include "abi/syscalls.hpp"
#include "arch/allocator_table_source.hpp"
#include "arch/radix_page_tables.hpp"
#include "arch/table_pool.hpp"

namespace mote::aarch64 {

// TTBR1 covers 0xffff000000000000 and up (T1SZ = 16). RAM and device
// registers sit at this offset from their physical address.
inline constexpr u64 kDirectMapBase = 0xffff000000000000;
inline constexpr u64 kKernelVirt = 0xffffffff80000000;
// TTBR0 (T0SZ = 16) covers [0, 2^48): the whole user tree.
inline constexpr u64 kUserTop = u64(1) << 48;
static_assert(abi::kUserLimit <= kUserTop);

// Descriptor bits (ARM ARM D8.3, "Translation table descriptor formats").
struct Vmsa4kFormat {
    static constexpr u64 kValid = 1 << 0;
    static constexpr u64 kTableOrPage = 1 << 1;  // table above the last level, page at it
    static constexpr u64 kAttrIndex = 7 << 2;    // into MAIR_EL1
    static constexpr u64 kAttrNormal = 0 << 2;   // MAIR_EL1 attr0: normal, write-back
    static constexpr u64 kAttrDevice = 1 << 2;   // MAIR_EL1 attr1: Device-nGnRE
    static constexpr u64 kUserAccess = 1 << 6;   // AP[1]: EL0 may access
    static constexpr u64 kReadOnly = 1 << 7;     // AP[2]
    static constexpr u64 kInnerShareable = 3 << 8;
    static constexpr u64 kAccessFlag = 1 << 10;  // set, or the first access faults
    static constexpr u64 kNotGlobal = 1 << 11;   // nG: tagged with the ASID
    static constexpr u64 kPrivilegedNoExec = u64(1) << 53;
    static constexpr u64 kUserNoExec = u64(1) << 54;
    static constexpr u64 kAddressMask = 0x0000fffffffff000;

    static constexpr u32 kTopLevel = 3;
    static constexpr u32 kLargestLeaf = 2;  // 1 GiB blocks
    // A tree is one half: a user tree (TTBR0) is all user.
    static constexpr u64 kUserRootEntries = 512;
    static constexpr u64 kLowerLimit = kUserTop;
    static constexpr u64 kUpperBase = kDirectMapBase;

    static bool valid(u64 entry) { return entry & kValid; }
    static bool is_leaf(u64 entry, u32 level) { return level == 0 || !(entry & kTableOrPage); }
    // No APTable/XNTable limits: the leaf alone decides.
    static u64 table_entry(u64 phys, u32) { return phys | kValid | kTableOrPage; }
    static u64 next_table(u64 entry) { return entry & kAddressMask; }
    static u64 leaf_address(u64 entry, u32) { return entry & kAddressMask; }
    // Kernel pages: global, never executable at EL0, executable at EL1 only
    // with kExecute. User pages: EL0 access (AP[1]), not global (nG), never
    // executable at EL1 (PXN), executable at EL0 only with kExecute.
    u64 leaf(u64 pa, u32 level, u32 permissions) const {
        u64 leaf = pa | kValid | kAccessFlag | (level == 0 ? kTableOrPage : 0);
        bool device = permissions & arch::kDevice;
        bool execute = permissions & arch::kExecute;
        leaf |= device ? kAttrDevice : kAttrNormal | kInnerShareable;
        if (!(permissions & arch::kWrite)) leaf |= kReadOnly;
        if (permissions & arch::kUser) {
            leaf |= kUserAccess | kNotGlobal | kPrivilegedNoExec | (execute ? 0 : kUserNoExec);
        } else {
            leaf |= kUserNoExec | (execute && !device ? 0 : kPrivilegedNoExec);
        }
        return leaf;
    }
    u32 permissions_of(u64 entry, u32) const {
        bool user = entry & kUserAccess;
        u64 no_exec = user ? kUserNoExec : kPrivilegedNoExec;
        return arch::kRead | ((entry & kReadOnly) ? 0 : arch::kWrite) | ((entry & no_exec) ? 0 : arch::kExecute) |
               (user ? arch::kUser : 0) | ((entry & kAttrIndex) == kAttrDevice ? arch::kDevice : 0);
    }
};

arch::TablePool& page_table_pool();
using PageTables = arch::RadixPageTables<Vmsa4kFormat, arch::PoolSource<page_table_pool>>;
using UserPageTables = arch::RadixPageTables<Vmsa4kFormat, arch::AllocatorTableSource>;

// The two boot trees and their shared pool (kPoolPages pages in .bss).
inline constexpr usize kPoolPages = 32;
PageTables& kernel_page_tables();
PageTables& identity_page_tables();
// Where the pool is: physical while the MMU is off (PC-relative addressing).
u64 page_table_pool_address();

}  // namespace mote::aarch64
