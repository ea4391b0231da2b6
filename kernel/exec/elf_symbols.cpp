#include "exec/elf_symbols.hpp"

#include "base/checked.hpp"
#include "exec/elf_format.hpp"

namespace mote {

namespace {

constexpr u32 kMaxSections = 256;
constexpr u64 kMaxSymbols = 65536;

struct File {
    ElfFileReader read;
    void* context;
    u64 size;

    // Exactly `out.size()` bytes at `offset`, all inside the file.
    Result<void> exact(u64 offset, Span<u8> out) const {
        u64 end = TRY(checked_add(offset, u64(out.size())));
        if (end > size) return Error::OutOfRange;
        usize got = TRY(read(context, offset, out));
        if (got != out.size()) return Error::Malformed;
        return {};
    }
};

struct Section {
    u32 type;
    u64 offset, size;
    u32 link;
};

Result<Section> section(const File& file, u64 table, u16 index) {
    u8 header[elf::kShEntrySize];
    TRY(file.exact(table + u64(index) * elf::kShEntrySize, Span<u8>(header, sizeof(header))));
    Section s {elf::load_le32(header + elf::kShType), elf::load_le64(header + elf::kShOffset),
               elf::load_le64(header + elf::kShSize), elf::load_le32(header + elf::kShLink)};
    u64 end = TRY(checked_add(s.offset, s.size));
    if (end > file.size) return Error::Malformed;
    return s;
}

}  // namespace

Result<ElfSymbol> find_elf_symbol(ElfFileReader read, void* context, u64 file_size, u64 address) {
    File file {read, context, file_size};
    u8 header[elf::kHeaderSize];
    TRY(file.exact(0, Span<u8>(header, sizeof(header))));
    for (usize i = 0; i < 4; ++i)
        if (header[i] != elf::kMagic[i]) return Error::Malformed;
    if (header[elf::kIdentClass] != elf::kClass64 || header[elf::kIdentData] != elf::kDataLittleEndian)
        return Error::Malformed;
    u64 table = elf::load_le64(header + elf::kShOff);
    u16 count = elf::load_le16(header + elf::kShNum);
    if (table == 0 || count == 0) return Error::NotFound;  // stripped of sections
    if (elf::load_le16(header + elf::kShEntSize) != elf::kShEntrySize || count > kMaxSections) return Error::Malformed;

    for (u16 index = 0; index < count; ++index) {
        Section symbols = TRY(section(file, table, index));
        if (symbols.type != elf::kShtSymtab) continue;
        if (symbols.link >= count) return Error::Malformed;
        Section names = TRY(section(file, table, u16(symbols.link)));
        if (names.type != elf::kShtStrtab) return Error::Malformed;
        u64 entries = symbols.size / elf::kSymEntrySize;
        if (entries > kMaxSymbols) return Error::Malformed;
        // The function whose [value, value + size) holds the address; a
        // sized match wins over the nearest unsized one below it.
        bool found = false, exact = false;
        u64 best_value = 0, best_name = 0;
        for (u64 i = 0; i < entries; ++i) {
            u8 symbol[elf::kSymEntrySize];
            TRY(file.exact(symbols.offset + i * elf::kSymEntrySize, Span<u8>(symbol, sizeof(symbol))));
            if ((symbol[elf::kSymInfo] & 0xf) != elf::kSttFunc) continue;
            u64 value = elf::load_le64(symbol + elf::kSymValue);
            u64 size = elf::load_le64(symbol + elf::kSymSize);
            if (value > address) continue;
            bool inside = size && address - value < size;
            if (inside || (!exact && size == 0 && (!found || value > best_value))) {
                found = true;
                exact = inside;
                best_value = value;
                best_name = elf::load_le32(symbol + elf::kSymName);
                if (inside) break;
            }
        }
        if (!found || best_name >= names.size) return Error::NotFound;
        ElfSymbol result;
        u64 available = min<u64>(ElfSymbol::kMaxName, names.size - best_name);
        TRY(file.exact(names.offset + best_name, Span<u8>(reinterpret_cast<u8*>(result.name), usize(available))));
        result.name[available] = 0;
        for (usize i = 0; i < available; ++i)
            if (result.name[i] == 0) break;
        result.offset = address - best_value;
        return result;
    }
    return Error::NotFound;
}

void demangle_name(const char* name, Span<char> out) {
    if (out.empty()) return;
    usize length = 0;
    auto put = [&](const char* text, usize n) {
        for (usize i = 0; i < n && length + 1 < out.size(); ++i) out[length++] = text[i];
    };
    auto copy_as_is = [&]() {
        length = 0;
        put(name, StringView::cstring_length(name));
        out[length] = 0;
    };
    // One <length><identifier>; returns false if there is none at `p`.
    auto identifier = [&](const char*& p) {
        usize n = 0;
        if (*p < '0' || *p > '9') return false;
        while (*p >= '0' && *p <= '9') n = n * 10 + usize(*p++ - '0');
        if (n == 0 || n > StringView::cstring_length(p)) return false;
        put(p, n);
        p += n;
        return true;
    };
    const char* p = name;
    if (p[0] != '_' || p[1] != 'Z') return copy_as_is();
    p += 2;
    if (*p == 'N') {
        ++p;
        bool first = true;
        while (*p && *p != 'E') {
            if (*p == 'K' || *p == 'V' || *p == 'r') {  // cv-qualifiers of a member function
                ++p;
                continue;
            }
            if (!first) put("::", 2);
            first = false;
            if (!identifier(p)) return copy_as_is();
        }
    } else if (!identifier(p)) {
        return copy_as_is();
    }
    out[length] = 0;
}

}  // namespace mote
