// The C and C++ runtime symbols a freestanding program links against: the
// string routines under their C names, malloc and friends, operator
// new/delete, and the hooks the compiler calls for static objects. Not
// compiled into host tests, where libc and libstdc++ provide them.
#include "heap.hpp"
#include "strings.hpp"

namespace mote::user {
Heap& process_heap();
}  // namespace mote::user

using mote::user::process_heap;

extern "C" {

int strcmp(const char* a, const char* b) { return mote::user::string_compare(a, b); }
int strncmp(const char* a, const char* b, size_t n) { return mote::user::string_compare_n(a, b, n); }
char* strchr(const char* s, int c) { return const_cast<char*>(mote::user::string_find(s, c)); }
void* memchr(const void* p, int c, size_t n) { return const_cast<void*>(mote::user::memory_find(p, c, n)); }

void* malloc(size_t size) { return process_heap().allocate(size); }
void free(void* pointer) { process_heap().release(pointer); }
void* realloc(void* pointer, size_t size) { return process_heap().reallocate(pointer, size); }
void* calloc(size_t count, size_t size) {
    size_t bytes = 0;
    if (__builtin_mul_overflow(count, size, &bytes)) return nullptr;
    void* p = process_heap().allocate(bytes);
    if (p) mote::mem_set(p, 0, bytes);
    return p;
}

// Destructors of static objects would run at exit; programs end with the
// exit syscall and leave all cleanup to the kernel, so they are not kept.
void* __dso_handle = nullptr;
int __cxa_atexit(void (*)(void*), void*, void*) { return 0; }

}  // extern "C"

// Without exceptions, a failed new returns nullptr and the caller's use of
// it faults at a clear address rather than somewhere in the heap.
void* operator new(size_t size) { return process_heap().allocate(size); }
void* operator new[](size_t size) { return process_heap().allocate(size); }
void operator delete(void* p) noexcept { process_heap().release(p); }
void operator delete[](void* p) noexcept { process_heap().release(p); }
void operator delete(void* p, size_t) noexcept { process_heap().release(p); }
void operator delete[](void* p, size_t) noexcept { process_heap().release(p); }
