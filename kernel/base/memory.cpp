#include "base/memory.hpp"

// The freestanding build compiles this file with -fno-builtin so that the
// compiler does not turn these loops back into calls to memcpy/memset, which
// are exactly these functions.

namespace mote {

void* mem_copy(void* dest, const void* src, usize n) {
    auto* d = static_cast<u8*>(dest);
    const auto* s = static_cast<const u8*>(src);
    // Word copies when both pointers share alignment: most copies are
    // buffers of sectors and packets. 64 bytes a step, as in mem_set.
    if (((uptr(d) ^ uptr(s)) & 7) == 0) {
        while (n && (uptr(d) & 7)) {
            *d++ = *s++;
            --n;
        }
        for (; n >= 64; n -= 64, d += 64, s += 64) {
            auto* dw = reinterpret_cast<u64*>(d);
            const auto* sw = reinterpret_cast<const u64*>(s);
            u64 a = sw[0], b = sw[1], c = sw[2], e = sw[3], f = sw[4], g = sw[5], h = sw[6], k = sw[7];
            dw[0] = a, dw[1] = b, dw[2] = c, dw[3] = e, dw[4] = f, dw[5] = g, dw[6] = h, dw[7] = k;
        }
        for (; n >= 8; n -= 8, d += 8, s += 8) *reinterpret_cast<u64*>(d) = *reinterpret_cast<const u64*>(s);
    } else if (((uptr(d) ^ uptr(s)) & 3) == 0) {
        // 4-byte agreement: what a cpio archive gives its files' data (newc
        // pads to 4), copied into page-aligned frames by the loader.
        while (n && (uptr(d) & 3)) {
            *d++ = *s++;
            --n;
        }
        for (; n >= 32; n -= 32, d += 32, s += 32) {
            auto* dw = reinterpret_cast<u32*>(d);
            const auto* sw = reinterpret_cast<const u32*>(s);
            u32 a = sw[0], b = sw[1], c = sw[2], e = sw[3], f = sw[4], g = sw[5], h = sw[6], k = sw[7];
            dw[0] = a, dw[1] = b, dw[2] = c, dw[3] = e, dw[4] = f, dw[5] = g, dw[6] = h, dw[7] = k;
        }
        for (; n >= 4; n -= 4, d += 4, s += 4) *reinterpret_cast<u32*>(d) = *reinterpret_cast<const u32*>(s);
    } else {
        // No agreement: a packet's payload (behind 14 + 20 + 32 bytes of
        // headers) into a socket's ring, or the ring out to a program. A
        // byte a step would cost a branch per byte (a dispatched block per
        // byte under an emulator); instead align the destination and move
        // 8 bytes a step with unaligned loads, one instruction on x86_64 and
        // aarch64 (the compiler assembles them from bytes, without
        // branches, where the ISA does not promise unaligned access).
        while (n && (uptr(d) & 7)) {
            *d++ = *s++;
            --n;
        }
        for (; n >= 32; n -= 32, d += 32, s += 32) {
            u64 a, b, c, e;
            __builtin_memcpy(&a, s, 8);
            __builtin_memcpy(&b, s + 8, 8);
            __builtin_memcpy(&c, s + 16, 8);
            __builtin_memcpy(&e, s + 24, 8);
            auto* dw = reinterpret_cast<u64*>(d);
            dw[0] = a, dw[1] = b, dw[2] = c, dw[3] = e;
        }
        for (; n >= 8; n -= 8, d += 8, s += 8) {
            u64 a;
            __builtin_memcpy(&a, s, 8);
            *reinterpret_cast<u64*>(d) = a;
        }
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
    // 64 bytes a step, written out (-Os would not unroll a loop): pages and
    // buffers are zeroed whole, and under an emulator each loop iteration
    // is one dispatched block.
    for (; n >= 64; n -= 64, d += 64) {
        auto* w = reinterpret_cast<u64*>(d);
        w[0] = word, w[1] = word, w[2] = word, w[3] = word, w[4] = word, w[5] = word, w[6] = word, w[7] = word;
    }
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
