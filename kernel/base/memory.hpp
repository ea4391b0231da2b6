// Byte-level memory and string routines.
//
// The kernel image has no libc, yet the compiler emits calls to memcpy,
// memset, memmove and memcmp; kernel/base/libc_symbols.cpp exports these
// implementations under those names for freestanding builds. The hosted
// build keeps libc's, and the unit tests call these directly.
#pragma once

#include "base/types.hpp"

namespace mote {

void* mem_copy(void* dest, const void* src, usize n);
void* mem_move(void* dest, const void* src, usize n);
void* mem_set(void* dest, int value, usize n);
int mem_compare(const void* a, const void* b, usize n);
usize string_length(const char* s);

// Zeroes secrets (key-derived scratch, random bytes handed out). The empty
// asm claims to read the memory, so the compiler cannot treat the stores as
// dead and drop them.
inline void wipe(void* p, usize n) {
    mem_set(p, 0, n);
    asm volatile("" : : "r"(p) : "memory");
}

}  // namespace mote
