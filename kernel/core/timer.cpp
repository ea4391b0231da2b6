#include "core/timer.hpp"

#include "base/verify.hpp"

namespace mote {

Timer::~Timer() { VERIFY_MSG(!m_armed, "timer destroyed while armed"); }

bool TimerQueue::before(const Timer* a, const Timer* b) {
    if (a->m_deadline != b->m_deadline) return a->m_deadline < b->m_deadline;
    return a->m_sequence < b->m_sequence;
}

// Makes the later root the first child of the earlier one.
Timer* TimerQueue::meld(Timer* a, Timer* b) {
    if (!a) return b;
    if (!b) return a;
    if (before(b, a)) {
        Timer* t = a;
        a = b;
        b = t;
    }
    b->m_prev = a;
    b->m_sibling = a->m_child;
    if (a->m_child) a->m_child->m_prev = b;
    a->m_child = b;
    a->m_sibling = nullptr;
    a->m_prev = nullptr;
    return a;
}

// The standard two-pass merge of a sibling list: pair left to right, then
// meld the pairs right to left. Iterative, so a long list cannot overflow the
// one kernel stack.
Timer* TimerQueue::merge_pairs(Timer* first) {
    if (!first) return nullptr;
    Timer* paired = nullptr;  // pairs, linked through m_sibling in reverse
    while (first) {
        Timer* a = first;
        Timer* b = a->m_sibling;
        first = b ? b->m_sibling : nullptr;
        a->m_sibling = a->m_prev = nullptr;
        if (b) b->m_sibling = b->m_prev = nullptr;
        Timer* m = meld(a, b);
        m->m_sibling = paired;
        paired = m;
    }
    Timer* result = nullptr;
    while (paired) {
        Timer* next = paired->m_sibling;
        paired->m_sibling = nullptr;
        result = meld(result, paired);
        paired = next;
    }
    return result;
}

// Unlinks a non-root timer (and its subtree) from its parent or sibling.
void TimerQueue::detach(Timer& t) {
    if (t.m_prev->m_child == &t) t.m_prev->m_child = t.m_sibling;
    else t.m_prev->m_sibling = t.m_sibling;
    if (t.m_sibling) t.m_sibling->m_prev = t.m_prev;
    t.m_sibling = t.m_prev = nullptr;
}

void TimerQueue::arm(Timer& timer, Nanoseconds deadline, Nanoseconds period) {
    VERIFY_MSG(timer.m_callback, "timer armed without a callback");
    if (timer.m_armed) (void)cancel(timer);
    timer.m_deadline = deadline;
    timer.m_period = period;
    timer.m_sequence = m_next_sequence++;
    timer.m_child = timer.m_sibling = timer.m_prev = nullptr;
    timer.m_armed = true;
    m_root = meld(m_root, &timer);
    ++m_count;
}

bool TimerQueue::cancel(Timer& timer) {
    if (!timer.m_armed) return false;
    if (&timer == m_root) {
        (void)pop_min();
    } else {
        detach(timer);
        Timer* children = merge_pairs(timer.m_child);
        timer.m_child = nullptr;
        m_root = meld(m_root, children);
        timer.m_armed = false;
        --m_count;
    }
    return true;
}

Timer* TimerQueue::pop_min() {
    Timer* min = m_root;
    if (!min) return nullptr;
    m_root = merge_pairs(min->m_child);
    min->m_child = nullptr;
    min->m_armed = false;
    --m_count;
    return min;
}

usize TimerQueue::run_due(Nanoseconds now, LoopActivity* activity) {
    // Timers re-armed during this call get sequence numbers >= this bound and
    // wait for the next call, so a periodic timer with a tiny period, or a
    // callback that re-arms for "now", cannot keep this loop spinning.
    u64 sequence_bound = m_next_sequence;
    usize fired = 0;
    while (m_root && m_root->m_deadline <= now && m_root->m_sequence < sequence_bound) {
        Timer* t = pop_min();
        if (t->m_period) {
            Nanoseconds next = t->m_deadline + t->m_period;
            if (next <= now) {
                u64 missed = (now - next) / t->m_period + 1;
                t->m_overruns += missed;
                next += missed * t->m_period;
            }
            arm(*t, next, t->m_period);
        }
        ++t->m_fired;
        ++fired;
        if (activity) activity->enter(LoopStep::Timer, handler_address(t->m_callback));
        t->m_callback(*t);
    }
    return fired;
}

}  // namespace mote

