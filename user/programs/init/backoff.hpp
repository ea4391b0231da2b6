// Backoff: how long init waits before starting a service that ended again.
// The first pause is MIN; each restart doubles it, up to MAX; a service
// that stayed up for `stable` or longer before it ended starts over at MIN
// (it recovered: the next crash is a new incident, not the same one).
// Pure logic, tested on the host.
#pragma once

#include "base/types.hpp"

namespace mote::user {

class Backoff {
public:
    Backoff(u64 min_ns, u64 max_ns, u64 stable_ns) : m_min(min_ns), m_max(max_ns), m_stable(stable_ns), m_next(min_ns) {}

    // The service ended after running `uptime_ns`: the pause before its next
    // start. Advances the sequence.
    u64 next(u64 uptime_ns) {
        if (uptime_ns >= m_stable) m_next = m_min;
        u64 pause = m_next;
        m_next = pause > m_max / 2 ? m_max : pause * 2;
        return pause;
    }
    // The pause the next failure would get (for the status listing).
    u64 upcoming() const { return m_next; }
    void reset() { m_next = m_min; }

private:
    u64 m_min, m_max, m_stable, m_next;
};

}  // namespace mote::user
