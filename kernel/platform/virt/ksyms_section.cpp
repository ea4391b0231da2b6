// Reserves the space for the kernel symbol table (see symbols.hpp). Filled
// in after the link by tools/ksyms.py; zero until then.
#include "base/types.hpp"

namespace mote {
// About 25 bytes per function in the split-name format of symbols.hpp; the
// ~850 functions of late 2026 fill 73-77% of it on every architecture, and
// tools/ksyms.py prints the fill level at every link and fails when full.
inline constexpr usize kKsymsBytes = 28 * 1024;
[[gnu::section(".ksyms"), gnu::used]] const u8 g_ksyms_space[kKsymsBytes] = {};
}  // namespace mote
