// Scheduler: which user thread runs when the loop has nothing to do.
//
// Two bands, interactive before batch, round-robin inside each. A thread
// runs until it parks, its process ends, the loop needs the CPU (an
// interrupt, a due timer) or its timeslice ends; the timeslice is armed
// only when another thread of the same or a higher band is waiting, so a
// lone thread is never interrupted for nothing. A thread the loop
// interrupted keeps its place at the head of its queue with the rest of its
// slice; one whose slice ended goes to the back.
//
// Preemption points: every trap from user mode. The kernel itself is never
// preempted: loop work always runs to completion before user code resumes.
// When a thread parks and the loop has nothing to do, the next runnable
// thread goes on the CPU at once (a direct switch, counted), without a
// loop turn between them.
#pragma once

#include "core/loop.hpp"
#include "proc/thread.hpp"

namespace mote {

struct SchedulerStats {
    u64 runs = 0;         // times a thread was put on the CPU
    u64 preemptions = 0;  // timeslices that ended with the thread runnable
    u64 idle_returns = 0; // run_user found nothing runnable
    u64 direct_switches = 0;  // a thread run right after another parked, without a loop turn
};

class Scheduler final : public UserRunner {
public:
    static constexpr Nanoseconds kDefaultTimeslice = 10 * kMillisecond;

    Scheduler(Loop& loop, UserPlatform& platform) : m_loop(loop), m_platform(platform) {}

    void make_runnable(Thread& thread) { make_runnable(thread, m_loop.now()); }
    // The same, with the time from a clock read the caller already made.
    void make_runnable(Thread& thread, Nanoseconds now);
    // Takes a runnable thread off its queue (it parked or ended).
    void remove(Thread& thread);
    usize runnable() const { return m_queues[0].size() + m_queues[1].size(); }

    // UserRunner
    bool run_user(Loop& loop, Nanoseconds deadline) override;

    Nanoseconds timeslice() const { return m_timeslice; }
    void set_timeslice(Nanoseconds slice) { m_timeslice = slice; }
    const SchedulerStats& stats() const { return m_stats; }
    Thread* current() const { return m_current; }

private:
    // The first runnable thread, interactive band first, off its queue.
    Thread* take_next();
    // Runs `thread` (off its queue) from `start` until it leaves the CPU,
    // at `deadline` at the latest; requeues it if it is still runnable.
    // Returns when it left.
    Nanoseconds run_one(Thread& thread, Nanoseconds start, Nanoseconds deadline);

    Loop& m_loop;
    UserPlatform& m_platform;
    IntrusiveList<Thread, &Thread::run_node> m_queues[kBandCount];
    Thread* m_current = nullptr;
    Thread* m_slice_owner = nullptr;
    Nanoseconds m_slice_end = 0;
    Nanoseconds m_timeslice = kDefaultTimeslice;
    SchedulerStats m_stats;
};

}  // namespace mote
