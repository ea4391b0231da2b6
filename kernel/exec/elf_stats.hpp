// Counters of the ELF decoder: programs accepted, refused, and how often
// each fault was the reason. Read by reports and tests; only decode_elf
// writes them.
#pragma once

#include "base/types.hpp"
#include "exec/elf_fault.hpp"

namespace mote {

struct ElfStats {
    u64 accepted = 0;
    u64 refused = 0;
    u64 faults[kElfFaultCount] = {};  // indexed by ElfFault; faults[None] stays 0

    u64 count(ElfFault fault) const { return faults[usize(fault)]; }
};

// The kernel's one set of counters.
ElfStats& elf_stats();

}  // namespace mote
