// Why an ELF file was refused as a program.
//
// decode_elf (elf_image.hpp) reports one of the kernel's closed Error values
// (elf_fault_error says which); the named fault is for the log line, the
// per-fault counters (elf_stats.hpp) and the tests, which must be able to
// tell "segment past the end of the file" from "segment in the kernel half".
#pragma once

#include "base/error.hpp"
#include "base/types.hpp"

namespace mote {

enum class ElfFault : u8 {
    None,                       // no fault: the program is loadable
    // The header.
    TruncatedHeader,            // fewer bytes than the 64-byte ELF64 header
    BadMagic,                   // not 0x7f 'E' 'L' 'F'
    BadClass,                   // not ELFCLASS64 (a 32-bit or invalid class)
    BadEncoding,                // not ELFDATA2LSB (big-endian or invalid)
    BadVersion,                 // EI_VERSION or e_version is not EV_CURRENT
    BadOsAbi,                   // EI_OSABI is neither none nor System V
    NotExecutable,              // e_type is ET_REL, ET_CORE or undefined: not a program
    PositionIndependent,        // e_type is ET_DYN: static-PIE and shared objects are not loaded
    WrongMachine,               // e_machine is not the ISA this kernel runs
    BadHeaderSize,              // e_ehsize is not 64
    BadProgramHeaderSize,       // e_phentsize is not 56
    // The program header table.
    ProgramHeadersWrap,         // e_phoff + the table's size wraps around 2^64
    ProgramHeadersOutOfBounds,  // the table ends past the end of the file
    TooManyProgramHeaders,      // more than kElfMaxProgramHeaders entries
    HasInterpreter,             // PT_INTERP: asks for a dynamic linker
    HasDynamic,                 // PT_DYNAMIC: needs dynamic relocation
    ExecutableStack,            // PT_GNU_STACK asks for an executable stack
    // One PT_LOAD segment.
    BadAlignment,               // p_align is neither 0 nor a power of two
    SegmentFileWraps,           // p_offset + p_filesz wraps around 2^64
    SegmentOutOfFile,           // p_offset + p_filesz is past the end of the file
    FileSizeExceedsMemSize,     // p_filesz > p_memsz
    SegmentMisaligned,          // p_vaddr and p_offset differ modulo the page size
    SegmentWraps,               // p_vaddr + p_memsz (rounded to pages) wraps around 2^64
    SegmentBelowBase,           // starts below the lowest user address
    SegmentAboveLimit,          // ends above the user limit (the kernel half, the map area)
    WritableAndExecutable,      // both PF_W and PF_X: refused (W^X)
    TooManySegments,            // more than kElfMaxSegments non-empty PT_LOAD segments
    // The segments together.
    SegmentsOverlap,            // two PT_LOAD segments share a page
    NoLoadSegment,              // no non-empty PT_LOAD segment at all
    EntryNotExecutable,         // e_entry is not inside an executable segment
};

inline constexpr usize kElfFaultCount = 31;
static_assert(usize(ElfFault::EntryNotExecutable) + 1 == kElfFaultCount,
              "update kElfFaultCount, elf_fault_name and elf_fault_error");

// A stable name ("SegmentOutOfFile") for logs and tests.
const char* elf_fault_name(ElfFault fault);

// The Error a fault is reported as: Unsupported for a well-formed file this
// kernel will not run (another ISA, 32-bit, dynamic linking, a W^X
// violation, more segments than it keeps), Malformed for the rest.
// None has no error; asking for it is a VERIFY failure.
Error elf_fault_error(ElfFault fault);

}  // namespace mote
