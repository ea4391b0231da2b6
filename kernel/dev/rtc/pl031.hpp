// The ARM PrimeCell PL031 real-time clock (compatible "arm,pl031"): the
// real-time clock of QEMU's aarch64 `virt` machine (hw/rtc/pl031.c).
//
// A 32-bit count of seconds since 1970 in RTCDR, counting while RTCCR's
// start bit is set. The PrimeCell identification registers at the end of
// the 4 KiB window name the part (0x031, designer ARM), which is how a
// mapping that reaches something else, or nothing, is told apart from a
// clock that happens to read zero. (PL031 TRM, ARM DDI 0224, 3.2-3.3.)
#pragma once

#include "dev/rtc/rtc_fault.hpp"

namespace mote {

namespace pl031 {
inline constexpr u32 kData = 0x000;     // RTCDR: seconds
inline constexpr u32 kControl = 0x00c;  // RTCCR: bit 0 starts the counter (and cannot stop it again)
inline constexpr u32 kPeriphId0 = 0xfe0;  // RTCPeriphID0..3 at 0xfe0..0xfec, then RTCPCellID0..3 at 0xff0..0xffc
inline constexpr u32 kControlStart = 1;
inline constexpr u64 kRegisterBytes = 0x1000;
}  // namespace pl031

// The identification registers' low bytes, PeriphID0..3 then PCellID0..3.
struct Pl031Id {
    u8 bytes[8] = {};
};

// The part number (0x031), designer (0x41, ARM) and PrimeCell ID
// (0xb105f00d) the identification registers must hold; NotPresent if not.
Result<void> pl031_check_id(const Pl031Id& id, RtcFault* fault);
// RTCDR and RTCCR as seconds since 1970, in the accepted range
// (rtc_fault.hpp); InvalidTime if the counter was never started.
Result<i64> pl031_decode(u32 data, u32 control, RtcFault* fault);

// Identifies the clock at `base` (its mapped 4 KiB), reads and decodes it;
// a rejected reading is logged with its fault.
Result<i64> pl031_read(volatile u8* base, RtcFault* fault = nullptr);

}  // namespace mote
