#include "proc/scheduler.hpp"

#include "core/cpu.hpp"

namespace mote {

void Scheduler::make_runnable(Thread& thread, Nanoseconds now) {
    VERIFY_MSG(thread.m_state != ThreadState::Runnable && thread.m_state != ThreadState::Dead,
               "thread made runnable twice, or after it died");
    thread.m_state = ThreadState::Runnable;
    thread.m_state_since = now;
    m_queues[u32(thread.m_band)].push_back(thread);
}

void Scheduler::remove(Thread& thread) {
    if (thread.run_node.is_linked()) m_queues[u32(thread.m_band)].remove(thread);
    if (m_slice_owner == &thread) m_slice_owner = nullptr;
}

Thread* Scheduler::take_next() {
    for (auto& queue : m_queues)
        if (Thread* thread = queue.pop_front()) return thread;
    return nullptr;
}

bool Scheduler::run_user(Loop& loop, Nanoseconds deadline) {
    Thread* thread = take_next();
    if (!thread) {
        ++m_stats.idle_returns;
        return false;
    }
    Nanoseconds start = loop.now();
    for (;;) {
        const Nanoseconds end = run_one(*thread, start, deadline);
        // Straight on to the next runnable thread when this one parked (its
        // syscall woke another, as a channel call wakes its server) and the
        // loop has nothing to do: no completion or deferred call queued by
        // that syscall, no interrupt posted, no timer due, counting one the
        // syscall armed. A turn of the loop would find exactly that and come
        // back here; skipping it is the direct switch of a request/reply.
        if (thread->m_state != ThreadState::Parked || loop.has_queued_calls() || loop.irq_pending()) return true;
        deadline = loop.timers().next_deadline();
        if (end >= deadline) return true;
        thread = take_next();
        if (!thread) return true;
        ++m_stats.direct_switches;
        start = end;
    }
}

Nanoseconds Scheduler::run_one(Thread& thread, Nanoseconds start, Nanoseconds deadline) {
    // A thread the loop interrupted keeps the rest of its slice.
    if (m_slice_owner != &thread || start >= m_slice_end) {
        m_slice_owner = &thread;
        m_slice_end = start + m_timeslice;
    }
    // Timeslices matter only if someone of the same or a higher band waits.
    bool contended = false;
    for (u32 band = 0; band <= u32(thread.m_band); ++band) contended |= !m_queues[band].empty();
    Nanoseconds until = contended ? min(deadline, m_slice_end) : deadline;

    thread.m_stats.ready_time += start - thread.m_state_since;
    thread.m_state = ThreadState::Running;
    ++thread.m_stats.switches;
    ++m_stats.runs;
    m_current = &thread;
    this_cpu().current_thread = &thread;

    RunExit exit = m_platform.run(thread, until);

    Nanoseconds end = m_loop.now();
    thread.m_stats.cpu_time += end - start;
    m_current = nullptr;
    this_cpu().current_thread = nullptr;
    // Parked, Ended and Detached threads are on no queue: whoever wakes
    // them (an object, the end of the process, a syscall event) requeues.
    if (exit == RunExit::Loop && thread.m_state == ThreadState::Running) {
        thread.m_state = ThreadState::Runnable;
        thread.m_state_since = end;
        if (contended && end >= m_slice_end) {
            ++m_stats.preemptions;
            m_slice_owner = nullptr;
            m_queues[u32(thread.m_band)].push_back(thread);
        } else {
            m_queues[u32(thread.m_band)].push_front(thread);
        }
    }
    return end;
}

}  // namespace mote
