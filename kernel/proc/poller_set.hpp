// PollerSet: the threads in poll() on one object (a channel end, a socket),
// told when its readiness may have changed. A few slots, not a list: an
// object is shared by few processes, and a full set gives the newest
// poller the oldest slot (that one's poll then ends only by its timeout or
// another object). One copy for every pollable object.
#pragma once

#include "proc/thread.hpp"

namespace mote {

class PollerSet {
public:
    static constexpr usize kSlots = 4;

    void watch(Thread& thread) {
        for (Thread* poller : m_pollers)
            if (poller == &thread) return;
        for (Thread*& poller : m_pollers) {
            if (!poller) {
                poller = &thread;
                return;
            }
        }
        m_pollers[0] = &thread;
    }
    void unwatch(Thread& thread) {
        for (Thread*& poller : m_pollers)
            if (poller == &thread) poller = nullptr;
    }
    void notify() {
        for (Thread* poller : m_pollers)
            if (poller) poller->poll_event();
    }
    void clear() {
        for (Thread*& poller : m_pollers) poller = nullptr;
    }

private:
    Thread* m_pollers[kSlots] {};
};

}  // namespace mote
