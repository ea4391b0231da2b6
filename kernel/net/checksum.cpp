#include "net/checksum.hpp"

namespace mote {

namespace {

// The big-endian word sum, two bytes a step: the reference, and the way
// for the ends of a buffer.
u64 add_pairs(u64 sum, const u8* p, usize n) {
    while (n >= 2) {
        sum += (u32(p[0]) << 8) | p[1];
        p += 2;
        n -= 2;
    }
    if (n) sum += u32(p[0]) << 8;
    return sum;
}

}  // namespace

u64 checksum_add(u64 sum, ReadonlyBytes data) {
    const u8* p = data.data();
    usize n = data.size();
    // Words are added in network order; the one's complement sum is byte
    // order independent (RFC 1071 1.2.B) but reading big-endian keeps the
    // result directly storable with store_be16. Every received segment is
    // summed whole, so the bulk goes four bytes a load: aligned 32-bit
    // words in the CPU's own order, summed wide, folded to 16 bits and
    // swapped into network order (RFC 1071 1.2.B and C). A buffer at an odd
    // address keeps the byte loop (its words straddle the loads).
    if (n >= 32 && (uptr(p) & 1) == 0) {
        if (uptr(p) & 2) {  // to a 4-byte boundary with one 16-bit word
            sum += (u32(p[0]) << 8) | p[1];
            p += 2;
            n -= 2;
        }
        // Loads through __builtin_memcpy, which is one aligned load here
        // and no aliasing question (the bytes are u8 objects).
        auto word = [](const u8* at) {
            u32 w;
            __builtin_memcpy(&w, __builtin_assume_aligned(at, 4), 4);
            return u64(w);
        };
        u64 native = 0;
        for (; n >= 16; n -= 16, p += 16) native += word(p) + word(p + 4) + word(p + 8) + word(p + 12);
        for (; n >= 4; n -= 4, p += 4) native += word(p);
        while (native >> 16) native = (native & 0xffff) + (native >> 16);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        native = ((native & 0xff) << 8) | (native >> 8);
#endif
        sum += native;
    }
    return add_pairs(sum, p, n);
}

u64 checksum_add_pseudo_header(u64 sum, Ipv4Address source, Ipv4Address destination, u8 protocol, u16 length) {
    sum += source.value >> 16;
    sum += source.value & 0xffff;
    sum += destination.value >> 16;
    sum += destination.value & 0xffff;
    sum += protocol;
    sum += length;
    return sum;
}

u16 checksum_finish(u64 sum) {
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return u16(~sum);
}

}  // namespace mote
