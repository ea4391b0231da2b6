#include "exec/elf_symbols.hpp"

#include "base/checked.hpp"
#include "base/memory.hpp"
#include "exec/elf_format.hpp"

namespace mote {

const char* elf_symbol_fault_name(ElfSymbolFault fault) {
    switch (fault) {
    case ElfSymbolFault::None: return "None";
    case ElfSymbolFault::Unreadable: return "Unreadable";
    case ElfSymbolFault::TruncatedHeader: return "TruncatedHeader";
    case ElfSymbolFault::BadMagic: return "BadMagic";
    case ElfSymbolFault::BadClass: return "BadClass";
    case ElfSymbolFault::NoSections: return "NoSections";
    case ElfSymbolFault::BadSectionEntrySize: return "BadSectionEntrySize";
    case ElfSymbolFault::TooManySections: return "TooManySections";
    case ElfSymbolFault::SectionOutOfFile: return "SectionOutOfFile";
    case ElfSymbolFault::NoSymbolTable: return "NoSymbolTable";
    case ElfSymbolFault::BadLink: return "BadLink";
    case ElfSymbolFault::LinkNotStringTable: return "LinkNotStringTable";
    case ElfSymbolFault::BadSymbolTableSize: return "BadSymbolTableSize";
    case ElfSymbolFault::TooManySymbols: return "TooManySymbols";
    case ElfSymbolFault::NameOutOfTable: return "NameOutOfTable";
    }
    return "UnknownElfSymbolFault";
}

namespace {

constexpr u32 kMaxSections = 256;
constexpr u64 kMaxSymbols = 65536;
constexpr usize kSymbolsPerRead = 32;

struct Failure {
    Error error;
    ElfSymbolFault fault;
};

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

// Section header `index` (< e_shnum, which is bounded): its bytes must be
// in the file, and so must the section's own.
Result<Section> section(const File& file, u64 table, u16 index, Failure& why) {
    u8 header[elf::kShEntrySize];
    u64 at = table + u64(index) * elf::kShEntrySize;  // table < 2^64 - 2^14 was checked
    if (file.exact(at, Span<u8>(header, sizeof(header))).is_error()) {
        why = {Error::Malformed, at + sizeof(header) > file.size ? ElfSymbolFault::SectionOutOfFile
                                                                 : ElfSymbolFault::Unreadable};
        return why.error;
    }
    Section s {elf::load_le32(header + elf::kShType), elf::load_le64(header + elf::kShOffset),
               elf::load_le64(header + elf::kShSize), elf::load_le32(header + elf::kShLink)};
    auto end = checked_add(s.offset, s.size);
    if (end.is_error() || end.value() > file.size) {
        why = {Error::Malformed, ElfSymbolFault::SectionOutOfFile};
        return why.error;
    }
    return s;
}

// The best function so far for one address: a sized symbol that holds it
// wins over the nearest unsized one below it.
struct Best {
    bool found = false;
    bool inside = false;
    u64 value = 0;
    u32 name = 0;
};

void consider(Best& best, u64 address, u64 value, u64 size, u32 name) {
    if (best.inside || value > address) return;
    const bool inside = size && address - value < size;
    if (inside || (size == 0 && (!best.found || value > best.value))) best = {true, inside, value, name};
}

Result<usize> lookup(const File& file, Span<const u64> addresses, Span<ElfSymbol> out, Failure& why) {
    u8 header[elf::kHeaderSize];
    if (file.size < elf::kHeaderSize) {
        why = {Error::Malformed, ElfSymbolFault::TruncatedHeader};
        return why.error;
    }
    if (file.exact(0, Span<u8>(header, sizeof(header))).is_error()) {
        why = {Error::Malformed, ElfSymbolFault::Unreadable};
        return why.error;
    }
    for (usize i = 0; i < 4; ++i)
        if (header[i] != elf::kMagic[i]) {
            why = {Error::Malformed, ElfSymbolFault::BadMagic};
            return why.error;
        }
    if (header[elf::kIdentClass] != elf::kClass64 || header[elf::kIdentData] != elf::kDataLittleEndian) {
        why = {Error::Malformed, ElfSymbolFault::BadClass};
        return why.error;
    }
    const u64 table = elf::load_le64(header + elf::kShOff);
    const u16 count = elf::load_le16(header + elf::kShNum);
    if (table == 0 || count == 0) {
        why = {Error::NotFound, ElfSymbolFault::NoSections};
        return why.error;
    }
    if (elf::load_le16(header + elf::kShEntSize) != elf::kShEntrySize) {
        why = {Error::Malformed, ElfSymbolFault::BadSectionEntrySize};
        return why.error;
    }
    if (count > kMaxSections) {
        why = {Error::Malformed, ElfSymbolFault::TooManySections};
        return why.error;
    }
    if (table > file.size || file.size - table < u64(count) * elf::kShEntrySize) {
        why = {Error::Malformed, ElfSymbolFault::SectionOutOfFile};
        return why.error;
    }
    for (u16 index = 0; index < count; ++index) {
        Section symbols = TRY(section(file, table, index, why));
        if (symbols.type != elf::kShtSymtab) continue;
        if (symbols.link >= count) {
            why = {Error::Malformed, ElfSymbolFault::BadLink};
            return why.error;
        }
        Section names = TRY(section(file, table, u16(symbols.link), why));
        if (names.type != elf::kShtStrtab) {
            why = {Error::Malformed, ElfSymbolFault::LinkNotStringTable};
            return why.error;
        }
        if (symbols.size % elf::kSymEntrySize != 0) {
            why = {Error::Malformed, ElfSymbolFault::BadSymbolTableSize};
            return why.error;
        }
        const u64 entries = symbols.size / elf::kSymEntrySize;
        if (entries > kMaxSymbols) {
            why = {Error::Malformed, ElfSymbolFault::TooManySymbols};
            return why.error;
        }
        Best best[kMaxElfLookups];
        u8 chunk[kSymbolsPerRead * elf::kSymEntrySize];
        for (u64 first = 0; first < entries; first += kSymbolsPerRead) {
            const u64 n = min<u64>(kSymbolsPerRead, entries - first);
            if (file.exact(symbols.offset + first * elf::kSymEntrySize, Span<u8>(chunk, usize(n * elf::kSymEntrySize)))
                    .is_error()) {
                why = {Error::Malformed, ElfSymbolFault::Unreadable};
                return why.error;
            }
            for (u64 i = 0; i < n; ++i) {
                const u8* symbol = chunk + i * elf::kSymEntrySize;
                if ((symbol[elf::kSymInfo] & 0xf) != elf::kSttFunc) continue;
                const u64 value = elf::load_le64(symbol + elf::kSymValue);
                const u64 size = elf::load_le64(symbol + elf::kSymSize);
                const u32 name = elf::load_le32(symbol + elf::kSymName);
                for (usize a = 0; a < addresses.size(); ++a) consider(best[a], addresses[a], value, size, name);
            }
        }
        usize found = 0;
        for (usize a = 0; a < addresses.size(); ++a) {
            ElfSymbol& result = out[a];
            result = ElfSymbol {};
            if (!best[a].found) continue;
            if (best[a].name >= names.size) {
                why = {Error::Malformed, ElfSymbolFault::NameOutOfTable};
                return why.error;
            }
            const u64 available = min<u64>(ElfSymbol::kMaxName, names.size - best[a].name);
            if (file.exact(names.offset + best[a].name, Span<u8>(reinterpret_cast<u8*>(result.name), usize(available)))
                    .is_error()) {
                why = {Error::Malformed, ElfSymbolFault::Unreadable};
                return why.error;
            }
            result.name[available] = 0;
            result.offset = addresses[a] - best[a].value;
            result.found = true;
            ++found;
        }
        return found;
    }
    why = {Error::NotFound, ElfSymbolFault::NoSymbolTable};
    return why.error;
}

}  // namespace

Result<usize> find_elf_symbols(ElfFileReader read, void* context, u64 file_size, Span<const u64> addresses,
                               Span<ElfSymbol> out, ElfSymbolFault* fault) {
    if (fault) *fault = ElfSymbolFault::None;
    if (addresses.size() > kMaxElfLookups || out.size() < addresses.size()) return Error::InvalidArgument;
    for (usize a = 0; a < addresses.size(); ++a) out[a] = ElfSymbol {};
    File file {read, context, file_size};
    Failure why {Error::Malformed, ElfSymbolFault::None};
    auto found = lookup(file, addresses, out, why);
    if (found.is_error()) {
        if (fault) *fault = why.fault;
        for (usize a = 0; a < addresses.size(); ++a) out[a] = ElfSymbol {};
    }
    return found;
}

Result<ElfSymbol> find_elf_symbol(ElfFileReader read, void* context, u64 file_size, u64 address,
                                  ElfSymbolFault* fault) {
    ElfSymbol symbol;
    usize found = TRY(find_elf_symbols(read, context, file_size, Span<const u64>(&address, 1),
                                       Span<ElfSymbol>(&symbol, 1), fault));
    if (found == 0) return Error::NotFound;
    return symbol;
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
    // An identifier, but the anonymous namespace ("12_GLOBAL__N_1") by its
    // readable name.
    auto component = [&](const char*& p) {
        static constexpr char kAnonymous[] = "12_GLOBAL__N_1";
        constexpr usize kAnonymousLength = sizeof(kAnonymous) - 1;
        if (StringView::cstring_length(p) >= kAnonymousLength && mem_compare(p, kAnonymous, kAnonymousLength) == 0) {
            p += kAnonymousLength;
            put("(anonymous namespace)", 21);
            return true;
        }
        return identifier(p);
    };
    const char* p = name;
    if (p[0] != '_' || p[1] != 'Z') return copy_as_is();
    p += 2;
    if (*p == 'L') ++p;  // internal linkage (a static function)
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
            if (*p == 'L') ++p;  // internal linkage
            if (!component(p)) return copy_as_is();
        }
    } else if (!identifier(p)) {
        return copy_as_is();
    }
    out[length] = 0;
}

}  // namespace mote
