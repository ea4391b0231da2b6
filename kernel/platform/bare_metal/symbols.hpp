// The kernel's own symbol table, for symbolized backtraces.
//
// The linker script reserves a fixed-size `.ksyms` section; after the link,
// tools/ksyms.py fills it from the ELF symbol table (llvm-nm) without moving
// any address, and prints how full it is. Layout, all little-endian, no
// alignment assumed:
//
//   u32 magic "KSY2" | u16 count | u16 scope_count | u64 base
//   count x { u24 address - base | u16 scope | u16 name }   (sorted by address)
//   scope_count x u16 scope name
//   string pool: NUL-terminated strings
//
// A function's name is split at its last "::" into a scope and the rest
// ("VirtMachine" + "init_console"): every method of a class shares one copy
// of the scope, which is most of the saving over storing whole names. `scope`
// indexes the scope table (0xffff: the name has none); `name` and the scope
// table entries are offsets into the pool, and a string that ends another
// one is stored only as that one's tail. Joined with "::", scope and name
// give back the name exactly.
//
// An image whose post-link step did not run has an all-zero section: lookups
// then find nothing and backtraces show bare addresses.
#pragma once

#include "base/span.hpp"

namespace mote {

struct Symbol {
    StringView scope;  // "VirtMachine" of "VirtMachine::init_console"; empty if none
    StringView name;   // the part after the scope's "::"
    uptr offset = 0;   // from the symbol's start
};

// The function containing `address`, if the table knows it.
bool symbolize(uptr address, Symbol& out);
// Number of symbols in the table (0 if it was not filled in).
usize symbol_count();

}  // namespace mote
