#include "base/memory.hpp"

// The freestanding build compiles this file with -fno-builtin so that the
// compiler does not turn these loops back into calls to memcpy/memset, which
// are exactly these functions.

namespace mote {

void* mem_copy(void* dest, const void* src, usize n) {
    auto* d = static_cast<u8*>(dest);
    const auto* s = static_cast<const u8*>(src);
    // Word copies when both pointers share alignment: most copies are
    // buffers of sectors and packets.
    if (((uptr(d) ^ uptr(s)) & 7) == 0) {
        while (n && (uptr(d) & 7)) {
            *d++ = *s++;
            --n;
        }
        for (; n >= 8; n -= 8, d += 8, s += 8) *reinterpret_cast<u64*>(d) = *reinterpret_cast<const u64*>(s);
    }
    while (n--) *d++ = *s++;
    return dest;
}

void* mem_move(void* dest, const void* src, usize n) {
    auto* d = static_cast<u8*>(dest);
    const auto* s = static_cast<const u8*>(src);
    if (d == s || n == 0) return dest;
    if (d < s || d >= s + n) return mem_copy(dest, src, n);
    // Overlap with dest after src: copy backwards.
    while (n--) d[n] = s[n];
    return dest;
}

void* mem_set(void* dest, int value, usize n) {
    auto* d = static_cast<u8*>(dest);
    u8 byte = u8(value);
    while (n && (uptr(d) & 7)) {
        *d++ = byte;
        --n;
    }
    u64 word = 0x0101010101010101ull * byte;
    for (; n >= 8; n -= 8, d += 8) *reinterpret_cast<u64*>(d) = word;
    while (n--) *d++ = byte;
    return dest;
}

int mem_compare(const void* a, const void* b, usize n) {
    const auto* x = static_cast<const u8*>(a);
    const auto* y = static_cast<const u8*>(b);
    for (usize i = 0; i < n; ++i)
        if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
}

usize string_length(const char* s) {
    usize n = 0;
    while (s[n]) ++n;
    return n;
}

}  // namespace mote
