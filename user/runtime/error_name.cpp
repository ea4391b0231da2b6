#include "sys_or.hpp"

#include "proc/abi_error.hpp"

namespace mote::user {

// The kernel's own table (kernel/proc/abi_error.cpp), shared rather than
// copied: the names are part of the ABI.
const char* error_name(abi::Err error) { return abi_error_name(error); }

}  // namespace mote::user
