// The Internet checksum (RFC 1071): the 16-bit one's complement of the one's
// complement sum of the data taken as big-endian 16-bit words. IPv4 (RFC 791
// 3.1), ICMP (RFC 792) and UDP (RFC 768, over a pseudo header) all use it.
//
// Sums are kept wide and folded once at the end. A sum may be built from
// several pieces, but only the last piece may have an odd length (an odd
// length pads with one zero byte, which is only right at the very end).
#pragma once

#include "base/span.hpp"
#include "net/ipv4_address.hpp"

namespace mote {

u64 checksum_add(u64 sum, ReadonlyBytes data);
// Adds the IPv4 pseudo header of RFC 768: source, destination, zero,
// protocol and the upper-layer length.
u64 checksum_add_pseudo_header(u64 sum, Ipv4Address source, Ipv4Address destination, u8 protocol, u16 length);
// Folds the carries in and complements: the value that goes in the header.
// Over data that contains a correct checksum the result is 0.
u16 checksum_finish(u64 sum);

inline u16 internet_checksum(ReadonlyBytes data) { return checksum_finish(checksum_add(0, data)); }

}  // namespace mote
