// Calls into the SBI firmware (RISC-V Supervisor Binary Interface spec v2.0):
// `ecall` from S-mode with the extension id in a7 and the function id in a6;
// a0 returns an error code and a1 a value (chapter 3, "Binary encoding").
#pragma once

#include "base/types.hpp"

namespace mote::sbi {

struct Ret {
    i64 error;  // 0 = SBI_SUCCESS, negative = SBI_ERR_* (3, table 1)
    i64 value;
};

inline constexpr u64 kBase = 0x10;        // chapter 4
inline constexpr u64 kTime = 0x54494D45;  // "TIME", chapter 6
inline constexpr u64 kSrst = 0x53525354;  // "SRST", chapter 10

Ret call(u64 extension, u64 function, u64 a0 = 0, u64 a1 = 0, u64 a2 = 0);

// Whether the firmware implements `extension` (4.8, sbi_probe_extension).
bool has_extension(u64 extension);
// Programs the next timer event at absolute `time` (6.1); clears a pending one.
void set_timer(u64 time);
// System reset (10.1): type 0 = shutdown, 1 = cold reboot. Returns only if
// the firmware refused.
Ret system_reset(u32 type, u32 reason);
// The legacy console (extension 0x01, chapter 5): a last-resort output for
// failures before the UART is known.
void legacy_putchar(char c);

}  // namespace mote::sbi
