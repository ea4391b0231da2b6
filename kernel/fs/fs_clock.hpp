// FsClock: where a filesystem gets the time it stamps on nodes (atime,
// mtime, ctime: nanoseconds since 1970), and where set_times() resolves
// abi::kTimeNow.
//
// A hook rather than a clock: the kernel has a monotonic clock only, and a
// wall clock (an RTC, or a time set from outside) is another subsystem's
// business. Until one is connected, read() is 0, which the ABI's Stat
// documents as "not kept".
#pragma once

#include "base/types.hpp"

namespace mote::fs {

struct FsClock {
    i64 (*now)(void* context) = nullptr;
    void* context = nullptr;

    // Nanoseconds since 1970, or 0 without a clock (never negative: a
    // clock before 1970 reads as 0 too).
    i64 read() const {
        if (!now) return 0;
        i64 value = now(context);
        return value < 0 ? 0 : value;
    }
};

}  // namespace mote::fs
