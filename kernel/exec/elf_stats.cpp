#include "exec/elf_stats.hpp"

namespace mote {

namespace {
ElfStats g_elf_stats;
}

ElfStats& elf_stats() { return g_elf_stats; }

}  // namespace mote
