// The one translation from the kernel's Error (base/error.hpp) to the
// user-visible abi::Err: at the syscall boundary (SysResult) and wherever a
// parked syscall's completion wakes its thread with a failure.
#pragma once

#include "abi/syscalls.hpp"
#include "base/error.hpp"

namespace mote {

abi::Err to_abi(Error error);
const char* abi_error_name(abi::Err error);

}  // namespace mote
