// Decodes arbitrary bytes as an ELF program and, when the decoder accepts
// them, checks every promise elf_image.hpp makes against the bytes
// themselves, then asks page_fill about every page of every segment the way
// the loader will. Any crash, sanitizer report or VERIFY failure is a bug.
//
// The input is the file itself, so the seeds (make_elf_seeds.py) are whole
// programs for the three ISAs. The rules' machine is taken from the file's
// e_machine when it is one of Mote's ISAs, so all three reach the segment
// checks. The file is decoded from an unaligned copy to catch any read that
// assumes alignment. The same bytes then go through the symbol lookups a
// user crash report makes (one address, and a backtrace's several).
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/verify.hpp"
#include "exec/elf_image.hpp"
#include "exec/elf_symbols.hpp"
#include "exec/page_fill.hpp"

using namespace mote;

namespace {

volatile u64 g_sink;

// Enough pages per segment to see the first, the last and the ones in
// between, without letting one huge .bss take the whole run.
constexpr u64 kPagesPerSegmentEnd = 8;

u16 machine_for(const uint8_t* data, size_t size) {
    if (size < 20) return elf::kMachineX86_64;
    const u16 machine = u16(data[18] | (data[19] << 8));
    if (machine == elf::kMachineAArch64 || machine == elf::kMachineRiscV) return machine;
    return elf::kMachineX86_64;
}

void check_page(const ElfSegment& s, u64 page, u64 page_size, size_t file_size) {
    auto fill = page_fill(s, page, page_size);
    VERIFY(fill.ok());
    const PageFill& f = fill.value();
    VERIFY(f.page == page);
    VERIFY(f.offset < page_size && f.length <= page_size - f.offset);
    if (f.length == 0) return;
    // The file bytes are the segment's own, at the matching addresses.
    VERIFY(f.file_offset >= s.file_offset && f.file_offset - s.file_offset + f.length <= s.filesz);
    VERIFY(f.file_offset <= file_size && f.length <= file_size - f.file_offset);
    VERIFY(page + f.offset - s.vaddr == f.file_offset - s.file_offset);
    g_sink = g_sink + f.file_offset + f.length;
}

void check_image(const ElfImage& image, const ElfRules& rules, size_t file_size) {
    VERIFY(image.segment_count >= 1 && image.segment_count <= kElfMaxSegments);
    VERIFY(image.machine == rules.machine);
    bool entry_found = false;
    const ElfSegment* previous = nullptr;
    for (const ElfSegment& s : image.segments()) {
        VERIFY(s.memsz > 0 && s.filesz <= s.memsz);
        VERIFY(s.file_offset <= file_size && s.filesz <= file_size - s.file_offset);
        VERIFY(!(s.writable() && s.executable()));
        VERIFY(s.map_start % rules.page_size == 0 && s.map_end % rules.page_size == 0);
        VERIFY(s.map_start <= s.vaddr && s.vaddr - s.map_start < rules.page_size);
        VERIFY(s.vaddr + s.memsz <= s.map_end && s.map_end - (s.vaddr + s.memsz) < rules.page_size);
        VERIFY(s.map_start >= rules.user_base && s.map_end <= rules.user_limit);
        VERIFY(s.vaddr % rules.page_size == s.file_offset % rules.page_size);
        if (previous) VERIFY(previous->map_end <= s.map_start);
        if (s.executable() && s.contains(image.entry)) entry_found = true;
        previous = &s;

        // Every page of a short segment; the ends of a long one.
        const u64 pages = (s.map_end - s.map_start) / rules.page_size;
        for (u64 i = 0; i < pages; ++i) {
            if (i == kPagesPerSegmentEnd && pages > 2 * kPagesPerSegmentEnd) i = pages - kPagesPerSegmentEnd;
            check_page(s, s.map_start + i * rules.page_size, rules.page_size, file_size);
        }
        // And never a page outside it.
        VERIFY(page_fill(s, s.map_end, rules.page_size).error() == Error::OutOfRange);
        if (s.map_start >= rules.page_size)
            VERIFY(page_fill(s, s.map_start - rules.page_size, rules.page_size).error() == Error::OutOfRange);
    }
    VERIFY(entry_found);
    VERIFY(image.extent_start == image.segments()[0].map_start);
    VERIFY(image.extent_end == image.segments()[image.segment_count - 1].map_end);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    uint8_t* copy = static_cast<uint8_t*>(malloc(size + 1));
    if (!copy) return 0;
    if (size) memcpy(copy + 1, data, size);

    ElfRules rules = kBuildElfRules;
    rules.machine = machine_for(data, size);
    ElfFault fault = ElfFault::BadMagic;
    ElfImage image;
    auto decoded = decode_elf(ReadonlyBytes(copy + 1, size), rules, image, &fault);
    VERIFY(decoded.ok() == (fault == ElfFault::None));
    VERIFY(elf_fault_name(fault) != nullptr);
    if (decoded.is_error()) {
        VERIFY(decoded.error() == elf_fault_error(fault));
    } else {
        check_image(image, rules, size);
        // The decision does not depend on the log or counters, nor on what
        // the image held before.
        ElfImage again;
        again.segment_count = kElfMaxSegments;
        again.entry = ~u64(0);
        VERIFY(validate_elf(ReadonlyBytes(copy + 1, size), rules, again) == ElfFault::None);
        VERIFY(again.segment_count == image.segment_count && again.entry == image.entry);
    }
    // The symbol lookup a fault report makes, on the same bytes, at an
    // address taken from the input: any answer but a crash will do.
    struct Bytes {
        const uint8_t* data;
        size_t size;
    } bytes {copy + 1, size};
    auto reader = [](void* context, u64 offset, Span<u8> out) -> Result<usize> {
        auto* b = static_cast<Bytes*>(context);
        if (offset >= b->size) return usize(0);
        size_t n = out.size() < b->size - offset ? out.size() : b->size - offset;
        memcpy(out.data(), b->data + offset, n);
        return n;
    };
    u64 address = size >= 32 ? elf::load_le64(copy + 1 + 24) : 0;
    ElfSymbolFault symbol_fault = ElfSymbolFault::Unreadable;
    auto symbol = find_elf_symbol(reader, &bytes, size, address, &symbol_fault);
    if (symbol.ok()) {
        VERIFY(strlen(symbol.value().name) <= ElfSymbol::kMaxName);
        VERIFY(symbol_fault == ElfSymbolFault::None);
    }
    // A backtrace's lookup (several addresses, one pass) agrees with the
    // single one on the same address, and a refusal names its fault.
    u64 addresses[4] = {address, address - 1, size >= 40 ? elf::load_le64(copy + 1 + 32) : 0, address + 0x40};
    ElfSymbol symbols[4];
    ElfSymbolFault lookup_fault = ElfSymbolFault::None;
    auto found = find_elf_symbols(reader, &bytes, size, Span<const u64>(addresses, 4), Span<ElfSymbol>(symbols, 4),
                                  &lookup_fault);
    if (found.is_error()) {
        // (A name past its table is a fault only for the symbols found.)
        VERIFY(lookup_fault != ElfSymbolFault::None &&
               (symbol.is_error() || lookup_fault == ElfSymbolFault::NameOutOfTable));
        VERIFY(strcmp(elf_symbol_fault_name(lookup_fault), "UnknownElfSymbolFault") != 0);
        for (const ElfSymbol& s : symbols) VERIFY(!s.found);
    } else {
        VERIFY(lookup_fault == ElfSymbolFault::None && found.value() <= 4);
        usize count = 0;
        for (const ElfSymbol& s : symbols) {
            count += s.found;
            VERIFY(strlen(s.name) <= ElfSymbol::kMaxName);
        }
        VERIFY(count == found.value());
        VERIFY(symbols[0].found == symbol.ok());
        if (symbol.ok())
            VERIFY(strcmp(symbols[0].name, symbol.value().name) == 0 && symbols[0].offset == symbol.value().offset);
    }
    free(copy);
    return 0;
}
