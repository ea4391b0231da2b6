// Hex for the tests' expected values: lowercase, two digits per byte.
#pragma once

#include <string>
#include <vector>

#include "base/types.hpp"

namespace mote::test {

inline std::string hex_of(const u8* bytes, usize size) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (usize i = 0; i < size; ++i) {
        out += digits[bytes[i] >> 4];
        out += digits[bytes[i] & 15];
    }
    return out;
}

// The bytes of lowercase hex text (an odd last digit is dropped).
inline std::vector<u8> bytes_from_hex(const char* text) {
    std::vector<u8> out;
    auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
    for (const char* p = text; p[0] && p[1]; p += 2) out.push_back(u8(nibble(p[0]) << 4 | nibble(p[1])));
    return out;
}

}  // namespace mote::test
