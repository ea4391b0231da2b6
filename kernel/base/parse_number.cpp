#include "base/parse_number.hpp"

namespace mote {

namespace {
int digit_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return 99;
}
}  // namespace

Result<u64> parse_u64(StringView text) {
    u64 base = 10;
    usize i = 0;
    if (text.length() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        i = 2;
    } else if (text.length() >= 2 && text[0] == '0' && (text[1] == 'b' || text[1] == 'B')) {
        base = 2;
        i = 2;
    }
    if (i == text.length()) return Error::Malformed;
    u64 value = 0;
    for (; i < text.length(); ++i) {
        int d = digit_value(text[i]);
        if (u64(d) >= base) return Error::Malformed;
        if (__builtin_mul_overflow(value, base, &value) || __builtin_add_overflow(value, u64(d), &value))
            return Error::Overflow;
    }
    return value;
}

}  // namespace mote
