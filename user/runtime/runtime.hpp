// Everything a program includes: system calls, output, arguments and start
// handles, parsing helpers. See user/README.md.
#pragma once

#include "abi/syscalls.hpp"
#include "base/format.hpp"
#include "base/result.hpp"
#include "base/span.hpp"
#include "heap.hpp"
#include "parse.hpp"
#include "print.hpp"
#include "spawn.hpp"
#include "startup.hpp"
#include "strings.hpp"
#include "sys.hpp"
#include "sys_or.hpp"

namespace mote::user {

// The exit status of a program stopped by a failed VERIFY.
inline constexpr int kPanicStatus = 134;
// The exit status when the StartInfo could not be used and main never ran.
inline constexpr int kBadStartStatus = 127;

Heap& process_heap();

}  // namespace mote::user
