#include "strings.hpp"

namespace mote::user {

int string_compare(const char* a, const char* b) {
    // Compared as unsigned char, as C specifies.
    for (;; ++a, ++b) {
        u8 x = u8(*a), y = u8(*b);
        if (x != y) return x < y ? -1 : 1;
        if (x == 0) return 0;
    }
}

int string_compare_n(const char* a, const char* b, usize n) {
    for (usize i = 0; i < n; ++i) {
        u8 x = u8(a[i]), y = u8(b[i]);
        if (x != y) return x < y ? -1 : 1;
        if (x == 0) return 0;
    }
    return 0;
}

const char* string_find(const char* s, int c) {
    char wanted = char(c);
    for (;; ++s) {
        if (*s == wanted) return s;
        if (*s == 0) return nullptr;
    }
}

const void* memory_find(const void* p, int c, usize n) {
    const auto* bytes = static_cast<const u8*>(p);
    for (usize i = 0; i < n; ++i)
        if (bytes[i] == u8(c)) return bytes + i;
    return nullptr;
}

usize string_copy(char* dest, const char* src, usize size) {
    usize length = string_length(src);
    if (size > 0) {
        usize n = min(length, size - 1);
        mem_copy(dest, src, n);
        dest[n] = '\0';
    }
    return length;
}

}  // namespace mote::user
