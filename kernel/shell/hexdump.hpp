// Canonical hex dump: offset, 16 bytes in hex, the printable characters.
#pragma once

#include "base/span.hpp"

namespace mote {

class Shell;

void hexdump(Shell& shell, ReadonlyBytes bytes, u64 base_offset);

}  // namespace mote
