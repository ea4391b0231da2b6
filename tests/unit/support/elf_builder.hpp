// A small ELF64 little-endian writer for the tests of kernel/exec/.
//
// It shares nothing with the decoder: its own constants (from the gABI), its
// own byte-by-byte stores. Every header field is a plain member so a test
// can write any lie into it; build() lays the file out as told, without
// checking anything.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

namespace test_elf {

// gABI numbers the tests name.
constexpr uint16_t kEtRel = 1, kEtExec = 2, kEtDyn = 3, kEtCore = 4;
constexpr uint16_t kEmX86_64 = 62, kEmAArch64 = 183, kEmRiscV = 243, kEm386 = 3;
constexpr uint32_t kPtLoad = 1, kPtDynamic = 2, kPtInterp = 3, kPtNote = 4, kPtPhdr = 6, kPtTls = 7;
constexpr uint32_t kPtGnuStack = 0x6474e551, kPtGnuRelro = 0x6474e552;
constexpr uint32_t kPfX = 1, kPfW = 2, kPfR = 4;

struct Phdr {
    uint32_t type = kPtLoad;
    uint32_t flags = kPfR;
    uint64_t offset = 0;
    uint64_t vaddr = 0;
    uint64_t paddr = 0;
    uint64_t filesz = 0;
    uint64_t memsz = 0;
    uint64_t align = 0x1000;
};

// The byte a file holds at `offset` outside the headers: never zero, and
// different on neighbouring bytes, so a copy from the wrong place shows.
inline uint8_t content_byte(uint64_t offset) { return uint8_t((offset * 7 + 3) % 251 + 1); }

struct ElfFile {
    uint8_t magic[4] = {0x7f, 'E', 'L', 'F'};
    uint8_t ident_class = 2;    // ELFCLASS64
    uint8_t ident_data = 1;     // ELFDATA2LSB
    uint8_t ident_version = 1;  // EV_CURRENT
    uint8_t ident_osabi = 0;    // ELFOSABI_NONE
    uint16_t type = kEtExec;
    uint16_t machine = kEmX86_64;
    uint32_t version = 1;
    uint64_t entry = 0;
    uint64_t phoff = 64;
    uint64_t shoff = 0;
    uint32_t flags = 0;
    uint16_t ehsize = 64;
    uint16_t phentsize = 56;
    std::optional<uint16_t> phnum;  // default: phdrs.size()
    std::vector<Phdr> phdrs;

    // Layout: the file is long enough for the header, the table (if
    // table_in_file) and every segment's file bytes (if segments_in_file and
    // the end is below 16 MiB), then cut to truncate_to if set.
    bool table_in_file = true;
    bool segments_in_file = true;
    std::optional<size_t> truncate_to;

    std::vector<uint8_t> build() const {
        constexpr uint64_t kCap = 16u << 20;
        uint64_t size = 64;
        const uint64_t table_bytes = uint64_t(phdrs.size()) * 56;
        if (table_in_file && phoff < kCap) size = std::max(size, phoff + table_bytes);
        if (segments_in_file)
            for (const Phdr& p : phdrs)
                if (p.offset < kCap && p.filesz < kCap) size = std::max(size, p.offset + p.filesz);

        std::vector<uint8_t> out(size);
        for (uint64_t i = 0; i < size; ++i) out[i] = content_byte(i);
        auto put = [&out](uint64_t at, uint64_t value, int bytes) {
            for (int i = 0; i < bytes; ++i)
                if (at + i < out.size()) out[at + i] = uint8_t(value >> (8 * i));
        };
        for (int i = 0; i < 4; ++i) out[i] = magic[i];
        out[4] = ident_class;
        out[5] = ident_data;
        out[6] = ident_version;
        out[7] = ident_osabi;
        for (int i = 8; i < 16; ++i) out[i] = 0;  // EI_ABIVERSION and padding
        put(16, type, 2);
        put(18, machine, 2);
        put(20, version, 4);
        put(24, entry, 8);
        put(32, phoff, 8);
        put(40, shoff, 8);
        put(48, flags, 4);
        put(52, ehsize, 2);
        put(54, phentsize, 2);
        put(56, phnum.value_or(uint16_t(phdrs.size())), 2);
        put(58, 64, 2);  // e_shentsize
        put(60, 0, 2);   // e_shnum
        put(62, 0, 2);   // e_shstrndx
        if (table_in_file && phoff < kCap) {
            for (size_t i = 0; i < phdrs.size(); ++i) {
                const Phdr& p = phdrs[i];
                const uint64_t at = phoff + i * 56;
                put(at + 0, p.type, 4);
                put(at + 4, p.flags, 4);
                put(at + 8, p.offset, 8);
                put(at + 16, p.vaddr, 8);
                put(at + 24, p.paddr, 8);
                put(at + 32, p.filesz, 8);
                put(at + 40, p.memsz, 8);
                put(at + 48, p.align, 8);
            }
        }
        if (truncate_to && *truncate_to < out.size()) out.resize(*truncate_to);
        return out;
    }
};

// A typical static program, as lld lays one out (headers in the first,
// read-only segment), with the table out of address order and two entries
// the loader ignores:
//   0x400000 r--  file 0x0000, 0x1c0 bytes      (ELF and program headers)
//   0x401000 r-x  file 0x1000, 0x1234 bytes     (.text; entry 0x401100)
//   0x403010 rw-  file 0x3010, 0x20 bytes of 0x2000 (.data, then .bss)
inline ElfFile good_program(uint16_t machine) {
    ElfFile f;
    f.machine = machine;
    f.entry = 0x401100;
    f.phdrs = {
        Phdr {.type = kPtLoad, .flags = kPfR | kPfW, .offset = 0x3010, .vaddr = 0x403010, .paddr = 0x403010,
              .filesz = 0x20, .memsz = 0x2000, .align = 0x1000},
        Phdr {.type = kPtLoad, .flags = kPfR | kPfX, .offset = 0x1000, .vaddr = 0x401000, .paddr = 0x401000,
              .filesz = 0x1234, .memsz = 0x1234, .align = 0x1000},
        Phdr {.type = kPtGnuStack, .flags = kPfR | kPfW, .align = 16},
        Phdr {.type = kPtLoad, .flags = kPfR, .offset = 0, .vaddr = 0x400000, .paddr = 0x400000, .filesz = 0x1c0,
              .memsz = 0x1c0, .align = 0x1000},
        Phdr {.type = kPtNote, .flags = kPfR, .offset = 0x1c0, .vaddr = 0x4001c0, .filesz = 0x24, .memsz = 0x24,
              .align = 4},
    };
    return f;
}

// Indexes of good_program's entries.
constexpr size_t kData = 0, kText = 1, kStack = 2, kHeaders = 3, kNote = 4;

}  // namespace test_elf
