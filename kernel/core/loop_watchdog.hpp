// The kernel watchdog's judgement: has the loop been stuck in one handler
// for longer than its bound? Pure logic over the loop's LoopActivity and the
// clock; the platform calls it from the timer interrupt and, when it says
// so, stops the machine with a report and an epitaph and resets it
// (platform/bare_metal/kernel_watchdog.cpp).
//
// While the loop works (anything but Waiting or Outside) the platform keeps
// the one-shot timer armed at most one period ahead (`tick_deadline`), so a
// handler that never returns is still interrupted; while it waits, the
// timer is armed only for what is due (tick-less idle stays tick-less).
// Each tick compares the loop's beat count with the last one seen: a new
// count is progress; the same count, in a handler, for `bound` or more is a
// wedge. A tick that interrupted user code is progress by definition (a user
// thread runs only when the kernel has returned from every handler).
#pragma once

#include "core/loop_activity.hpp"
#include "core/timer.hpp"

namespace mote {

class LoopWatchdog {
public:
    static constexpr Nanoseconds kDefaultBound = 10 * kSecond;
    static constexpr u32 kTicksPerBound = 4;

    // `bound` 0 leaves it off.
    void start(Nanoseconds bound, Nanoseconds now);
    bool enabled() const { return m_bound != 0; }
    Nanoseconds bound() const { return m_bound; }
    Nanoseconds period() const { return m_bound / kTicksPerBound; }

    // The latest the timer may fire while the loop works: min(requested,
    // now + period). `requested` as is when off.
    Nanoseconds tick_deadline(Nanoseconds requested, Nanoseconds now) const;

    // A timer interrupt at `now`. True if the loop is wedged: the same
    // handler has run without a beat for at least the bound.
    bool check(const LoopActivity& activity, Nanoseconds now, bool from_user);
    // Since when the current handler has run without a beat.
    Nanoseconds stuck_since() const { return m_since; }
    u64 ticks() const { return m_ticks; }

private:
    Nanoseconds m_bound = 0;
    Nanoseconds m_since = 0;
    u64 m_beats = 0;
    u64 m_ticks = 0;
};

}  // namespace mote
