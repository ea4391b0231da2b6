#include "exec/page_fill.hpp"

#include "base/checked.hpp"

namespace mote {

Result<PageFill> page_fill(const ElfSegment& segment, u64 page, u64 page_size) {
    if (page_size == 0 || (page_size & (page_size - 1)) != 0) return Error::InvalidArgument;
    if (page % page_size != 0) return Error::InvalidArgument;
    // Recomputed rather than read from map_start/map_end, so a caller's page
    // size and the decoder's cannot disagree silently.
    const u64 memory_end = TRY(checked_add(segment.vaddr, segment.memsz));
    const u64 first_page = align_down(segment.vaddr, page_size);
    const u64 end_page = TRY(align_up(memory_end, page_size));
    if (page < first_page || page >= end_page) return Error::OutOfRange;

    PageFill fill {.page = page, .offset = 0, .length = 0, .file_offset = 0};
    // The file bytes' addresses, [vaddr, vaddr + filesz), clipped to the page.
    // page + page_size cannot wrap: the page is below end_page.
    const u64 file_bytes_end = TRY(checked_add(segment.vaddr, segment.filesz));
    const u64 start = max(page, segment.vaddr);
    const u64 end = min(page + page_size, file_bytes_end);
    if (start >= end) return fill;
    fill.offset = start - page;
    fill.length = end - start;
    fill.file_offset = TRY(checked_add(segment.file_offset, start - segment.vaddr));
    return fill;
}

}  // namespace mote
