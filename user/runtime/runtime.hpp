// Everything a program includes: system calls, output, arguments and start
// handles, parsing helpers. See user/README.md.
#pragma once

#include "abi/syscalls.hpp"
#include "base/format.hpp"
#include "base/result.hpp"
#include "base/span.hpp"
#include "capability.hpp"
#include "caps_policy.hpp"
#include "fs_text.hpp"
#include "heap.hpp"
#include "parse.hpp"
#include "print.hpp"
#include "spawn.hpp"
#include "startup.hpp"
#include "strings.hpp"
#include "sys.hpp"
#include "sys_or.hpp"

// The C allocator over the process heap (c_symbols.cpp); new and delete
// use the same heap. nullptr when out of memory.
extern "C" {
void* malloc(size_t size);
void free(void* pointer);
void* realloc(void* pointer, size_t size);
void* calloc(size_t count, size_t size);
}

namespace mote::user {

// The exit status of a program stopped by a failed VERIFY.
inline constexpr int kPanicStatus = 134;
// The exit status when the StartInfo could not be used and main never ran.
inline constexpr int kBadStartStatus = 127;

Heap& process_heap();

}  // namespace mote::user
