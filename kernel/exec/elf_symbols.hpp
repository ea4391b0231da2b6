// The function an address is in, from a program's ELF symbol table: what
// a user fault report names ("pc 0x4016d8 (main+0x38)").
//
// Reads the file through a callback, a piece at a time (the header, one
// section header, one symbol, one name), so it works on any filesystem and
// never holds the file in memory. Untrusted input like every ELF: every
// offset is checked against the file's size, the section and symbol counts
// are bounded, names are cut at kMaxName; anything odd is a NotFound, which
// the report shows as "no symbol".
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"

namespace mote {

struct ElfSymbol {
    static constexpr usize kMaxName = 63;
    char name[kMaxName + 1] = {};
    u64 offset = 0;  // the address minus the symbol's start
};

// Copies [offset, offset + out.size()) of the file into `out`; returns the
// bytes copied (fewer only at the end of the file).
using ElfFileReader = Result<usize> (*)(void* context, u64 offset, Span<u8> out);

Result<ElfSymbol> find_elf_symbol(ElfFileReader read, void* context, u64 file_size, u64 address);

// The readable part of an Itanium-ABI mangled C++ name, for reports:
// "_Z4mainiPPc" -> "main", "_ZN4mote4user5spawnE..." -> "mote::user::spawn".
// Writes into `out` (NUL-terminated, cut to fit); a name it does not
// understand is copied as it is.
void demangle_name(const char* name, Span<char> out);

}  // namespace mote
