// Reserves the space for the kernel symbol table (see symbols.hpp). Filled
// in after the link by tools/ksyms.py; zero until then.
#include "base/types.hpp"

namespace mote {
// About 30 bytes per function; tools/ksyms.py says when to raise it.
inline constexpr usize kKsymsBytes = 32 * 1024;
[[gnu::section(".ksyms"), gnu::used]] const u8 g_ksyms_space[kKsymsBytes] = {};
}  // namespace mote
