// The event loop: one per CPU, and the only thing the kernel ever "runs".
//
// Each turn:
//   1. fire the timers that are due,
//   2. drain the interrupt ring, running each source's handler,
//   3. deliver the completions posted before this step began,
//   4. run the deferred calls posted before this step began,
//   5. if nothing is ready, run user threads (if any are runnable) until an
//      event needs the loop, else wait in the platform until the next timer
//      deadline or an interrupt.
//
// Invariant: between turns no kernel state lives on the stack. Everything
// a piece of work needs is in its Request, Timer or driver object, never in
// a suspended call frame. So a turn can always start from the top, one kernel
// stack per CPU suffices, and (later) the CPU can go to user mode from step 5
// with nothing kernel-side left half-done.
//
// Steps 3 and 4 only take work that was queued when they began: a callback
// that resubmits a request that completes at once is served on the next
// turn, so one turn is always bounded and timers and interrupts are never
// starved.
#pragma once

#include "base/list.hpp"
#include "core/deferred.hpp"
#include "core/irq_ring.hpp"
#include "core/loop_activity.hpp"
#include "core/request.hpp"
#include "core/timer.hpp"

namespace mote {

// What a loop needs from the machine it runs on.
class LoopHost {
public:
    virtual Nanoseconds now() = 0;
    // Sleeps until `deadline` (kNoDeadline: no timer armed) or until an
    // interrupt has been posted to `loop`, whichever comes first. May return
    // early for any reason; the loop simply turns again.
    virtual void wait(Loop& loop, Nanoseconds deadline) = 0;

protected:
    ~LoopHost() = default;
};

// What runs on the CPU when the loop has nothing ready: user threads (the
// scheduler, kernel/proc/scheduler.hpp). Loop work always goes first; user
// code runs only in step 5, in place of the wait.
class UserRunner {
public:
    // Runs user threads until something needs the loop (an interrupt, the
    // next timer `deadline`, a syscall that parked); returns false at once,
    // having run nothing, if no thread is runnable.
    virtual bool run_user(Loop& loop, Nanoseconds deadline) = 0;

protected:
    ~UserRunner() = default;
};

struct LoopStats {
    u64 turns = 0;
    u64 waits = 0;
    u64 user_runs = 0;  // step 5 ran user threads instead of waiting
    u64 completions = 0;
    u64 timers_fired = 0;
    u64 irqs = 0;
    u64 irq_overflows = 0;
    u64 irq_unhandled = 0;
    u64 deferred_calls = 0;
};

class Loop {
public:
    using IrqHandler = void (*)(void* context, u32 source);

    explicit Loop(LoopHost& host) : m_host(host) {}
    Loop(const Loop&) = delete;
    Loop& operator=(const Loop&) = delete;
    ~Loop();

    Nanoseconds now() { return m_host.now(); }

    // Timers.
    void arm(Timer& timer, Nanoseconds deadline, Nanoseconds period = 0) { m_timers.arm(timer, deadline, period); }
    void arm_after(Timer& timer, Nanoseconds delay, Nanoseconds period = 0) { arm(timer, now() + delay, period); }
    bool cancel(Timer& timer) { return m_timers.cancel(timer); }
    const TimerQueue& timers() const { return m_timers; }

    // Deferred calls.
    void defer(Deferred& call);
    bool cancel(Deferred& call);

    // Completions: called by providers, from loop context only.
    void complete(Request& request);                // ok
    void complete(Request& request, Error error);  // failed (Error::Cancelled: withdrawn)

    // Interrupts. post_irq is the one call allowed from interrupt context.
    void post_irq(u32 source) { m_irqs.post(source); }
    void set_irq_handler(u32 source, IrqHandler handler, void* context);
    bool irq_pending() const { return m_irqs.pending(); }

    // Who runs user threads in step 5 (nullptr: nobody, the loop waits).
    void set_user_runner(UserRunner* runner) { m_runner = runner; }

    // Runs one turn; waits (or runs user threads) in step 5 only if `may_wait`.
    void turn(bool may_wait = true);
    // Turns until stop() is called.
    void run();
    // Turns until `done` becomes true or `timeout` has passed, waiting in the
    // platform between turns (never running user threads), even after stop().
    // For the shutdown steps that must see their I/O finish after run()
    // returned (unmounting the boot disk). Returns whether `done` was seen.
    bool run_until(const bool& done, Nanoseconds timeout);
    void stop() { m_stopping = true; }
    bool stopping() const { return m_stopping; }

    // Whether a turn would have work to do without waiting; the second
    // form takes the time from a clock read the caller already made.
    bool has_ready_work();
    bool has_ready_work(Nanoseconds at);
    // Whether kernel code has queued work: completions or deferred calls (a
    // syscall that finished a request or woke another thread). Neither the
    // clock nor posted interrupts: for code that runs with interrupts off
    // and the one-shot timer armed for the next deadline, so that a due
    // timer or a device's interrupt traps as soon as interrupts are on
    // again (a syscall about to return to user mode).
    bool has_queued_calls() const { return !m_completions.empty() || !m_deferred.empty(); }

    LoopStats stats() const;
    // What the loop is running now (the kernel watchdog reads it from the
    // timer interrupt).
    const LoopActivity& activity() const { return m_activity; }

private:
    void finish(Request& request, bool ok, Error error);
    void deliver(Request& request);
    void dispatch_irq(u32 source);

    struct IrqSlot {
        IrqHandler handler = nullptr;
        void* context = nullptr;
    };

    LoopHost& m_host;
    UserRunner* m_runner = nullptr;
    // First, near the object's start: every syscall checks both
    // (has_queued_calls), and small offsets are single instructions.
    IntrusiveList<Request, &Request::m_loop_node> m_completions;
    IntrusiveList<Deferred, &Deferred::node> m_deferred;
    TimerQueue m_timers;
    IrqRing<256> m_irqs;
    IrqSlot m_irq_slots[kMaxIrqSources];
    LoopStats m_stats;
    LoopActivity m_activity;
    bool m_stopping = false;
};

// Interrupt nesting depth of this CPU (Cpu::interrupt_depth), maintained by
// the arch trap entry.
// Loop::complete and friends VERIFY that it is zero.
u32& interrupt_depth();

}  // namespace mote
