// Strict number parsing for untrusted text (shell arguments, the kernel
// command line): the whole token must be a number, or it is an error.
//   decimal: 123    hex: 0x7b    binary: 0b1111011
// Errors: Malformed (empty, stray characters, bare prefix), Overflow.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"

namespace mote {

Result<u64> parse_u64(StringView text);

}  // namespace mote
