#include "net/checksum.hpp"

namespace mote {

u64 checksum_add(u64 sum, ReadonlyBytes data) {
    const u8* p = data.data();
    usize n = data.size();
    // Words are added in network order; the one's complement sum is byte
    // order independent (RFC 1071 1.2.B) but reading big-endian keeps the
    // result directly storable with store_be16.
    while (n >= 2) {
        sum += (u32(p[0]) << 8) | p[1];
        p += 2;
        n -= 2;
    }
    if (n) sum += u32(p[0]) << 8;
    return sum;
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
