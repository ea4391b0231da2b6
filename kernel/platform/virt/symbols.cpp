#include "platform/virt/symbols.hpp"

extern "C" const mote::u8 __ksyms_start[];
extern "C" const mote::u8 __ksyms_end[];

namespace mote {

namespace {

constexpr u32 kMagic = 0x4d59534b;  // "KSYM"
constexpr usize kHeader = 16;

u32 load32(const u8* p) { return u32(p[0]) | u32(p[1]) << 8 | u32(p[2]) << 16 | u32(p[3]) << 24; }
u64 load64(const u8* p) { return u64(load32(p)) | u64(load32(p + 4)) << 32; }

// The table, or an empty span if it is missing or does not add up.
ReadonlyBytes table(u32& count, u64& base) {
    usize size = usize(__ksyms_end - __ksyms_start);
    if (size < kHeader || load32(__ksyms_start) != kMagic) return {};
    count = load32(__ksyms_start + 4);
    base = load64(__ksyms_start + 8);
    if (count > (size - kHeader) / 8) return {};
    return ReadonlyBytes(__ksyms_start, size);
}

}  // namespace

usize symbol_count() {
    u32 count = 0;
    u64 base = 0;
    return table(count, base).empty() ? 0 : count;
}

bool symbolize(uptr address, Symbol& out) {
    u32 count = 0;
    u64 base = 0;
    ReadonlyBytes bytes = table(count, base);
    if (bytes.empty() || count == 0 || address < base || address - base > 0xffffffffu) return false;
    u32 key = u32(address - base);
    // The last entry whose address is <= key.
    usize lo = 0, hi = count;
    while (hi - lo > 1) {
        usize mid = lo + (hi - lo) / 2;
        if (load32(bytes.data() + kHeader + mid * 8) <= key) lo = mid;
        else hi = mid;
    }
    const u8* entry = bytes.data() + kHeader + lo * 8;
    u32 start = load32(entry);
    if (start > key) return false;
    usize name = load32(entry + 4);
    if (name >= bytes.size()) return false;
    usize length = 0;
    while (name + length < bytes.size() && bytes[name + length]) ++length;
    out.name = StringView(reinterpret_cast<const char*>(bytes.data() + name), length);
    out.offset = key - start;
    return true;
}

}  // namespace mote
