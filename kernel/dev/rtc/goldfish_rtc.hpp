// The Goldfish RTC (compatible "google,goldfish-rtc"): the real-time clock
// of QEMU's riscv64 `virt` machine (hw/rtc/goldfish_rtc.c), first made for
// Android's emulator.
//
// One 64-bit count of nanoseconds since 1970 in two 32-bit registers.
// Reading TIME_LOW latches the upper half, which TIME_HIGH then returns, so
// the halves always belong to the same instant: low first, then high. The
// alarm and interrupt registers behind them are not used.
#pragma once

#include "dev/rtc/rtc_fault.hpp"

namespace mote {

namespace goldfish_rtc {
inline constexpr u32 kTimeLow = 0x00;   // bits 31:0; reading it latches bits 63:32
inline constexpr u32 kTimeHigh = 0x04;  // bits 63:32, as latched
// The registers the reader touches; a devicetree `reg` must cover them.
inline constexpr u64 kRegisterBytes = 0x08;
}  // namespace goldfish_rtc

// The two halves as nanoseconds since 1970, in the accepted range
// (rtc_fault.hpp); both halves all ones is NotPresent.
Result<i64> goldfish_rtc_decode(u32 low, u32 high, RtcFault* fault);

// Reads the clock at `base` (its mapped registers) and decodes it; a
// rejected reading is logged with its fault.
Result<i64> goldfish_rtc_read(volatile u8* base, RtcFault* fault = nullptr);

}  // namespace mote
