#include "net/ipv4_address.hpp"

namespace mote {

bool parse_ipv4(StringView text, Ipv4Address& out) {
    u32 value = 0;
    usize i = 0;
    for (int part = 0; part < 4; ++part) {
        if (part > 0) {
            if (i >= text.length() || text[i] != '.') return false;
            ++i;
        }
        u32 number = 0;
        usize digits = 0;
        while (i < text.length() && text[i] >= '0' && text[i] <= '9') {
            number = number * 10 + u32(text[i] - '0');
            ++i;
            // Three digits at most (so "0001" is refused, not read as 1).
            if (++digits > 3 || number > 255) return false;
        }
        if (digits == 0) return false;
        value = (value << 8) | number;
    }
    if (i != text.length()) return false;
    out.value = value;
    return true;
}

bool parse_ipv4_prefix(StringView text, Ipv4Address& out, u8& prefix) {
    usize slash = text.length();
    for (usize i = 0; i < text.length(); ++i)
        if (text[i] == '/') {
            slash = i;
            break;
        }
    if (slash == text.length()) return parse_ipv4(text, out);
    StringView bits = text.substr(slash + 1);
    if (bits.empty() || bits.length() > 2) return false;
    u32 n = 0;
    for (char c : bits) {
        if (c < '0' || c > '9') return false;
        n = n * 10 + u32(c - '0');
    }
    if (n > 32) return false;
    if (!parse_ipv4(text.substr(0, slash), out)) return false;
    prefix = u8(n);
    return true;
}

Ipv4Address netmask_from_prefix(u8 prefix) {
    if (prefix == 0) return Ipv4Address {0};
    if (prefix >= 32) return Ipv4Address {0xffffffffu};
    return Ipv4Address {~((u32(1) << (32 - prefix)) - 1)};
}

u8 prefix_from_netmask(Ipv4Address mask) {
    u8 n = 0;
    for (u32 bit = 0x80000000u; bit && (mask.value & bit); bit >>= 1) ++n;
    return n;
}

Ipv4Text ip_text(Ipv4Address a) {
    Ipv4Text t;
    format_to(Span<char>(t.text, sizeof(t.text)), "{}.{}.{}.{}", a.value >> 24, (a.value >> 16) & 0xff,
              (a.value >> 8) & 0xff, a.value & 0xff);
    return t;
}

MacText mac_text(MacAddress m) {
    MacText t;
    const u8* b = m.bytes;
    format_to(Span<char>(t.text, sizeof(t.text)), "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", b[0], b[1], b[2], b[3],
              b[4], b[5]);
    return t;
}

}  // namespace mote
