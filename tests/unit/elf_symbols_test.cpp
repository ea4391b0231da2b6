// find_elf_symbol on section tables written here byte by byte, and on
// broken ones: every offset it follows is checked against the file.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "exec/elf_symbols.hpp"

using namespace mote;

namespace {

void put(std::vector<uint8_t>& f, size_t at, uint64_t value, int bytes) {
    if (f.size() < at + bytes) f.resize(at + bytes);
    for (int i = 0; i < bytes; ++i) f[at + i] = uint8_t(value >> (8 * i));
}

struct Sym {
    std::string name;
    uint8_t type;  // 2 = FUNC, 1 = OBJECT
    uint64_t value, size;
};

// ELF header, then strtab, then symtab, then the section headers:
// [0] null, [1] .symtab (link 2), [2] .strtab.
std::vector<uint8_t> elf_with(const std::vector<Sym>& syms, uint16_t shnum = 3, uint32_t link = 2) {
    std::vector<uint8_t> f(64, 0);
    f[0] = 0x7f, f[1] = 'E', f[2] = 'L', f[3] = 'F', f[4] = 2, f[5] = 1, f[6] = 1;
    std::string strtab(1, '\0');
    std::vector<uint32_t> name_at;
    for (auto& s : syms) {
        name_at.push_back(uint32_t(strtab.size()));
        strtab += s.name + '\0';
    }
    size_t strtab_off = f.size();
    f.insert(f.end(), strtab.begin(), strtab.end());
    while (f.size() % 8) f.push_back(0);
    size_t symtab_off = f.size();
    f.resize(f.size() + 24);  // the null symbol
    for (size_t i = 0; i < syms.size(); ++i) {
        size_t at = f.size();
        f.resize(at + 24);
        put(f, at + 0, name_at[i], 4);
        f[at + 4] = syms[i].type;
        put(f, at + 8, syms[i].value, 8);
        put(f, at + 16, syms[i].size, 8);
    }
    size_t symtab_size = f.size() - symtab_off;
    size_t shoff = f.size();
    f.resize(shoff + 64 * 3);
    put(f, shoff + 64 + 4, 2, 4);  // SHT_SYMTAB
    put(f, shoff + 64 + 24, symtab_off, 8);
    put(f, shoff + 64 + 32, symtab_size, 8);
    put(f, shoff + 64 + 40, link, 4);
    put(f, shoff + 128 + 4, 3, 4);  // SHT_STRTAB
    put(f, shoff + 128 + 24, strtab_off, 8);
    put(f, shoff + 128 + 32, strtab.size(), 8);
    put(f, 40, shoff, 8);
    put(f, 58, 64, 2);
    put(f, 60, shnum, 2);
    return f;
}

// The ElfFileReader over a byte vector.
Result<usize> reader(void* context, u64 offset, Span<u8> out) {
    auto* f = static_cast<const std::vector<uint8_t>*>(context);
    if (offset >= f->size()) return usize(0);
    size_t n = std::min<size_t>(out.size(), f->size() - offset);
    std::memcpy(out.data(), f->data() + offset, n);
    return n;
}

Result<ElfSymbol> lookup(const std::vector<uint8_t>& file, uint64_t address) {
    return find_elf_symbol(reader, const_cast<std::vector<uint8_t>*>(&file), file.size(), address);
}

const std::vector<Sym> kSyms = {
    {"main", 2, 0x401000, 0x40}, {"helper", 2, 0x401040, 0}, {"table", 1, 0x402000, 0x100}, {"far", 2, 0x403000, 8}};

}  // namespace

TEST(ElfSymbols, FindsTheFunctionAndOffset) {
    auto file = elf_with(kSyms);
    auto main_hit = lookup(file, 0x401010);
    ASSERT_TRUE(main_hit.ok());
    EXPECT_STREQ(main_hit.value().name, "main");
    EXPECT_EQ(main_hit.value().offset, 0x10u);
    // An unsized function is the nearest one below.
    auto helper = lookup(file, 0x401050);
    ASSERT_TRUE(helper.ok());
    EXPECT_STREQ(helper.value().name, "helper");
    EXPECT_EQ(helper.value().offset, 0x10u);
    // Objects are not functions; below everything there is nothing.
    EXPECT_STREQ(lookup(file, 0x402010).value().name, "helper");
    EXPECT_EQ(lookup(file, 0x400000).error(), Error::NotFound);
    EXPECT_STREQ(lookup(file, 0x403004).value().name, "far");
}

TEST(ElfSymbols, BrokenTablesAreErrorsNotCrashes) {
    auto file = elf_with(kSyms);
    // Truncated anywhere: never a read past the end.
    for (size_t cut = 0; cut < file.size(); cut += 7) {
        std::vector<uint8_t> part(file.begin(), file.begin() + cut);
        EXPECT_TRUE(lookup(part, 0x401010).is_error()) << cut;
    }
    EXPECT_EQ(lookup(elf_with(kSyms, 3, 7), 0x401010).error(), Error::Malformed) << "link past the table";
    EXPECT_EQ(lookup(elf_with(kSyms, 3, 1), 0x401010).error(), Error::Malformed) << "link not a string table";
    EXPECT_EQ(lookup(elf_with(kSyms, 300), 0x401010).error(), Error::Malformed) << "too many sections";
    auto bad_name = elf_with(kSyms);
    bad_name[bad_name.size() - 64 * 2 - 1] = 0xff;  // nothing: just a byte in the symtab header's padding
    auto long_name = elf_with({{std::string(200, 'x'), 2, 0x401000, 0x10}});
    auto hit = lookup(long_name, 0x401004);
    ASSERT_TRUE(hit.ok());
    EXPECT_EQ(std::strlen(hit.value().name), ElfSymbol::kMaxName);
    auto no_sections = elf_with(kSyms, 0);
    EXPECT_EQ(lookup(no_sections, 0x401010).error(), Error::NotFound);
}

TEST(ElfSymbols, DemangledNames) {
    auto demangled = [](const char* name) {
        char out[64];
        demangle_name(name, Span<char>(out, sizeof(out)));
        return std::string(out);
    };
    EXPECT_EQ(demangled("_Z4mainiPPc"), "main");
    EXPECT_EQ(demangled("_ZN4mote4user5spawnENS_4SpanE"), "mote::user::spawn");
    EXPECT_EQ(demangled("_ZNK4mote6Region3endEv"), "mote::Region::end");
    EXPECT_EQ(demangled("memcpy"), "memcpy");
    EXPECT_EQ(demangled("_Z"), "_Z");
    EXPECT_EQ(demangled("_Z99x"), "_Z99x") << "a length past the end";
    EXPECT_EQ(demangled("_ZN3abc"), "abc");
    char tiny[4];
    demangle_name("_Z10abcdefghij", Span<char>(tiny, sizeof(tiny)));
    EXPECT_EQ(std::string(tiny), "abc");
}

namespace {

// find_elf_symbols over `file`: the result and the named fault.
struct Many {
    Result<usize> found;
    ElfSymbolFault fault = ElfSymbolFault::None;
    std::vector<ElfSymbol> symbols;
};

Many lookup_many(const std::vector<uint8_t>& file, const std::vector<uint64_t>& addresses) {
    ElfSymbolFault fault = ElfSymbolFault::None;
    std::vector<ElfSymbol> symbols(addresses.size());
    auto found = find_elf_symbols(reader, const_cast<std::vector<uint8_t>*>(&file), file.size(),
                                  Span<const u64>(addresses.data(), addresses.size()),
                                  Span<ElfSymbol>(symbols.data(), symbols.size()), &fault);
    return Many {found, fault, symbols};
}

ElfSymbolFault fault_of(const std::vector<uint8_t>& file) { return lookup_many(file, {0x401010}).fault; }

// Offsets into elf_with()'s layout: the section table is the file's last
// 3 * 64 bytes.
size_t section_header(const std::vector<uint8_t>& f, int index) { return f.size() - 64 * 3 + 64 * index; }

}  // namespace

TEST(ElfSymbols, ABacktraceIsLookedUpInOnePass) {
    auto file = elf_with(kSyms);
    auto many = lookup_many(file, {0x401010, 0x400000, 0x401050, 0x403004, 0});
    ASSERT_TRUE(many.found.ok());
    EXPECT_EQ(many.found.value(), 3u);
    EXPECT_EQ(many.fault, ElfSymbolFault::None);
    EXPECT_TRUE(many.symbols[0].found);
    EXPECT_STREQ(many.symbols[0].name, "main");
    EXPECT_EQ(many.symbols[0].offset, 0x10u);
    EXPECT_FALSE(many.symbols[1].found) << "below every function";
    EXPECT_STREQ(many.symbols[2].name, "helper");
    EXPECT_STREQ(many.symbols[3].name, "far");
    EXPECT_FALSE(many.symbols[4].found);
    // The same address twice, and the bound on how many at once.
    auto twice = lookup_many(file, {0x401004, 0x401004});
    EXPECT_EQ(twice.found.value(), 2u);
    EXPECT_EQ(lookup_many(file, std::vector<uint64_t>(kMaxElfLookups + 1, 0x401004)).found.error(),
              Error::InvalidArgument);
    EXPECT_EQ(lookup_many(file, std::vector<uint64_t>(kMaxElfLookups, 0x401004)).found.value(), kMaxElfLookups);
}

TEST(ElfSymbols, EveryMalformedTableHasItsNamedFault) {
    const auto good = elf_with(kSyms);
    EXPECT_EQ(fault_of(good), ElfSymbolFault::None);
    EXPECT_EQ(fault_of(std::vector<uint8_t>(good.begin(), good.begin() + 40)), ElfSymbolFault::TruncatedHeader);
    auto f = good;
    f[1] = 'X';
    EXPECT_EQ(fault_of(f), ElfSymbolFault::BadMagic);
    f = good;
    f[4] = 1;  // ELFCLASS32
    EXPECT_EQ(fault_of(f), ElfSymbolFault::BadClass);
    f = good;
    f[5] = 2;  // big-endian
    EXPECT_EQ(fault_of(f), ElfSymbolFault::BadClass);
    EXPECT_EQ(fault_of(elf_with(kSyms, 0)), ElfSymbolFault::NoSections);
    EXPECT_EQ(lookup_many(elf_with(kSyms, 0), {0x401010}).found.error(), Error::NotFound);
    f = good;
    put(f, 58, 40, 2);  // e_shentsize
    EXPECT_EQ(fault_of(f), ElfSymbolFault::BadSectionEntrySize);
    EXPECT_EQ(fault_of(elf_with(kSyms, 300)), ElfSymbolFault::TooManySections);
    EXPECT_EQ(fault_of(elf_with(kSyms, 4)), ElfSymbolFault::SectionOutOfFile) << "the table runs past the end";
    f = good;
    put(f, 40, f.size() + 64, 8);  // e_shoff past the end
    EXPECT_EQ(fault_of(f), ElfSymbolFault::SectionOutOfFile);
    f = good;
    put(f, section_header(f, 1) + 32, f.size(), 8);  // the symbols run past the end
    EXPECT_EQ(fault_of(f), ElfSymbolFault::SectionOutOfFile);
    f = good;
    put(f, section_header(f, 1) + 24, ~uint64_t(0) - 8, 8);  // offset + size wraps
    EXPECT_EQ(fault_of(f), ElfSymbolFault::SectionOutOfFile);
    f = good;
    put(f, section_header(f, 1) + 4, 1, 4);  // no SHT_SYMTAB left
    EXPECT_EQ(fault_of(f), ElfSymbolFault::NoSymbolTable);
    EXPECT_EQ(lookup_many(f, {0x401010}).found.error(), Error::NotFound);
    EXPECT_EQ(fault_of(elf_with(kSyms, 3, 7)), ElfSymbolFault::BadLink);
    EXPECT_EQ(fault_of(elf_with(kSyms, 3, 1)), ElfSymbolFault::LinkNotStringTable);
    f = good;
    put(f, section_header(f, 1) + 32, 24 * 3 + 5, 8);  // not whole symbols
    EXPECT_EQ(fault_of(f), ElfSymbolFault::BadSymbolTableSize);
    f = good;
    put(f, section_header(f, 2) + 32, 2, 8);  // the names cut to 2 bytes: "far" is past them
    EXPECT_EQ(lookup_many(f, {0x403004}).fault, ElfSymbolFault::NameOutOfTable);
    // Every fault has a name, and a failed lookup leaves nothing found.
    for (int i = 0; i <= int(ElfSymbolFault::NameOutOfTable); ++i)
        EXPECT_STRNE(elf_symbol_fault_name(ElfSymbolFault(i)), "UnknownElfSymbolFault") << i;
    auto failed = lookup_many(elf_with(kSyms, 3, 1), {0x401010});
    EXPECT_FALSE(failed.symbols[0].found);
}

TEST(ElfSymbols, TooManySymbolsIsRefusedBeforeReadingThem) {
    // A table that claims 70000 symbols, in a file big enough to hold them.
    auto f = elf_with(kSyms);
    const size_t table = f.size() - 64 * 3;
    std::vector<uint8_t> headers(f.begin() + table, f.end());
    f.resize(table);
    const size_t symbols_at = f.size();
    f.resize(symbols_at + 24 * 70000);
    const size_t shoff = f.size();
    f.insert(f.end(), headers.begin(), headers.end());
    put(f, 40, shoff, 8);
    put(f, shoff + 64 + 24, symbols_at, 8);
    put(f, shoff + 64 + 32, 24 * 70000, 8);
    EXPECT_EQ(fault_of(f), ElfSymbolFault::TooManySymbols);
}
