// SignalBox: the signals a process has been sent and not yet taken.
//
// Two signals wait here instead of ending the process:
//   Notify     always: "something for you" (a service told to reload its
//              settings, a worker told there is work). Several before the
//              process looks count as one, like a doorbell.
//   Interrupt  only once the process has asked for it, by polling for
//              kPollInterrupt at least once; until then Ctrl-C ends it
//              (sys_signal), so a program that never thinks of it stops.
// A process takes them with poll(): the item with handle kNoHandle means
// "this process" and may ask only for kPollInterrupt and kPollNotify. A
// signal is reported by exactly one poll, which takes it out of the box.
//
// The box is part of its process (no handle names it, and it dies with
// it); it is a KernelObject only so that poll() treats it like the others.
#pragma once

#include "proc/kernel_object.hpp"

namespace mote {

class SignalBox final : public KernelObject {
public:
    static constexpr u32 kEvents = abi::kPollInterrupt | abi::kPollNotify;

    SignalBox() : KernelObject(ObjectType::Process) {}

    bool catches_interrupt() const { return m_catches_interrupt; }
    void catch_interrupt() { m_catches_interrupt = true; }

    // Adds `event` (kPollInterrupt or kPollNotify) and wakes the process's
    // thread if it is polling for signals.
    void post(u32 event);
    // Takes the pending events among `events`; returns them.
    u32 take(u32 events) {
        const u32 got = m_pending & events;
        m_pending &= ~got;
        return got;
    }
    u32 pending() const { return m_pending; }
    u64 posted() const { return m_posted; }

    // KernelObject
    u32 poll_ready(u32 events) override { return m_pending & events; }
    void watch(Thread& thread) override { m_watcher = &thread; }
    void unwatch(Thread& thread) override {
        if (m_watcher == &thread) m_watcher = nullptr;
    }
    void cancel_wait(Thread& thread) override { unwatch(thread); }

private:
    u32 m_pending = 0;
    u64 m_posted = 0;
    bool m_catches_interrupt = false;
    Thread* m_watcher = nullptr;  // the process's own thread, while it polls
};

}  // namespace mote
