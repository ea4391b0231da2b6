#include "parse.hpp"

namespace mote::user {

Result<u64> parse_seconds(StringView text) {
    usize dot = 0;
    while (dot < text.length() && text[dot] != '.') ++dot;
    StringView whole = text.substr(0, dot);
    u64 seconds = 0;
    if (!whole.empty()) {
        // parse_u64 would also take 0x and 0b: seconds are decimal only.
        for (char c : whole)
            if (c < '0' || c > '9') return Error::Malformed;
        seconds = TRY(parse_u64(whole));
    }
    u64 fraction = 0;
    if (dot < text.length()) {
        StringView digits = text.substr(dot + 1);
        if (digits.empty() && whole.empty()) return Error::Malformed;  // "."
        if (digits.length() > 9) return Error::Malformed;
        u64 scale = 1'000'000'000;
        for (char c : digits) {
            if (c < '0' || c > '9') return Error::Malformed;
            scale /= 10;
            fraction += u64(c - '0') * scale;
        }
    } else if (whole.empty()) {
        return Error::Malformed;
    }
    u64 ns = 0;
    if (__builtin_mul_overflow(seconds, u64(1'000'000'000), &ns) || __builtin_add_overflow(ns, fraction, &ns))
        return Error::Overflow;
    return ns;
}

Result<u64> parse_size(StringView text) {
    if (text.empty()) return Error::Malformed;
    u64 multiplier = 1;
    switch (text[text.length() - 1]) {
    case 'k': case 'K': multiplier = u64(1) << 10; break;
    case 'm': case 'M': multiplier = u64(1) << 20; break;
    case 'g': case 'G': multiplier = u64(1) << 30; break;
    default: break;
    }
    if (multiplier != 1) text = text.substr(0, text.length() - 1);
    u64 value = TRY(parse_u64(text));
    u64 bytes = 0;
    if (__builtin_mul_overflow(value, multiplier, &bytes)) return Error::Overflow;
    return bytes;
}

bool match_option(StringView word, StringView key, StringView& value) {
    if (word.length() <= key.length() || !word.starts_with(key) || word[key.length()] != '=') {
        value = StringView();
        return false;
    }
    value = word.substr(key.length() + 1);
    return true;
}

Result<u32> parse_ipv4(StringView text) {
    u32 address = 0;
    usize at = 0;
    for (u32 part = 0; part < 4; ++part) {
        if (part > 0) {
            if (at >= text.length() || text[at] != '.') return Error::Malformed;
            ++at;
        }
        const usize start = at;
        u32 value = 0;
        while (at < text.length() && text[at] >= '0' && text[at] <= '9' && at - start < 3) value = value * 10 + u32(text[at++] - '0');
        const usize digits = at - start;
        if (digits == 0 || value > 255 || (digits > 1 && text[start] == '0')) return Error::Malformed;
        address = address << 8 | value;
    }
    if (at != text.length()) return Error::Malformed;
    return address;
}

Result<u16> parse_port(StringView text) {
    for (char c : text)
        if (c < '0' || c > '9') return Error::Malformed;
    const u64 port = TRY(parse_u64(text));
    if (port == 0 || port > 65535) return Error::OutOfRange;
    return u16(port);
}

}  // namespace mote::user
