// VMSAv8-64 translation tables with the 4 KiB granule and 48-bit addresses
// (ARM ARM D8.2, "Translation table walk"): four levels of 512 eight-byte
// descriptors; 1 GiB blocks at level 1, 2 MiB blocks at level 2, 4 KiB
// pages at level 3 (ARM's numbering; arch/radix_page_tables.hpp counts from
// the bottom, so its level 0 is ARM's level 3). Built by the shared builder
// from the descriptor format here.
//
// Two trees: TTBR1 holds the kernel (image, direct map, devices) for good;
// TTBR0 holds only the identity blocks that boot needs while it turns the
// MMU on, and is switched off (TCR_EL1.EPD0) right after. Both take their
// table pages from one pool in .bss.
#pragma once

#include "arch/radix_page_tables.hpp"

namespace mote::aarch64 {

// TTBR1 covers 0xffff000000000000 and up (T1SZ = 16). RAM and device
// registers sit at this offset from their physical address.
inline constexpr u64 kDirectMapBase = 0xffff000000000000;
inline constexpr u64 kKernelVirt = 0xffffffff80000000;

enum Permission : u32 { kRead = 1, kWrite = 2, kExecute = 4, kDevice = 8 };

// Descriptor bits (ARM ARM D8.3, "Translation table descriptor formats").
struct Vmsa4kFormat {
    static constexpr u64 kValid = 1 << 0;
    static constexpr u64 kTableOrPage = 1 << 1;  // table above the last level, page at it
    static constexpr u64 kAttrNormal = 0 << 2;   // MAIR_EL1 attr0: normal, write-back
    static constexpr u64 kAttrDevice = 1 << 2;   // MAIR_EL1 attr1: Device-nGnRE
    static constexpr u64 kReadOnly = 1 << 7;     // AP[2]
    static constexpr u64 kInnerShareable = 3 << 8;
    static constexpr u64 kAccessFlag = 1 << 10;  // set, or the first access faults
    static constexpr u64 kPrivilegedNoExec = u64(1) << 53;
    static constexpr u64 kUserNoExec = u64(1) << 54;
    static constexpr u64 kAddressMask = 0x0000fffffffff000;

    static constexpr u32 kTopLevel = 3;
    static constexpr u32 kLargestLeaf = 2;  // 1 GiB blocks
    static bool valid(u64 entry) { return entry & kValid; }
    static bool is_leaf(u64 entry, u32 level) { return level == 0 || !(entry & kTableOrPage); }
    static u64 table_entry(u64 phys) { return phys | kValid | kTableOrPage; }
    static u64 next_table(u64 entry) { return entry & kAddressMask; }
    u64 leaf(u64 pa, u32 level, u32 permissions) const {
        u64 leaf = pa | kValid | kAccessFlag | kUserNoExec | (level == 0 ? kTableOrPage : 0);
        if (permissions & kDevice) leaf |= kAttrDevice | kPrivilegedNoExec;
        else leaf |= kAttrNormal | kInnerShareable;
        if (!(permissions & kWrite)) leaf |= kReadOnly;
        if (!(permissions & kExecute)) leaf |= kPrivilegedNoExec;
        return leaf;
    }
};

arch::TablePool& page_table_pool();
using PageTables = arch::RadixPageTables<Vmsa4kFormat, page_table_pool>;

// The two trees and their shared pool (kPoolPages pages in .bss).
inline constexpr usize kPoolPages = 32;
PageTables& kernel_page_tables();
PageTables& identity_page_tables();
// Where the pool is: physical while the MMU is off (PC-relative addressing).
u64 page_table_pool_address();

}  // namespace mote::aarch64
