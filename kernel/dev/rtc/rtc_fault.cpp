#include "dev/rtc/rtc_fault.hpp"

namespace mote {

const char* rtc_fault_name(RtcFault fault) {
    switch (fault) {
    case RtcFault::None: return "None";
    case RtcFault::NotPresent: return "NotPresent";
    case RtcFault::BadBcd: return "BadBcd";
    case RtcFault::BadField: return "BadField";
    case RtcFault::InvalidTime: return "InvalidTime";
    case RtcFault::NeverSettled: return "NeverSettled";
    case RtcFault::NotSet: return "NotSet";
    case RtcFault::TooLate: return "TooLate";
    }
    return "UnknownRtcFault";
}

Result<i64> rtc_check_range(i64 unix_seconds, RtcFault* fault) {
    if (unix_seconds < kRtcEarliest) return rtc_fail(fault, RtcFault::NotSet);
    if (unix_seconds > kRtcLatest) return rtc_fail(fault, RtcFault::TooLate);
    if (fault) *fault = RtcFault::None;
    return unix_seconds;
}

}  // namespace mote
