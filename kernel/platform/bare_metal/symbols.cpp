#include "platform/bare_metal/symbols.hpp"

extern "C" const mote::u8 __ksyms_start[];
extern "C" const mote::u8 __ksyms_end[];

namespace mote {

namespace {

constexpr u32 kMagic = 0x3259534b;  // "KSY2"
constexpr usize kHeader = 16;
constexpr usize kEntry = 7;
constexpr u16 kNoScope = 0xffff;

u16 load16(const u8* p) { return u16(p[0] | p[1] << 8); }
u32 load24(const u8* p) { return u32(p[0]) | u32(p[1]) << 8 | u32(p[2]) << 16; }
u32 load32(const u8* p) { return u32(load16(p)) | u32(load16(p + 2)) << 16; }
u64 load64(const u8* p) { return u64(load32(p)) | u64(load32(p + 4)) << 32; }

// The section split into its parts, or !valid if it is missing or its
// counts do not fit in it (the pool is then the rest of the section, so a
// bad offset is caught by the bounds check in string_at()).
struct Table {
    bool valid = false;
    u32 count = 0;
    u32 scope_count = 0;
    u64 base = 0;
    const u8* entries = nullptr;
    const u8* scopes = nullptr;
    ReadonlyBytes pool;
};

Table table() {
    Table t;
    usize size = usize(__ksyms_end - __ksyms_start);
    if (size < kHeader || load32(__ksyms_start) != kMagic) return t;
    t.count = load16(__ksyms_start + 4);
    t.scope_count = load16(__ksyms_start + 6);
    t.base = load64(__ksyms_start + 8);
    usize pool_start = kHeader + t.count * kEntry + t.scope_count * 2;
    if (pool_start > size) return t;
    t.entries = __ksyms_start + kHeader;
    t.scopes = t.entries + t.count * kEntry;
    t.pool = ReadonlyBytes(__ksyms_start + pool_start, size - pool_start);
    t.valid = true;
    return t;
}

StringView string_at(ReadonlyBytes pool, usize offset) {
    if (offset >= pool.size()) return {};
    usize length = 0;
    while (offset + length < pool.size() && pool[offset + length]) ++length;
    return StringView(reinterpret_cast<const char*>(pool.data() + offset), length);
}

}  // namespace

usize symbol_count() {
    Table t = table();
    return t.valid ? t.count : 0;
}

bool symbolize(uptr address, Symbol& out) {
    Table t = table();
    if (!t.valid || t.count == 0 || address < t.base || address - t.base >= (u64(1) << 24)) return false;
    u32 key = u32(address - t.base);
    // The last entry whose address is <= key.
    usize lo = 0, hi = t.count;
    while (hi - lo > 1) {
        usize mid = lo + (hi - lo) / 2;
        if (load24(t.entries + mid * kEntry) <= key) lo = mid;
        else hi = mid;
    }
    const u8* entry = t.entries + lo * kEntry;
    u32 start = load24(entry);
    if (start > key) return false;
    u16 scope = load16(entry + 3);
    out.scope = scope != kNoScope && scope < t.scope_count ? string_at(t.pool, load16(t.scopes + 2 * scope))
                                                           : StringView();
    out.name = string_at(t.pool, load16(entry + 5));
    out.offset = key - start;
    return true;
}

}  // namespace mote
