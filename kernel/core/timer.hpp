// Timers: one-shot and periodic, on the monotonic nanosecond clock.
//
// A Timer is caller-owned; arming links it into the loop's TimerQueue, a
// pairing heap threaded through the Timer itself, so arming never allocates.
// Costs: arm O(1), cancel and expiry O(log n) amortised. Timers with equal
// deadlines fire in the order they were armed.
//
// Periodic timers do not drift: the next deadline is the previous deadline
// plus the period, not "now" plus the period. If the loop fell behind by
// whole periods, the missed expiries are counted in overruns() and the timer
// fires once, not in a burst.
#pragma once

#include "base/types.hpp"
#include "core/loop_activity.hpp"

namespace mote {

using Nanoseconds = u64;
inline constexpr Nanoseconds kNoDeadline = ~Nanoseconds(0);
inline constexpr Nanoseconds kMicrosecond = 1000;
inline constexpr Nanoseconds kMillisecond = 1000 * kMicrosecond;
inline constexpr Nanoseconds kSecond = 1000 * kMillisecond;

class Timer {
public:
    using Callback = void (*)(Timer&);

    Timer() = default;
    Timer(Callback callback, void* context = nullptr) : m_callback(callback), m_context(context) {}
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;
    ~Timer();

    void set_callback(Callback callback, void* context = nullptr) {
        m_callback = callback;
        m_context = context;
    }
    void* context() const { return m_context; }

    bool armed() const { return m_armed; }
    Nanoseconds deadline() const { return m_deadline; }
    Nanoseconds period() const { return m_period; }
    u64 overruns() const { return m_overruns; }
    u64 fired() const { return m_fired; }

private:
    friend class TimerQueue;

    Callback m_callback = nullptr;
    void* m_context = nullptr;
    Nanoseconds m_deadline = 0;
    Nanoseconds m_period = 0;
    u64 m_sequence = 0;  // tie-break: equal deadlines fire in arming order
    u64 m_overruns = 0;
    u64 m_fired = 0;
    // Pairing-heap links: first child, next sibling, and `prev`, which is the
    // parent for a first child and the previous sibling otherwise.
    Timer* m_child = nullptr;
    Timer* m_sibling = nullptr;
    Timer* m_prev = nullptr;
    bool m_armed = false;
};

class TimerQueue {
public:
    TimerQueue() = default;
    TimerQueue(const TimerQueue&) = delete;
    TimerQueue& operator=(const TimerQueue&) = delete;

    // Arms `timer` to fire at `deadline`; re-arming an armed timer moves it.
    // A non-zero `period` makes it periodic.
    void arm(Timer& timer, Nanoseconds deadline, Nanoseconds period = 0);
    // Returns whether the timer was armed.
    bool cancel(Timer& timer);

    Nanoseconds next_deadline() const { return m_root ? m_root->m_deadline : kNoDeadline; }
    usize size() const { return m_count; }
    bool empty() const { return m_count == 0; }

    // Fires every timer whose deadline is <= now, in deadline order; returns
    // how many fired. A timer armed by a callback for a deadline <= now fires
    // on the next call, so one call always terminates. `activity`, if given,
    // is told about each callback before it runs (the loop's watchdog).
    usize run_due(Nanoseconds now, LoopActivity* activity = nullptr);

private:
    static bool before(const Timer* a, const Timer* b);
    Timer* meld(Timer* a, Timer* b);
    Timer* merge_pairs(Timer* first);
    void detach(Timer& t);
    Timer* pop_min();

    Timer* m_root = nullptr;
    usize m_count = 0;
    u64 m_next_sequence = 0;
};

}  // namespace mote
