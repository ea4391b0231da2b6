// Tests of the ELF64 program decoder and the page-fill helper
// (kernel/exec/elf_image.hpp, page_fill.hpp).
//
// Every file comes from the independent writer in support/elf_builder.hpp.
// The good program is checked segment by segment against numbers written
// here by hand; the bad ones form one table, a row per way to be wrong,
// each expecting its exact fault; and the page fill is checked against a
// reference loader that builds memory byte by byte from the program
// headers, without the decoder's output.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "core/log.hpp"
#include "exec/elf_image.hpp"
#include "exec/elf_stats.hpp"
#include "exec/page_fill.hpp"
#include "support/elf_builder.hpp"

using namespace mote;
using namespace test_elf;

namespace {

constexpr u64 kPage = 4096;

ElfRules rules_for(u16 machine) {
    ElfRules rules = kBuildElfRules;
    rules.machine = machine;
    return rules;
}

Result<ElfImage> decode(const std::vector<uint8_t>& bytes, ElfFault* fault, u16 machine = kEmX86_64) {
    ElfImage image;
    TRY(decode_elf(ReadonlyBytes(bytes.data(), bytes.size()), rules_for(machine), image, fault));
    return image;
}

struct ExpectedSegment {
    u64 vaddr, memsz, file_offset, filesz, map_start, map_end;
    u8 permissions;
};

void expect_segments(const ElfImage& image, const std::vector<ExpectedSegment>& expected) {
    ASSERT_EQ(image.segment_count, expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
        SCOPED_TRACE("segment " + std::to_string(i));
        const ElfSegment& s = image.segments()[i];
        EXPECT_EQ(s.vaddr, expected[i].vaddr);
        EXPECT_EQ(s.memsz, expected[i].memsz);
        EXPECT_EQ(s.file_offset, expected[i].file_offset);
        EXPECT_EQ(s.filesz, expected[i].filesz);
        EXPECT_EQ(s.map_start, expected[i].map_start);
        EXPECT_EQ(s.map_end, expected[i].map_end);
        EXPECT_EQ(s.permissions, expected[i].permissions);
    }
}

std::vector<std::string> log_lines() {
    std::vector<std::string> out;
    klog().for_each_line(
        [](StringView l, void* c) { static_cast<std::vector<std::string>*>(c)->emplace_back(l.data(), l.length()); },
        &out);
    return out;
}

}  // namespace

// --- Good programs ----------------------------------------------------------

TEST(ElfDecode, GoodProgramForEachMachine) {
    for (u16 machine : {kEmX86_64, kEmAArch64, kEmRiscV}) {
        SCOPED_TRACE("machine " + std::to_string(machine));
        auto bytes = good_program(machine).build();
        ElfFault fault = ElfFault::BadMagic;
        auto image = decode(bytes, &fault, machine);
        ASSERT_TRUE(image.ok()) << elf_fault_name(fault);
        EXPECT_EQ(fault, ElfFault::None);
        EXPECT_EQ(image.value().machine, machine);
        EXPECT_EQ(image.value().entry, 0x401100u);
        EXPECT_EQ(image.value().extent_start, 0x400000u);
        EXPECT_EQ(image.value().extent_end, 0x406000u);
        // Sorted by address, whatever the table order was.
        // {vaddr, memsz, file offset, filesz, map start, map end, permissions}
        expect_segments(image.value(), {
            {0x400000, 0x1c0, 0x0, 0x1c0, 0x400000, 0x401000, kElfRead},
            {0x401000, 0x1234, 0x1000, 0x1234, 0x401000, 0x403000, kElfRead | kElfExecute},
            {0x403010, 0x2000, 0x3010, 0x20, 0x403000, 0x406000, kElfRead | kElfWrite},
        });
    }
}

TEST(ElfDecode, EachMachineIsRefusedByTheOthersRules) {
    const u16 machines[] = {kEmX86_64, kEmAArch64, kEmRiscV};
    for (u16 file_machine : machines)
        for (u16 rules_machine : machines) {
            if (file_machine == rules_machine) continue;
            ElfFault fault = ElfFault::None;
            auto image = decode(good_program(file_machine).build(), &fault, rules_machine);
            ASSERT_TRUE(image.is_error());
            EXPECT_EQ(image.error(), Error::Unsupported);
            EXPECT_EQ(fault, ElfFault::WrongMachine);
        }
}

TEST(ElfDecode, BuildRulesFollowTheAbiLayout) {
    EXPECT_EQ(kBuildElfRules.machine, kEmX86_64) << "hosted builds check against x86_64";
    EXPECT_EQ(kBuildElfRules.user_base, mote::abi::kUserBase);
    EXPECT_EQ(kBuildElfRules.user_limit, mote::abi::kMapBase);
    EXPECT_EQ(kBuildElfRules.page_size, mote::abi::kPageSize);
}

TEST(ElfDecode, UnalignedBufferDecodesTheSame) {
    auto bytes = good_program(kEmX86_64).build();
    std::vector<uint8_t> shifted(bytes.size() + 1);
    std::memcpy(shifted.data() + 1, bytes.data(), bytes.size());
    ElfImage image;
    ASSERT_TRUE(decode_elf(ReadonlyBytes(shifted.data() + 1, bytes.size()), rules_for(kEmX86_64), image).ok());
    EXPECT_EQ(image.segment_count, 3u);
    EXPECT_EQ(image.segments()[2].vaddr, 0x403010u);
}

TEST(ElfDecode, EmptyLoadSegmentsAreDropped) {
    ElfFile f = good_program(kEmX86_64);
    // Anywhere, even below the user base: it maps nothing.
    f.phdrs.push_back(Phdr {.type = kPtLoad, .flags = kPfR | kPfW | kPfX, .offset = 0x100, .vaddr = 0x5000});
    auto image = decode(f.build(), nullptr);
    ASSERT_TRUE(image.ok());
    EXPECT_EQ(image.value().segment_count, 3u);
}

TEST(ElfDecode, IgnoredHeaderTypesAndUnknownFlagBits) {
    ElfFile f = good_program(kEmX86_64);
    f.phdrs.push_back(Phdr {.type = kPtPhdr, .flags = kPfR, .offset = 64, .vaddr = 0x400040, .filesz = 0x118});
    f.phdrs.push_back(Phdr {.type = kPtTls, .flags = kPfR, .offset = 0x3010, .vaddr = 0x403010, .filesz = 8});
    f.phdrs.push_back(Phdr {.type = kPtGnuRelro, .flags = kPfR, .offset = 0x3010, .vaddr = 0x403010});
    f.phdrs.push_back(Phdr {.type = 0x70000003, .flags = kPfR});  // PT_RISCV_ATTRIBUTES
    f.phdrs[kText].flags |= 0x0ff00000;                         // PF_MASKOS bits
    f.phdrs[kData].align = 0;                                   // no alignment constraint
    auto image = decode(f.build(), nullptr);
    ASSERT_TRUE(image.ok());
    EXPECT_EQ(image.value().segments()[1].permissions, kElfRead | kElfExecute);
}

TEST(ElfDecode, ExactlyTheLimitsAreAccepted) {
    // kElfMaxSegments one-page segments, the last one executable, and a
    // table of exactly kElfMaxProgramHeaders entries.
    ElfFile f;
    for (u64 i = 0; i < kElfMaxSegments; ++i)
        f.phdrs.push_back(Phdr {.flags = kPfR, .offset = i * 0x1000, .vaddr = mote::abi::kUserBase + i * 0x1000,
                                .filesz = 0x100, .memsz = 0x100});
    f.phdrs.back().flags = kPfR | kPfX;
    f.entry = f.phdrs.back().vaddr;
    while (f.phdrs.size() < kElfMaxProgramHeaders) f.phdrs.push_back(Phdr {.type = kPtNote});
    f.phoff = 0x10000;
    auto image = decode(f.build(), nullptr);
    ASSERT_TRUE(image.ok());
    EXPECT_EQ(image.value().segment_count, kElfMaxSegments);
    EXPECT_EQ(image.value().extent_start, mote::abi::kUserBase);
    EXPECT_EQ(image.value().extent_end, mote::abi::kUserBase + kElfMaxSegments * 0x1000);

    // The last page below the user limit is still the program's.
    ElfFile top = good_program(kEmX86_64);
    top.phdrs[kData].vaddr = mote::abi::kMapBase - 0x2000 + 0x10;
    top.phdrs[kData].memsz = 0x2000 - 0x10;  // ends exactly at the limit
    auto high = decode(top.build(), nullptr);
    ASSERT_TRUE(high.ok());
    EXPECT_EQ(high.value().extent_end, mote::abi::kMapBase);
}

// --- Bad programs -----------------------------------------------------------

namespace {

struct BadCase {
    const char* what;
    std::function<void(ElfFile&)> mutate;
    ElfFault fault;
};

// Seventeen one-page read-only segments, one of them executable.
void too_many_segments(ElfFile& f) {
    f.phdrs.clear();
    for (u64 i = 0; i <= kElfMaxSegments; ++i)
        f.phdrs.push_back(Phdr {.flags = kPfR, .offset = i * 0x1000, .vaddr = 0x400000 + i * 0x1000,
                                .filesz = 0x10, .memsz = 0x10});
    f.phdrs[1].flags = kPfR | kPfX;
    f.entry = 0x401000;
    f.phoff = 0x20000;
}

const std::vector<BadCase>& bad_cases() {
    static const std::vector<BadCase> cases = {
        {"empty file", [](ElfFile& f) { f.truncate_to = 0; }, ElfFault::TruncatedHeader},
        {"header cut at 63 bytes", [](ElfFile& f) { f.truncate_to = 63; }, ElfFault::TruncatedHeader},
        {"bad magic", [](ElfFile& f) { f.magic[1] = 'e'; }, ElfFault::BadMagic},
        {"no magic at all", [](ElfFile& f) { f.magic[0] = 0; }, ElfFault::BadMagic},
        {"32-bit class", [](ElfFile& f) { f.ident_class = 1; }, ElfFault::BadClass},
        {"invalid class", [](ElfFile& f) { f.ident_class = 0; }, ElfFault::BadClass},
        {"big endian", [](ElfFile& f) { f.ident_data = 2; }, ElfFault::BadEncoding},
        {"EI_VERSION 0", [](ElfFile& f) { f.ident_version = 0; }, ElfFault::BadVersion},
        {"e_version 2", [](ElfFile& f) { f.version = 2; }, ElfFault::BadVersion},
        {"GNU OS ABI", [](ElfFile& f) { f.ident_osabi = 3; }, ElfFault::BadOsAbi},
        {"FreeBSD OS ABI", [](ElfFile& f) { f.ident_osabi = 9; }, ElfFault::BadOsAbi},
        {"ET_REL", [](ElfFile& f) { f.type = kEtRel; }, ElfFault::NotExecutable},
        {"ET_CORE", [](ElfFile& f) { f.type = kEtCore; }, ElfFault::NotExecutable},
        {"ET_NONE", [](ElfFile& f) { f.type = 0; }, ElfFault::NotExecutable},
        {"ET_DYN (static-PIE)", [](ElfFile& f) { f.type = kEtDyn; }, ElfFault::PositionIndependent},
        {"aarch64 program", [](ElfFile& f) { f.machine = kEmAArch64; }, ElfFault::WrongMachine},
        {"riscv program", [](ElfFile& f) { f.machine = kEmRiscV; }, ElfFault::WrongMachine},
        {"i386 program", [](ElfFile& f) { f.machine = kEm386; }, ElfFault::WrongMachine},
        {"e_ehsize 52", [](ElfFile& f) { f.ehsize = 52; }, ElfFault::BadHeaderSize},
        {"e_phentsize 32", [](ElfFile& f) { f.phentsize = 32; }, ElfFault::BadProgramHeaderSize},
        {"e_phentsize 64", [](ElfFile& f) { f.phentsize = 64; }, ElfFault::BadProgramHeaderSize},
        {"e_phoff + table wraps",
         [](ElfFile& f) {
             f.phoff = ~u64(0) - 100;
             f.table_in_file = false;
         },
         ElfFault::ProgramHeadersWrap},
        {"e_phoff * phnum wraps into 64 bits",
         [](ElfFile& f) {
             f.phoff = ~u64(0) - 56 * 0xffff + 1;
             f.phnum = 0xffff;
             f.table_in_file = false;
         },
         ElfFault::ProgramHeadersWrap},
        {"table past the end",
         [](ElfFile& f) {
             f.phoff = 0x8000;
             f.table_in_file = false;
         },
         ElfFault::ProgramHeadersOutOfBounds},
        {"table one byte short",
         [](ElfFile& f) {
             f.phoff = 0x3030 - 5 * 56 + 1;  // the file is 0x3030 bytes long (data's end)
             f.truncate_to = 0x3030;
         },
         ElfFault::ProgramHeadersOutOfBounds},
        {"phnum 0xffff (PN_XNUM)", [](ElfFile& f) { f.phnum = 0xffff; }, ElfFault::ProgramHeadersOutOfBounds},
        {"65 program headers",
         [](ElfFile& f) {
             while (f.phdrs.size() < kElfMaxProgramHeaders + 1) f.phdrs.push_back(Phdr {.type = kPtNote});
         },
         ElfFault::TooManyProgramHeaders},
        {"PT_INTERP",
         [](ElfFile& f) {
             f.phdrs.insert(f.phdrs.begin(), Phdr {.type = kPtInterp, .flags = kPfR, .offset = 0x1c0, .filesz = 0x1c});
         },
         ElfFault::HasInterpreter},
        {"PT_DYNAMIC",
         [](ElfFile& f) {
             f.phdrs.push_back(
                 Phdr {.type = kPtDynamic, .flags = kPfR | kPfW, .offset = 0x3010, .vaddr = 0x403010, .filesz = 0x10});
         },
         ElfFault::HasDynamic},
        {"executable stack", [](ElfFile& f) { f.phdrs[kStack].flags = kPfR | kPfW | kPfX; }, ElfFault::ExecutableStack},
        {"p_align 0x1800", [](ElfFile& f) { f.phdrs[kText].align = 0x1800; }, ElfFault::BadAlignment},
        {"p_offset + p_filesz wraps",
         [](ElfFile& f) {
             f.phdrs[kData].offset = ~u64(0) - 0x10;
             f.segments_in_file = false;
         },
         ElfFault::SegmentFileWraps},
        {"segment ends past the file", [](ElfFile& f) { f.truncate_to = 0x3030 - 1; }, ElfFault::SegmentOutOfFile},
        {"segment starts past the file",
         [](ElfFile& f) {
             f.phdrs[kData].offset = 0x9010;
             f.phdrs[kData].vaddr = 0x409010;
             f.segments_in_file = false;
         },
         ElfFault::SegmentOutOfFile},
        {"p_filesz > p_memsz", [](ElfFile& f) { f.phdrs[kText].filesz = 0x1235; }, ElfFault::FileSizeExceedsMemSize},
        {"vaddr and offset not congruent", [](ElfFile& f) { f.phdrs[kText].offset = 0x1010; },
         ElfFault::SegmentMisaligned},
        {"vaddr + memsz wraps",
         [](ElfFile& f) { f.phdrs[kData].vaddr = 0xffff'ffff'ffff'f010; },
         ElfFault::SegmentWraps},
        {"page rounding of the end wraps",
         [](ElfFile& f) {
             f.phdrs[kData].vaddr = 0xffff'ffff'ffff'd010;
             f.phdrs[kData].memsz = 0x2000;  // ends at ...f010, which rounds up past 2^64
         },
         ElfFault::SegmentWraps},
        {"segment at address 0",
         [](ElfFile& f) {
             f.phdrs[kHeaders].vaddr = 0;
         },
         ElfFault::SegmentBelowBase},
        {"segment one page below the base",
         [](ElfFile& f) {
             f.phdrs[kHeaders].vaddr = mote::abi::kUserBase - 0x1000;
         },
         ElfFault::SegmentBelowBase},
        {"segment in the kernel half",
         [](ElfFile& f) {
             f.phdrs[kText].vaddr = 0xffff'ffff'8040'1000;
             f.entry = 0xffff'ffff'8040'1100;
         },
         ElfFault::SegmentAboveLimit},
        {"segment at the user limit", [](ElfFile& f) { f.phdrs[kData].vaddr = mote::abi::kMapBase + 0x10; },
         ElfFault::SegmentAboveLimit},
        {"segment straddling the user limit",
         [](ElfFile& f) { f.phdrs[kData].vaddr = mote::abi::kMapBase - 0x1000 + 0x10; }, ElfFault::SegmentAboveLimit},
        {"segment in the stack area", [](ElfFile& f) { f.phdrs[kData].vaddr = mote::abi::kStackTop - 0x1000 + 0x10; },
         ElfFault::SegmentAboveLimit},
        {"writable and executable", [](ElfFile& f) { f.phdrs[kText].flags = kPfR | kPfW | kPfX; },
         ElfFault::WritableAndExecutable},
        {"write+execute without read", [](ElfFile& f) { f.phdrs[kData].flags = kPfW | kPfX; },
         ElfFault::WritableAndExecutable},
        {"17 load segments", too_many_segments, ElfFault::TooManySegments},
        {"data overlaps text",
         [](ElfFile& f) {
             f.phdrs[kData].vaddr = 0x402010;
         },
         ElfFault::SegmentsOverlap},
        {"data shares text's last page",
         [](ElfFile& f) {
             f.phdrs[kData].vaddr = 0x402f00;
             f.phdrs[kData].offset = 0x3f00;
         },
         ElfFault::SegmentsOverlap},
        {"the same segment twice", [](ElfFile& f) { f.phdrs.push_back(f.phdrs[kHeaders]); }, ElfFault::SegmentsOverlap},
        {"no program headers", [](ElfFile& f) { f.phdrs.clear(); }, ElfFault::NoLoadSegment},
        {"only PT_GNU_STACK", [](ElfFile& f) { f.phdrs = {f.phdrs[kStack]}; }, ElfFault::NoLoadSegment},
        {"only empty PT_LOADs",
         [](ElfFile& f) {
             for (Phdr& p : f.phdrs)
                 if (p.type == kPtLoad) p.filesz = p.memsz = 0;
         },
         ElfFault::NoLoadSegment},
        {"entry in data", [](ElfFile& f) { f.entry = 0x403010; }, ElfFault::EntryNotExecutable},
        {"entry in read-only headers", [](ElfFile& f) { f.entry = 0x400000; }, ElfFault::EntryNotExecutable},
        {"entry just past text", [](ElfFile& f) { f.entry = 0x401000 + 0x1234; }, ElfFault::EntryNotExecutable},
        {"entry 0", [](ElfFile& f) { f.entry = 0; }, ElfFault::EntryNotExecutable},
        {"entry in the kernel half", [](ElfFile& f) { f.entry = 0xffff'ffff'8000'0000; }, ElfFault::EntryNotExecutable},
    };
    return cases;
}

}  // namespace

TEST(ElfDecode, EachBadProgramGetsItsNamedFault) {
    for (const BadCase& c : bad_cases()) {
        SCOPED_TRACE(c.what);
        ElfFile f = good_program(kEmX86_64);
        c.mutate(f);
        ElfFault fault = ElfFault::None;
        auto image = decode(f.build(), &fault);
        ASSERT_TRUE(image.is_error());
        EXPECT_STREQ(elf_fault_name(fault), elf_fault_name(c.fault));
        EXPECT_EQ(image.error(), elf_fault_error(c.fault));
    }
}

TEST(ElfDecode, TheTableCoversEveryFault) {
    std::set<ElfFault> seen;
    for (const BadCase& c : bad_cases()) seen.insert(c.fault);
    for (usize i = 1; i < kElfFaultCount; ++i)
        EXPECT_TRUE(seen.count(ElfFault(i))) << "no bad program for " << elf_fault_name(ElfFault(i));
}

TEST(ElfDecode, FaultsHaveDistinctNamesAndAnError) {
    std::set<std::string> names;
    for (usize i = 0; i < kElfFaultCount; ++i) {
        std::string name = elf_fault_name(ElfFault(i));
        EXPECT_NE(name, "UnknownElfFault");
        EXPECT_TRUE(names.insert(name).second) << name;
        if (i == 0) continue;
        Error e = elf_fault_error(ElfFault(i));
        EXPECT_TRUE(e == Error::Malformed || e == Error::Unsupported) << name;
    }
    EXPECT_EQ(elf_fault_error(ElfFault::WrongMachine), Error::Unsupported);
    EXPECT_EQ(elf_fault_error(ElfFault::HasInterpreter), Error::Unsupported);
    EXPECT_EQ(elf_fault_error(ElfFault::SegmentOutOfFile), Error::Malformed);
    EXPECT_STREQ(elf_fault_name(ElfFault(200)), "UnknownElfFault");
}

TEST(ElfDecode, RefusalIsCountedAndLogged) {
    const ElfStats before = elf_stats();
    ElfFile bad = good_program(kEmX86_64);
    bad.phdrs[kText].flags = kPfR | kPfW | kPfX;
    ElfFault fault = ElfFault::None;
    EXPECT_TRUE(decode(bad.build(), &fault).is_error());
    EXPECT_TRUE(decode(bad.build(), nullptr).is_error());
    EXPECT_TRUE(decode(good_program(kEmX86_64).build(), &fault).ok());
    EXPECT_EQ(fault, ElfFault::None);

    const ElfStats& after = elf_stats();
    EXPECT_EQ(after.refused, before.refused + 2);
    EXPECT_EQ(after.accepted, before.accepted + 1);
    EXPECT_EQ(after.count(ElfFault::WritableAndExecutable), before.count(ElfFault::WritableAndExecutable) + 2);
    EXPECT_EQ(after.count(ElfFault::None), 0u);

    auto lines = log_lines();
    ASSERT_FALSE(lines.empty());
    EXPECT_NE(lines.back().find("warn"), std::string::npos) << lines.back();
    EXPECT_NE(lines.back().find("elf:"), std::string::npos) << lines.back();
    EXPECT_NE(lines.back().find("WritableAndExecutable"), std::string::npos) << lines.back();
}

TEST(ElfDecode, ValidateLeavesNoTrace) {
    const ElfStats before = elf_stats();
    ElfFile bad = good_program(kEmX86_64);
    bad.magic[0] = 0;
    auto bytes = bad.build();
    ElfImage image;
    EXPECT_EQ(validate_elf(ReadonlyBytes(bytes.data(), bytes.size()), rules_for(kEmX86_64), image), ElfFault::BadMagic);
    EXPECT_EQ(elf_stats().refused, before.refused);
}

// --- Page fill --------------------------------------------------------------

namespace {

// Memory as the ELF says it must look, built from the program headers alone:
// inside a PT_LOAD the byte at vaddr + i is file[offset + i] for i < filesz
// and zero after; the rest of each page the segment touches is zero too.
std::vector<uint8_t> reference_page(const std::vector<uint8_t>& file, const Phdr& p, u64 page) {
    std::vector<uint8_t> bytes(kPage, 0);
    for (u64 i = 0; i < kPage; ++i) {
        const u64 address = page + i;
        if (address >= p.vaddr && address - p.vaddr < p.filesz) bytes[i] = file[p.offset + (address - p.vaddr)];
    }
    return bytes;
}

// The same page as a loader following page_fill would build it.
std::vector<uint8_t> filled_page(const std::vector<uint8_t>& file, const ElfSegment& s, u64 page) {
    std::vector<uint8_t> bytes(kPage, 0);
    auto fill = page_fill(s, page, kPage);
    EXPECT_TRUE(fill.ok());
    if (!fill.ok()) return bytes;
    EXPECT_EQ(fill.value().page, page);
    EXPECT_LE(fill.value().offset + fill.value().length, kPage);
    if (fill.value().length) {
        EXPECT_LE(fill.value().file_offset + fill.value().length, file.size());
        std::memcpy(bytes.data() + fill.value().offset, file.data() + fill.value().file_offset, fill.value().length);
    }
    return bytes;
}

}  // namespace

TEST(ElfPageFill, DataPageThenBssPages) {
    auto file = good_program(kEmX86_64).build();
    auto image = decode(file, nullptr);
    ASSERT_TRUE(image.ok());
    const ElfSegment& data = image.value().segments()[2];

    auto first = page_fill(data, 0x403000, kPage);
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(first.value().offset, 0x10u);
    EXPECT_EQ(first.value().length, 0x20u);
    EXPECT_EQ(first.value().file_offset, 0x3010u);
    for (u64 page : {0x404000u, 0x405000u}) {
        auto bss = page_fill(data, page, kPage);
        ASSERT_TRUE(bss.ok());
        EXPECT_EQ(bss.value().length, 0u) << std::hex << page;
    }
}

TEST(ElfPageFill, TextSpansTwoPages) {
    auto file = good_program(kEmX86_64).build();
    auto image = decode(file, nullptr);
    ASSERT_TRUE(image.ok());
    const ElfSegment& text = image.value().segments()[1];
    auto a = page_fill(text, 0x401000, kPage);
    auto b = page_fill(text, 0x402000, kPage);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a.value().offset, 0u);
    EXPECT_EQ(a.value().length, 0x1000u);
    EXPECT_EQ(a.value().file_offset, 0x1000u);
    EXPECT_EQ(b.value().offset, 0u);
    EXPECT_EQ(b.value().length, 0x234u);
    EXPECT_EQ(b.value().file_offset, 0x2000u);
}

TEST(ElfPageFill, FileBytesCrossingAPageBoundary) {
    ElfSegment s {.vaddr = 0x403ff0, .memsz = 0x3000, .file_offset = 0x7ff0, .filesz = 0x20,
                  .map_start = 0x403000, .map_end = 0x407000, .permissions = kElfRead};
    auto a = page_fill(s, 0x403000, kPage);
    auto b = page_fill(s, 0x404000, kPage);
    auto c = page_fill(s, 0x406000, kPage);
    ASSERT_TRUE(a.ok() && b.ok() && c.ok());
    EXPECT_EQ(a.value().offset, 0xff0u);
    EXPECT_EQ(a.value().length, 0x10u);
    EXPECT_EQ(a.value().file_offset, 0x7ff0u);
    EXPECT_EQ(b.value().offset, 0u);
    EXPECT_EQ(b.value().length, 0x10u);
    EXPECT_EQ(b.value().file_offset, 0x8000u);
    EXPECT_EQ(c.value().length, 0u);
}

TEST(ElfPageFill, RefusesPagesOutsideTheSegmentAndBadArguments) {
    ElfSegment s {.vaddr = 0x403010, .memsz = 0x2000, .file_offset = 0x3010, .filesz = 0x20,
                  .map_start = 0x403000, .map_end = 0x406000, .permissions = kElfRead | kElfWrite};
    EXPECT_EQ(page_fill(s, 0x402000, kPage).error(), Error::OutOfRange);
    EXPECT_EQ(page_fill(s, 0x406000, kPage).error(), Error::OutOfRange);
    EXPECT_EQ(page_fill(s, 0x403008, kPage).error(), Error::InvalidArgument);
    EXPECT_EQ(page_fill(s, 0x403000, 3000).error(), Error::InvalidArgument);
    EXPECT_EQ(page_fill(s, 0x403000, 0).error(), Error::InvalidArgument);
    // A larger page size still gives one answer for the one big page.
    auto big = page_fill(s, 0x400000, 0x10000);
    ASSERT_TRUE(big.ok());
    EXPECT_EQ(big.value().offset, 0x3010u);
    EXPECT_EQ(big.value().length, 0x20u);
}

TEST(ElfPageFill, EveryPageMatchesAReferenceLoader) {
    ElfFile f = good_program(kEmX86_64);
    // Add a segment whose file bytes start and end mid-page and span three.
    f.phdrs.push_back(Phdr {.flags = kPfR, .offset = 0x5ab0, .vaddr = 0x408ab0, .filesz = 0x2100, .memsz = 0x3800});
    auto file = f.build();
    auto image = decode(file, nullptr);
    ASSERT_TRUE(image.ok());
    ASSERT_EQ(image.value().segment_count, 4u);
    for (const Phdr& p : f.phdrs) {
        if (p.type != kPtLoad) continue;
        const ElfSegment* segment = nullptr;
        for (const ElfSegment& s : image.value().segments())
            if (s.vaddr == p.vaddr) segment = &s;
        ASSERT_NE(segment, nullptr);
        for (u64 page = p.vaddr & ~(kPage - 1); page < p.vaddr + p.memsz; page += kPage) {
            SCOPED_TRACE(page);
            EXPECT_EQ(filled_page(file, *segment, page), reference_page(file, p, page));
        }
    }
}
