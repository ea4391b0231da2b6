// IPv4 addresses (host byte order inside, network order on the wire) and
// their dotted-quad text form.
#pragma once

#include "base/format.hpp"
#include "base/span.hpp"
#include "dev/net_device.hpp"

namespace mote {

struct Ipv4Address {
    u32 value = 0;

    static constexpr Ipv4Address from(u8 a, u8 b, u8 c, u8 d) {
        return Ipv4Address {(u32(a) << 24) | (u32(b) << 16) | (u32(c) << 8) | d};
    }
    static constexpr Ipv4Address broadcast() { return Ipv4Address {0xffffffffu}; }

    constexpr bool operator==(const Ipv4Address&) const = default;
    constexpr bool is_zero() const { return value == 0; }
    constexpr bool is_broadcast() const { return value == 0xffffffffu; }
    // 224.0.0.0/4 (RFC 1112).
    constexpr bool is_multicast() const { return (value >> 28) == 0xe; }
    // 127.0.0.0/8 must never appear on a wire (RFC 1122 3.2.1.3).
    constexpr bool is_loopback() const { return (value >> 24) == 127; }
    constexpr bool same_subnet(Ipv4Address other, Ipv4Address mask) const {
        return (value & mask.value) == (other.value & mask.value);
    }
};

// "a.b.c.d", each part a decimal 0..255 without sign or stray characters.
bool parse_ipv4(StringView text, Ipv4Address& out);
// "a.b.c.d/N" or "a.b.c.d" (prefix left unchanged); N in 0..32.
bool parse_ipv4_prefix(StringView text, Ipv4Address& out, u8& prefix);
Ipv4Address netmask_from_prefix(u8 prefix);
u8 prefix_from_netmask(Ipv4Address mask);

// Text forms for format(): `log_info("net", "{}", ip_text(a))`.
struct Ipv4Text {
    char text[16];
};
struct MacText {
    char text[18];
};
Ipv4Text ip_text(Ipv4Address address);
MacText mac_text(MacAddress mac);
inline FormatArg to_format_arg(const Ipv4Text& t) { return to_format_arg(static_cast<const char*>(t.text)); }
inline FormatArg to_format_arg(const MacText& t) { return to_format_arg(static_cast<const char*>(t.text)); }

}  // namespace mote
