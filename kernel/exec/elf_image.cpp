#include "exec/elf_image.hpp"

#include "base/checked.hpp"
#include "core/log.hpp"
#include "exec/elf_format.hpp"
#include "exec/elf_stats.hpp"

namespace mote {

namespace {

using namespace elf;

bool is_power_of_two(u64 value) { return value != 0 && (value & (value - 1)) == 0; }

// One program header, as read from the file.
struct ProgramHeader {
    u32 type;
    u32 flags;
    u64 offset;
    u64 vaddr;
    u64 filesz;
    u64 memsz;
    u64 align;
};

ProgramHeader read_program_header(const u8* entry) {
    return ProgramHeader {
        .type = load_le32(entry + kPhType),
        .flags = load_le32(entry + kPhFlags),
        .offset = load_le64(entry + kPhOffset),
        .vaddr = load_le64(entry + kPhVaddr),
        .filesz = load_le64(entry + kPhFileSz),
        .memsz = load_le64(entry + kPhMemSz),
        .align = load_le64(entry + kPhAlign),
    };
}

// e_ident, e_type, e_machine, e_version and the header's size fields.
ElfFault check_header(ReadonlyBytes file, const ElfRules& rules) {
    if (file.size() < kHeaderSize) return ElfFault::TruncatedHeader;
    const u8* header = file.data();
    for (usize i = 0; i < sizeof(kMagic); ++i)
        if (header[i] != kMagic[i]) return ElfFault::BadMagic;
    if (header[kIdentClass] != kClass64) return ElfFault::BadClass;
    if (header[kIdentData] != kDataLittleEndian) return ElfFault::BadEncoding;
    if (header[kIdentVersion] != kVersionCurrent || load_le32(header + kVersion) != kVersionCurrent)
        return ElfFault::BadVersion;
    // GNU tools mark a file ELFOSABI_GNU only when it uses GNU extensions
    // (IFUNC, unique symbols) that need the GNU dynamic linker or libc.
    if (header[kIdentOsAbi] != kOsAbiSystemV) return ElfFault::BadOsAbi;
    const u16 type = load_le16(header + kType);
    // ET_DYN would need a load base and self-relocation (static-PIE's
    // _dl_relocate_static_pie); Mote's programs are linked at fixed addresses.
    if (type == kTypeShared) return ElfFault::PositionIndependent;
    if (type != kTypeExecutable) return ElfFault::NotExecutable;
    if (load_le16(header + kMachine) != rules.machine) return ElfFault::WrongMachine;
    if (load_le16(header + kEhSize) != kHeaderSize) return ElfFault::BadHeaderSize;
    // The gABI lets e_phentsize grow for future fields; no ELF64 tool has
    // ever written anything but 56, so anything else is a corrupt file.
    if (load_le16(header + kPhEntSize) != kPhEntrySize) return ElfFault::BadProgramHeaderSize;
    return ElfFault::None;
}

// One PT_LOAD entry. Adds it to `out` unless it is empty.
ElfFault check_load(const ProgramHeader& ph, ReadonlyBytes file, const ElfRules& rules, ElfImage& out) {
    // 0 and 1 both mean "no alignment constraint" (gABI).
    if (ph.align > 1 && !is_power_of_two(ph.align)) return ElfFault::BadAlignment;
    auto file_end = checked_add(ph.offset, ph.filesz);
    if (file_end.is_error()) return ElfFault::SegmentFileWraps;
    if (file_end.value() > file.size()) return ElfFault::SegmentOutOfFile;
    if (ph.filesz > ph.memsz) return ElfFault::FileSizeExceedsMemSize;
    // An empty segment maps nothing; linkers emit one now and then.
    if (ph.memsz == 0) return ElfFault::None;
    // The gABI requires p_vaddr == p_offset modulo p_align, which is what
    // lets a loader map file pages directly; Mote copies, but a file that
    // breaks this was not linked for paging and is refused all the same.
    if (ph.vaddr % rules.page_size != ph.offset % rules.page_size) return ElfFault::SegmentMisaligned;
    auto memory_end = checked_add(ph.vaddr, ph.memsz);
    if (memory_end.is_error()) return ElfFault::SegmentWraps;
    auto map_end = align_up(memory_end.value(), rules.page_size);
    if (map_end.is_error()) return ElfFault::SegmentWraps;
    // user_base and user_limit are page-aligned, so these compare the
    // page-rounded extent too.
    if (ph.vaddr < rules.user_base) return ElfFault::SegmentBelowBase;
    if (map_end.value() > rules.user_limit) return ElfFault::SegmentAboveLimit;
    if ((ph.flags & kPfWrite) && (ph.flags & kPfExecute)) return ElfFault::WritableAndExecutable;
    if (out.segment_count == kElfMaxSegments) return ElfFault::TooManySegments;

    u8 permissions = 0;
    if (ph.flags & kPfRead) permissions |= kElfRead;
    if (ph.flags & kPfWrite) permissions |= kElfWrite;
    if (ph.flags & kPfExecute) permissions |= kElfExecute;
    out.segment_table[out.segment_count++] = ElfSegment {
        .vaddr = ph.vaddr,
        .memsz = ph.memsz,
        .file_offset = ph.offset,
        .filesz = ph.filesz,
        .map_start = align_down(ph.vaddr, rules.page_size),
        .map_end = map_end.value(),
        .permissions = permissions,
    };
    return ElfFault::None;
}

// Insertion sort by address: at most kElfMaxSegments entries.
void sort_segments(ElfImage& image) {
    for (usize i = 1; i < image.segment_count; ++i) {
        ElfSegment moving = image.segment_table[i];
        usize j = i;
        for (; j > 0 && image.segment_table[j - 1].vaddr > moving.vaddr; --j)
            image.segment_table[j] = image.segment_table[j - 1];
        image.segment_table[j] = moving;
    }
}

}  // namespace

ElfFault validate_elf(ReadonlyBytes file, const ElfRules& rules, ElfImage& out) {
    VERIFY(is_power_of_two(rules.page_size));
    VERIFY(rules.user_base % rules.page_size == 0 && rules.user_limit % rules.page_size == 0);
    VERIFY(rules.user_base < rules.user_limit);
    // Only the counted part of the segment table is ever read.
    out.machine = 0;
    out.entry = out.extent_start = out.extent_end = 0;
    out.segment_count = 0;

    if (ElfFault fault = check_header(file, rules); fault != ElfFault::None) return fault;
    const u8* header = file.data();

    // The table's size cannot wrap (two u16s); its end can.
    const u64 phoff = load_le64(header + kPhOff);
    const u16 phnum = load_le16(header + kPhNum);
    auto table_end = checked_add(phoff, u64(phnum) * kPhEntrySize);
    if (table_end.is_error()) return ElfFault::ProgramHeadersWrap;
    if (table_end.value() > file.size()) return ElfFault::ProgramHeadersOutOfBounds;
    // Also catches PN_XNUM (0xffff: the real count is in a section header).
    if (phnum > kElfMaxProgramHeaders) return ElfFault::TooManyProgramHeaders;

    // Faults are reported in table order: the first bad entry names the fault.
    for (u16 i = 0; i < phnum; ++i) {
        ProgramHeader ph = read_program_header(header + phoff + u64(i) * kPhEntrySize);
        switch (ph.type) {
        case kPtLoad:
            if (ElfFault fault = check_load(ph, file, rules, out); fault != ElfFault::None) return fault;
            break;
        case kPtInterp: return ElfFault::HasInterpreter;
        case kPtDynamic: return ElfFault::HasDynamic;
        case kPtGnuStack:
            if (ph.flags & kPfExecute) return ElfFault::ExecutableStack;
            break;
        default: break;  // PT_NOTE, PT_PHDR, PT_TLS, PT_GNU_*: nothing for the loader
        }
    }
    if (out.segment_count == 0) return ElfFault::NoLoadSegment;

    // Page granular, because a page has one set of permissions and one owner.
    sort_segments(out);
    for (usize i = 1; i < out.segment_count; ++i)
        if (out.segment_table[i].map_start < out.segment_table[i - 1].map_end) return ElfFault::SegmentsOverlap;

    out.entry = load_le64(header + kEntry);
    bool entry_ok = false;
    for (const ElfSegment& segment : out.segments())
        if (segment.executable() && segment.contains(out.entry)) entry_ok = true;
    if (!entry_ok) return ElfFault::EntryNotExecutable;

    out.machine = rules.machine;
    out.extent_start = out.segment_table[0].map_start;
    out.extent_end = out.segment_table[out.segment_count - 1].map_end;
    return ElfFault::None;
}

Result<void> decode_elf(ReadonlyBytes file, const ElfRules& rules, ElfImage& image, ElfFault* fault) {
    const ElfFault found = validate_elf(file, rules, image);
    if (fault) *fault = found;
    ElfStats& stats = elf_stats();
    if (found != ElfFault::None) {
        ++stats.refused;
        ++stats.faults[usize(found)];
        log_warn("elf", "program refused: {} ({} bytes)", elf_fault_name(found), file.size());
        return elf_fault_error(found);
    }
    ++stats.accepted;
    return {};
}

}  // namespace mote
