// The parts of the ELF64 file format that Mote's program loader reads.
//
// Numbers and byte offsets are from the System V ABI (gABI), "ELF Header"
// and "Program Header", for ELFCLASS64. The loader reads every field byte by
// byte at these offsets (never by casting the file to a struct), so an
// unaligned or truncated file cannot cause an unaligned or out-of-bounds read.
#pragma once

#include "base/types.hpp"

namespace mote::elf {

// e_ident (gABI "ELF Identification").
inline constexpr u8 kMagic[4] = {0x7f, 'E', 'L', 'F'};
inline constexpr usize kIdentClass = 4;       // EI_CLASS
inline constexpr usize kIdentData = 5;        // EI_DATA
inline constexpr usize kIdentVersion = 6;     // EI_VERSION
inline constexpr usize kIdentOsAbi = 7;       // EI_OSABI
inline constexpr u8 kClass64 = 2;             // ELFCLASS64
inline constexpr u8 kDataLittleEndian = 1;    // ELFDATA2LSB
inline constexpr u8 kVersionCurrent = 1;      // EV_CURRENT, in e_ident and e_version
inline constexpr u8 kOsAbiSystemV = 0;        // ELFOSABI_NONE == ELFOSABI_SYSV

// ELF64 header fields: byte offsets and the header's own size.
inline constexpr usize kType = 16;        // e_type, u16
inline constexpr usize kMachine = 18;     // e_machine, u16
inline constexpr usize kVersion = 20;     // e_version, u32
inline constexpr usize kEntry = 24;       // e_entry, u64
inline constexpr usize kPhOff = 32;       // e_phoff, u64
inline constexpr usize kEhSize = 52;      // e_ehsize, u16
inline constexpr usize kPhEntSize = 54;   // e_phentsize, u16
inline constexpr usize kPhNum = 56;       // e_phnum, u16
inline constexpr usize kHeaderSize = 64;  // sizeof(Elf64_Ehdr)

// e_type.
inline constexpr u16 kTypeRelocatable = 1;  // ET_REL
inline constexpr u16 kTypeExecutable = 2;   // ET_EXEC
inline constexpr u16 kTypeShared = 3;       // ET_DYN (shared object or PIE)
inline constexpr u16 kTypeCore = 4;         // ET_CORE

// e_machine values of the ISAs Mote runs on.
inline constexpr u16 kMachineX86_64 = 62;    // EM_X86_64
inline constexpr u16 kMachineAArch64 = 183;  // EM_AARCH64
inline constexpr u16 kMachineRiscV = 243;    // EM_RISCV

// ELF64 program header fields: byte offsets and the entry's size.
inline constexpr usize kPhType = 0;     // p_type, u32
inline constexpr usize kPhFlags = 4;    // p_flags, u32
inline constexpr usize kPhOffset = 8;   // p_offset, u64
inline constexpr usize kPhVaddr = 16;   // p_vaddr, u64
inline constexpr usize kPhFileSz = 32;  // p_filesz, u64
inline constexpr usize kPhMemSz = 40;   // p_memsz, u64
inline constexpr usize kPhAlign = 48;   // p_align, u64
inline constexpr usize kPhEntrySize = 56;  // sizeof(Elf64_Phdr)

// p_type.
inline constexpr u32 kPtLoad = 1;               // PT_LOAD
inline constexpr u32 kPtDynamic = 2;            // PT_DYNAMIC
inline constexpr u32 kPtInterp = 3;             // PT_INTERP
inline constexpr u32 kPtGnuStack = 0x6474e551;  // PT_GNU_STACK: its flags say whether the stack is executable

// p_flags.
inline constexpr u32 kPfExecute = 1;  // PF_X
inline constexpr u32 kPfWrite = 2;    // PF_W
inline constexpr u32 kPfRead = 4;     // PF_R

// Little-endian loads from a byte pointer the caller has bounds-checked.
// Section headers (for the symbol table only: loading never reads them).
inline constexpr usize kShOff = 40;           // e_shoff, u64
inline constexpr usize kShEntSize = 58;       // e_shentsize, u16
inline constexpr usize kShNum = 60;           // e_shnum, u16
inline constexpr usize kShEntrySize = 64;     // sizeof(Elf64_Shdr)
inline constexpr usize kShType = 4;           // sh_type, u32
inline constexpr usize kShOffset = 24;        // sh_offset, u64
inline constexpr usize kShSize = 32;          // sh_size, u64
inline constexpr usize kShLink = 40;          // sh_link, u32
inline constexpr u32 kShtSymtab = 2;          // SHT_SYMTAB
inline constexpr u32 kShtStrtab = 3;          // SHT_STRTAB
inline constexpr usize kSymEntrySize = 24;    // sizeof(Elf64_Sym)
inline constexpr usize kSymName = 0;          // st_name, u32
inline constexpr usize kSymInfo = 4;          // st_info, u8 (type in the low 4 bits)
inline constexpr usize kSymValue = 8;         // st_value, u64
inline constexpr usize kSymSize = 16;         // st_size, u64
inline constexpr u8 kSttFunc = 2;             // STT_FUNC

inline u16 load_le16(const u8* p) { return u16(p[0] | (p[1] << 8)); }
inline u32 load_le32(const u8* p) { return u32(p[0]) | u32(p[1]) << 8 | u32(p[2]) << 16 | u32(p[3]) << 24; }
inline u64 load_le64(const u8* p) { return u64(load_le32(p)) | u64(load_le32(p + 4)) << 32; }

}  // namespace mote::elf
