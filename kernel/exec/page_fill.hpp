// What one page of a loaded segment holds, for the loader that fills it.
//
// A segment covers the pages [map_start, map_end). In each of them, the bytes
// that fall inside [vaddr, vaddr + filesz) come from the file; every other
// byte (the head of the first page before vaddr, the .bss tail from filesz
// to memsz, the rest of the last page) is zero. decode_elf guarantees no
// two segments share a page, so a page has exactly one answer:
//
//     zero the page; copy file[file_offset, file_offset + length) to
//     page + offset.
#pragma once

#include "base/result.hpp"
#include "base/types.hpp"
#include "exec/elf_image.hpp"

namespace mote {

struct PageFill {
    u64 page;         // the page's address
    u64 offset;       // where in the page the file bytes start (< page size)
    u64 length;       // how many bytes come from the file (0: an all-zero page)
    u64 file_offset;  // where in the file they are (meaningless when length is 0)
};

// The fill of the page at `page` of `segment`. InvalidArgument if
// `page_size` is not a power of two or `page` is not aligned to it;
// OutOfRange if the page is not one of the segment's pages. For a segment
// from decode_elf (with the same page size), [file_offset, file_offset +
// length) is inside the file that was decoded.
Result<PageFill> page_fill(const ElfSegment& segment, u64 page, u64 page_size);

}  // namespace mote
