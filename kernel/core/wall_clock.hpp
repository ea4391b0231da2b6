// The wall clock: UTC time of day, as nanoseconds since 1970-01-01T00:00:00Z
// (POSIX time: no leap seconds), for the filesystems' timestamps and for
// programs (sys/clock, `date`).
//
// It is not a second clock. The platform reads its real-time clock once at
// boot (platform/*: Goldfish RTC on riscv64 virt, PL031 on aarch64 virt,
// the CMOS RTC on x86 PCs, CLOCK_REALTIME when hosted) and hands the
// reading here together with the monotonic time it was taken at; from then
// on the wall clock is that epoch plus the monotonic clock's progress, so
// it never jumps and never goes backwards. It drifts as the monotonic clock
// drifts from the RTC (nothing re-reads the RTC yet), and it is only as
// precise as the RTC's reading: one second for the CMOS and PL031 clocks,
// whose reading is taken as the start of its second.
//
// Without a usable RTC the clock counts from 0 at boot (1970-01-01 plus the
// uptime) and wall_clock_known() says so; wall_clock_log() says why.
// Not synchronised: set once during single-CPU boot, read afterwards.
#pragma once

#include "base/span.hpp"
#include "core/timer.hpp"

namespace mote {

// The platform's monotonic clock (its LoopHost::now()), as a function: the
// wall clock outlives no machine, but must not hold a reference to one.
using MonotonicClock = Nanoseconds (*)();

// Nanoseconds since 1970 now; 0 until the platform has set the clock.
i64 wall_clock_ns();
// Whole seconds since 1970 now, clamped to what 32 bits hold (ext2's
// timestamps; the accepted RTC range ends in 2099, well inside).
u32 wall_clock_seconds();
// True if the epoch came from a real-time clock.
bool wall_clock_known();
// What set it: "goldfish-rtc", "pl031", "cmos-rtc", "CLOCK_REALTIME", or
// "none".
StringView wall_clock_source();
// The wall clock at monotonic time `at` (reports that already hold a time).
i64 wall_clock_at(Nanoseconds at);

// Platform, at boot: the real-time clock `source` (a string literal) read
// `unix_ns` when `clock` read `read_at`.
void wall_clock_set(MonotonicClock clock, i64 unix_ns, Nanoseconds read_at, StringView source);
// Platform, at boot, when there is no usable real-time clock: the clock
// counts from 0 at monotonic time 0. `why` is kept (cut to 63 bytes) for
// the log line.
void wall_clock_set_unknown(MonotonicClock clock, StringView why);
// One log line: the time the clock was set to and from what, or (a
// warning) that there is none and why. Kernel::run calls it once the
// console shows log lines, which the platform's early boot does not.
void wall_clock_log();
// Back to the unset state (tests).
void wall_clock_reset();

}  // namespace mote
