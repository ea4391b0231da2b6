// What a mapping allows, in the one vocabulary every port's page-table
// format translates into its own entry bits (arch/radix_page_tables.hpp).
//
//   kRead     every mapping must allow reads: none of the three ISAs can
//             express write-only, and a riscv entry with none of R/W/X is
//             not a page at all but a pointer to the next table
//   kWrite    stores allowed
//   kExecute  instruction fetch allowed (for the privilege level that owns
//             the page: the kernel's own, or user mode's with kUser)
//   kUser     user mode may access the page (riscv PTE.U, aarch64 AP[1],
//             x86 U/S). Such a page is never global (riscv G=0, aarch64
//             nG=1, x86 G=0), so its translations are tagged with the
//             address space's ASID/PCID; the kernel never executes it
//   kDevice   device registers: aarch64 Device-nGnRE, x86 uncached (PCD and
//             PWT). riscv ignores it: there the physical memory attributes
//             (PMAs) of the address decide, not the page table
#pragma once

#include "base/types.hpp"

namespace mote::arch {

enum Permission : u32 { kRead = 1, kWrite = 2, kExecute = 4, kUser = 8, kDevice = 16 };

inline constexpr u32 kAllPermissions = kRead | kWrite | kExecute | kUser | kDevice;

}  // namespace mote::arch
