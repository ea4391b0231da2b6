// The address of a symbol as the code running now sees it.
//
// Before the MMU is on, the riscv64 and aarch64 boot code runs at its
// physical load address and reaches symbols PC-relatively, so `&symbol`
// yields the physical address there and the link (virtual) address after
// the switch. The compiler takes `&symbol` for one link-time constant: with
// whole-image LTO it may fold a global that is stored once before the
// switch (the boot layout, the page-table pool's address) into its readers
// after it, which then see the virtual address. An empty asm that "changes"
// the value makes it a run-time value the compiler cannot re-derive.
#pragma once

#include "base/types.hpp"

namespace mote::arch {

[[gnu::always_inline]] inline u64 runtime_address(const void* symbol) {
    u64 value = reinterpret_cast<u64>(symbol);
    asm("" : "+r"(value));
    return value;
}

}  // namespace mote::arch
