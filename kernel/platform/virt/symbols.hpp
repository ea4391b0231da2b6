// The kernel's own symbol table, for symbolized backtraces.
//
// The linker script reserves a fixed-size `.ksyms` section; after the link,
// tools/ksyms.py fills it from the ELF symbol table (llvm-nm) without moving
// any address. Layout, all little-endian:
//
//   u32 magic "KSYM" | u32 count | u64 base
//   count x { u32 address - base | u32 offset of the name }   (sorted by address)
//   NUL-terminated names
//
// An image whose post-link step did not run has an all-zero section: lookups
// then find nothing and backtraces show bare addresses.
#pragma once

#include "base/span.hpp"

namespace mote {

struct Symbol {
    StringView name;
    uptr offset = 0;  // from the symbol's start
};

// The function containing `address`, if the table knows it.
bool symbolize(uptr address, Symbol& out);
// Number of symbols in the table (0 if it was not filled in).
usize symbol_count();

}  // namespace mote
