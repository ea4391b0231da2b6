// A program as the loader needs it: the entry point and the PT_LOAD
// segments of an ELF64 static executable, validated against ElfRules.
//
// decode_elf is the "decode" half of loading. It reads only the bytes it is
// given, allocates nothing and changes nothing but its counters; every
// offset and address it returns has been checked, so the loader (the
// "perform" half) can map and fill pages without checking again:
//   - every segment's file bytes [file_offset, file_offset + filesz) lie
//     inside the file, and filesz <= memsz;
//   - every segment's pages [map_start, map_end) lie inside
//     [rules.user_base, rules.user_limit), and no two segments share a page;
//   - no segment is both writable and executable;
//   - the entry point lies inside an executable segment.
// What each page of a segment holds is page_fill's answer (page_fill.hpp).
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"
#include "base/types.hpp"
#include "exec/elf_fault.hpp"
#include "exec/elf_rules.hpp"

namespace mote {

// More PT_LOAD segments than this are refused (TooManySegments); real
// static programs have two to four. The program header table as a whole
// (PT_NOTE, PT_GNU_STACK, PT_TLS, ...) may have kElfMaxProgramHeaders.
inline constexpr usize kElfMaxSegments = 16;
inline constexpr usize kElfMaxProgramHeaders = 64;

// Segment permissions: the same bits as abi::MapFlags, so the loader can pass
// them on unchanged.
enum ElfPermission : u8 {
    kElfRead = 1,
    kElfWrite = 2,
    kElfExecute = 4,
};
static_assert(u64(kElfRead) == u64(abi::kMapRead) && u64(kElfWrite) == u64(abi::kMapWrite) &&
              u64(kElfExecute) == u64(abi::kMapExecute));

struct ElfSegment {
    u64 vaddr;        // p_vaddr: where the segment's first byte goes
    u64 memsz;        // p_memsz: bytes in memory (> 0)
    u64 file_offset;  // p_offset: where its first byte is in the file
    u64 filesz;       // p_filesz: bytes taken from the file; the rest up to memsz are zero
    u64 map_start;    // vaddr rounded down to the page size
    u64 map_end;      // vaddr + memsz rounded up to the page size
    u8 permissions;   // ElfPermission bits

    bool readable() const { return permissions & kElfRead; }
    bool writable() const { return permissions & kElfWrite; }
    bool executable() const { return permissions & kElfExecute; }
    bool contains(u64 address) const { return address >= vaddr && address - vaddr < memsz; }
};

struct ElfImage {
    u16 machine = 0;
    u64 entry = 0;
    // The page-rounded span from the lowest segment's map_start to the
    // highest one's map_end (there may be unmapped pages in between).
    u64 extent_start = 0;
    u64 extent_end = 0;
    usize segment_count = 0;
    // [0, segment_count), sorted by vaddr; the rest is never read, so not
    // zeroed (a spawn's image lives on the stack).
    ElfSegment segment_table[kElfMaxSegments];

    Span<const ElfSegment> segments() const { return Span<const ElfSegment>(segment_table, segment_count); }
};

// Decodes and validates `file` (the whole file) as a program for `rules`,
// into `out` (in place: an ElfImage is about 1 KiB, and every spawn decodes
// one; returned by value it was copied four times). On failure returns
// elf_fault_error(fault), stores the fault in `*fault` (if given; None on
// success), counts it in elf_stats() and logs one warning naming it; `out`
// is then meaningless. Empty PT_LOAD segments (p_memsz 0) are checked against the
// file and then dropped. Other program header types are ignored, except
// PT_INTERP and PT_DYNAMIC (refused: no dynamic linking) and PT_GNU_STACK
// with PF_X (refused: the stack is never executable).
Result<void> decode_elf(ReadonlyBytes file, const ElfRules& rules, ElfImage& out, ElfFault* fault = nullptr);

// The same decision without the log line or the counters; `out` is only
// meaningful when it returns ElfFault::None.
ElfFault validate_elf(ReadonlyBytes file, const ElfRules& rules, ElfImage& out);

}  // namespace mote
