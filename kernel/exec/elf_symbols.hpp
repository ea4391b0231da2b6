// The function an address is in, from a program's ELF symbol table: what
// a user fault report names ("pc 0x4016d8 (main+0x38)").
//
// Reads the file through a callback, a piece at a time (the header, one
// section header, a few symbols, one name), so it works on any filesystem
// and never holds the file in memory; a backtrace's addresses are all
// looked up in one pass over the symbol table. Untrusted input like every
// ELF: every offset is checked against the file's size, the section and
// symbol counts are bounded, names are cut at kMaxName, and a table that
// is wrong is refused with a named ElfSymbolFault (Malformed); a file
// without sections or a symbol table, or an address no function covers, is
// NotFound. The report then shows the bare address.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"

namespace mote {

struct ElfSymbol {
    static constexpr usize kMaxName = 63;
    char name[kMaxName + 1] = {};
    u64 offset = 0;  // the address minus the symbol's start
    bool found = false;
};

enum class ElfSymbolFault : u8 {
    None,
    Unreadable,           // the reader failed or came back short
    TruncatedHeader,      // shorter than the 64-byte ELF64 header
    BadMagic,             // not 0x7f 'E' 'L' 'F'
    BadClass,             // not ELFCLASS64, little-endian
    NoSections,           // e_shoff or e_shnum is 0 (NotFound: stripped)
    BadSectionEntrySize,  // e_shentsize is not 64
    TooManySections,      // more than kMaxSections
    SectionOutOfFile,     // a section header, or a section's bytes, past the end of the file
    NoSymbolTable,        // no SHT_SYMTAB section (NotFound)
    BadLink,              // the symbol table's sh_link is past the section table
    LinkNotStringTable,   // ... or names a section that is not SHT_STRTAB
    BadSymbolTableSize,   // sh_size is not a whole number of 24-byte symbols
    TooManySymbols,       // more than kMaxSymbols
    NameOutOfTable,       // a found symbol's st_name is past its string table
};
const char* elf_symbol_fault_name(ElfSymbolFault fault);

// Copies [offset, offset + out.size()) of the file into `out`; returns the
// bytes copied (fewer only at the end of the file).
using ElfFileReader = Result<usize> (*)(void* context, u64 offset, Span<u8> out);

// The function each of `addresses` is in, into out[i] (found or not), in
// one pass over the symbol table. Returns how many were found; an error
// (with `fault` saying which) if the file's table cannot be used at all.
// out.size() must be at least addresses.size() (at most kMaxElfLookups).
inline constexpr usize kMaxElfLookups = 32;
Result<usize> find_elf_symbols(ElfFileReader read, void* context, u64 file_size, Span<const u64> addresses,
                               Span<ElfSymbol> out, ElfSymbolFault* fault = nullptr);
// One address: NotFound when no function holds it.
Result<ElfSymbol> find_elf_symbol(ElfFileReader read, void* context, u64 file_size, u64 address,
                                  ElfSymbolFault* fault = nullptr);

// The readable part of an Itanium-ABI mangled C++ name, for reports:
// "_Z4mainiPPc" -> "main", "_ZN4mote4user5spawnE..." -> "mote::user::spawn".
// Writes into `out` (NUL-terminated, cut to fit); a name it does not
// understand is copied as it is.
void demangle_name(const char* name, Span<char> out);

}  // namespace mote
