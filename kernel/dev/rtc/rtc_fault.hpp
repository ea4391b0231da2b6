// Why a real-time clock reading was rejected, and the range a reading must
// fall in to be believed.
//
// Every RTC decoder (cmos_rtc, goldfish_rtc, pl031) validates what it read
// before the wall clock takes it: a device that is not there, a register
// holding something no clock would, a chip that says its own time is bad,
// or a time no machine running this kernel can have. The decoders return
// Error::Malformed (NotFound for a missing device) and the named fault goes
// to the boot log and the tests.
#pragma once

#include "base/result.hpp"

namespace mote {

enum class RtcFault : u8 {
    None,          // no fault: the reading is believed
    NotPresent,    // the registers read as if no device answered (all ones, or the wrong identification)
    BadBcd,        // a BCD field holds a digit above 9
    BadField,      // a field outside its range: second 60, hour 24 (0 or 13 on a 12-hour clock), month 13, April 31
    InvalidTime,   // the chip says its own time is not valid (CMOS: battery lost; PL031: counter not started)
    NeverSettled,  // the CMOS update never ended, or no two passes over the registers agreed
    NotSet,        // earlier than kRtcEarliest: a clock nobody has set since it lost power
    TooLate,       // later than kRtcLatest
};

inline constexpr usize kRtcFaultCount = 8;
static_assert(usize(RtcFault::TooLate) + 1 == kRtcFaultCount, "update kRtcFaultCount and rtc_fault_name");

// A stable name ("BadBcd") for logs and tests.
const char* rtc_fault_name(RtcFault fault);

// The accepted readings: 2000-01-01T00:00:00Z through 2099-12-31T23:59:59Z.
// A clock that lost its setting restarts at 1970 (or the chip's own
// zero), long before anything this kernel can have written, and a CMOS
// clock without a century register only knows 20xx; the upper end keeps
// every reading inside ext2's 32-bit timestamps.
inline constexpr i64 kRtcEarliest = 946684800;
inline constexpr i64 kRtcLatest = 4102444799;

// `unix_seconds` if it lies in the accepted range; otherwise Malformed with
// *fault (if non-null) NotSet or TooLate.
Result<i64> rtc_check_range(i64 unix_seconds, RtcFault* fault);

// Sets *fault (if non-null) and returns the error every decoder reports.
inline Error rtc_fail(RtcFault* fault, RtcFault why) {
    if (fault) *fault = why;
    return why == RtcFault::NotPresent ? Error::NotFound : Error::Malformed;
}

}  // namespace mote
