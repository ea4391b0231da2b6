// C string routines for the programs. memcpy/memmove/memset/memcmp/strlen
// are the kernel's (base/memory.hpp, exported under the C names by
// kernel/base/libc_symbols.cpp); these are the rest, under C++ names so the
// host unit tests can call them next to libc's. c_symbols.cpp exports them
// as strcmp, strncmp, strchr and memchr in the freestanding programs.
#pragma once

#include "base/memory.hpp"
#include "base/types.hpp"

namespace mote::user {

int string_compare(const char* a, const char* b);
int string_compare_n(const char* a, const char* b, usize n);
// The first `c` in `s` (the terminator counts when c is 0), or nullptr.
const char* string_find(const char* s, int c);
const void* memory_find(const void* p, int c, usize n);
// Copies at most size-1 bytes and always terminates (size > 0); returns
// strlen(src), so a result >= size means it was cut.
usize string_copy(char* dest, const char* src, usize size);

}  // namespace mote::user
