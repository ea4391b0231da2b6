// The C symbols the compiler may call implicitly (struct copies, zeroing,
// large initialisers). Only linked into freestanding kernel images; the
// hosted build uses the C library's.
#include "base/memory.hpp"
#include "base/verify.hpp"

extern "C" {

void* memcpy(void* dest, const void* src, size_t n) { return mote::mem_copy(dest, src, n); }
void* memmove(void* dest, const void* src, size_t n) { return mote::mem_move(dest, src, n); }
void* memset(void* dest, int value, size_t n) { return mote::mem_set(dest, value, n); }
int memcmp(const void* a, const void* b, size_t n) { return mote::mem_compare(a, b, n); }
size_t strlen(const char* s) { return mote::string_length(s); }

// Called if a pure virtual function is ever invoked: always a kernel bug.
void __cxa_pure_virtual() { mote::platform_panic("pure virtual function called"); }

}
