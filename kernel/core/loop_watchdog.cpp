#include "core/loop_watchdog.hpp"

namespace mote {

void LoopWatchdog::start(Nanoseconds bound, Nanoseconds now) {
    m_bound = bound;
    m_since = now;
    m_beats = 0;
    m_ticks = 0;
}

Nanoseconds LoopWatchdog::tick_deadline(Nanoseconds requested, Nanoseconds now) const {
    if (!enabled()) return requested;
    Nanoseconds tick = now + period();
    return tick < requested ? tick : requested;
}

bool LoopWatchdog::check(const LoopActivity& activity, Nanoseconds now, bool from_user) {
    if (!enabled()) return false;
    ++m_ticks;
    bool watched = activity.step != LoopStep::Waiting && activity.step != LoopStep::Outside;
    if (from_user || !watched || activity.beats != m_beats) {
        m_beats = activity.beats;
        m_since = now;
        return false;
    }
    return now - m_since >= m_bound;
}

}  // namespace mote
