// The one translation from the kernel's Error (base/error.hpp) to the
// user-visible abi::Err: at the syscall boundary (SysResult) and wherever a
// parked syscall's completion wakes its thread with a failure.
#pragma once

#include "abi/syscalls.hpp"
#include "base/error.hpp"

namespace mote {

abi::Err to_abi(Error error);
// The other way, for an object that computed an abi::Err and answers
// through a kernel Result: the Error that translates to it (InvalidArgument
// for the ABI-only ones, BadAddress among them: callers say that apart).
Error from_abi(abi::Err error);
const char* abi_error_name(abi::Err error);

// The convention of the calls that answer with a signed count (the
// channel and socket objects' try_ halves): the count, or a negative
// abi::Err.
inline i64 abi_failure(abi::Err error) { return -i64(error); }
inline i64 abi_failure(Error error) { return -i64(to_abi(error)); }

}  // namespace mote
