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

}  // namespace mote::user
