#include "dev/rtc/goldfish_rtc.hpp"

#include "core/log.hpp"

namespace mote {

namespace {
constexpr u64 kNanosecondsPerSecond = 1000000000;
}

Result<i64> goldfish_rtc_decode(u32 low, u32 high, RtcFault* fault) {
    if (low == 0xffffffff && high == 0xffffffff) return rtc_fail(fault, RtcFault::NotPresent);
    u64 ns = u64(high) << 32 | low;
    // Seconds first: a count past what an i64 holds is simply too late.
    TRY(rtc_check_range(i64(ns / kNanosecondsPerSecond), fault));
    return i64(ns);
}

Result<i64> goldfish_rtc_read(volatile u8* base, RtcFault* fault) {
    RtcFault local = RtcFault::None;
    if (!fault) fault = &local;
    u32 low = *reinterpret_cast<volatile u32*>(base + goldfish_rtc::kTimeLow);
    u32 high = *reinterpret_cast<volatile u32*>(base + goldfish_rtc::kTimeHigh);
    auto ns = goldfish_rtc_decode(low, high, fault);
    if (ns.is_error())
        log_warn("rtc", "goldfish-rtc reads nonsense: {} (TIME_HIGH {:#010x} TIME_LOW {:#010x})", rtc_fault_name(*fault),
                 high, low);
    return ns;
}

}  // namespace mote
