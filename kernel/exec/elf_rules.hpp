// What a program must look like to run on this kernel: the ISA it was built
// for and where in the user address space its segments may go.
#pragma once

#include "abi/syscalls.hpp"
#include "base/types.hpp"
#include "exec/elf_format.hpp"

namespace mote {

struct ElfRules {
    u16 machine;     // the e_machine this kernel runs (elf::kMachine*)
    u64 user_base;   // the lowest address a segment may touch; page-aligned
    u64 user_limit;  // the first address no segment may touch; page-aligned
    u64 page_size;   // a power of two: the granule of mapping, overlap and congruence checks
};

// The e_machine of the ISA this kernel is built for. The hosted build runs
// no user code of its own; it checks against x86_64 so the tests and
// fuzzers have one fixed answer whatever the build machine is.
#if defined(MOTE_HOSTED)
inline constexpr u16 kBuildElfMachine = elf::kMachineX86_64;
#elif defined(__riscv)
inline constexpr u16 kBuildElfMachine = elf::kMachineRiscV;
#elif defined(__aarch64__)
inline constexpr u16 kBuildElfMachine = elf::kMachineAArch64;
#elif defined(__x86_64__)
inline constexpr u16 kBuildElfMachine = elf::kMachineX86_64;
#else
#error "no ELF machine number for this target"
#endif

// The rules the loader uses. A program's segments live in
// [kUserBase, kMapBase): above kMapBase come the map() regions and the
// stack (abi/syscalls.hpp's user layout), so a segment there would collide
// with them; kUserLimit, the end of the whole user half, would not catch that.
inline constexpr ElfRules kBuildElfRules {
    .machine = kBuildElfMachine,
    .user_base = abi::kUserBase,
    .user_limit = abi::kMapBase,
    .page_size = abi::kPageSize,
};

}  // namespace mote
