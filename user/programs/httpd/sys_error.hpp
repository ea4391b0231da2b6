// The system calls' abi::Err as the kernel's Error, which httpd's pure core
// speaks (FileSource, ServerHost): the few kinds the core tells apart keep
// their meaning, the rest become Io.
#pragma once

#include "abi/syscalls.hpp"
#include "base/error.hpp"

namespace mote::httpd {

Error error_from(abi::Err error);

}  // namespace mote::httpd
