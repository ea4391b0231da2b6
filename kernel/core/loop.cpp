#include "core/loop.hpp"

#include "core/cpu.hpp"

#include "base/verify.hpp"

namespace mote {

u32& interrupt_depth() { return this_cpu().interrupt_depth; }

Loop::~Loop() {
    // Requests and deferred calls still queued belong to their owners; a loop
    // that goes away under them is a bug (only the hosted build and tests ever
    // destroy a loop).
    VERIFY_MSG(m_completions.empty(), "loop destroyed with undelivered completions");
    VERIFY_MSG(m_deferred.empty(), "loop destroyed with queued deferred calls");
}

void Loop::defer(Deferred& call) {
    VERIFY(call.m_callback);
    if (!call.queued()) m_deferred.push_back(call);
}

bool Loop::cancel(Deferred& call) {
    if (!call.queued()) return false;
    m_deferred.remove(call);
    return true;
}

void Loop::complete(Request& request) { finish(request, true, Error {}); }
void Loop::complete(Request& request, Error error) { finish(request, false, error); }

void Loop::finish(Request& request, bool ok, Error error) {
    VERIFY_MSG(interrupt_depth() == 0, "completion posted from interrupt context");
    VERIFY_MSG(request.m_loop == this, "request completed on a loop it was not submitted to");
    auto s = request.m_state;
    VERIFY_MSG(s == RequestState::Submitted || s == RequestState::InFlight || s == RequestState::CancelRequested,
               "request completed twice, or completed without being submitted");
    request.m_has_error = !ok;
    request.m_error = error;
    request.m_state = RequestState::Completing;
    m_completions.push_back(request);
}

void Loop::deliver(Request& request) {
    ++m_stats.completions;
    m_activity.enter(LoopStep::Completion, handler_address(request.m_callback));
    bool rearm = request.m_standing && !request.m_has_error;
    if (!rearm) {
        // Final completion: the request is the caller's again before its
        // callback runs, so the callback may resubmit or free it.
        bool cancelled = request.m_has_error && request.m_error == Error::Cancelled;
        request.m_state = cancelled ? RequestState::Cancelled : RequestState::Completed;
        request.m_callback(request);
        return;
    }
    // Standing request, one event delivered: it stays armed (Completing
    // while its callback runs, so it cannot be resubmitted meanwhile).
    request.m_callback(request);
    VERIFY(request.m_state == RequestState::Completing);
    if (request.m_cancel_pending) {
        request.m_cancel_pending = false;
        request.m_state = RequestState::CancelRequested;
        request.m_provider->cancel_request(request);
    } else {
        request.m_state = RequestState::Submitted;
        request.m_provider->request_rearmed(request);
    }
}

void Loop::set_irq_handler(u32 source, IrqHandler handler, void* context) {
    VERIFY(source < kMaxIrqSources);
    m_irq_slots[source] = {handler, context};
}

void Loop::dispatch_irq(u32 source) {
    ++m_stats.irqs;
    const IrqSlot& slot = m_irq_slots[source];
    if (!slot.handler) {
        ++m_stats.irq_unhandled;
        return;
    }
    m_activity.enter(LoopStep::Interrupt, handler_address(slot.handler), source);
    slot.handler(slot.context, source);
}

bool Loop::has_ready_work() { return has_ready_work(now()); }

bool Loop::has_ready_work(Nanoseconds at) {
    return !m_completions.empty() || !m_deferred.empty() || m_irqs.pending() || m_timers.next_deadline() <= at;
}

void Loop::turn(bool may_wait) {
    ++m_stats.turns;
    BREADCRUMB("loop.turn", m_stats.turns);

    const Nanoseconds started = now();
    m_stats.timers_fired += m_timers.run_due(started, &m_activity);

    m_irqs.drain([this](u32 source) { dispatch_irq(source); });

    for (usize n = m_completions.size(); n > 0; --n) {
        Request* r = m_completions.pop_front();
        deliver(*r);
    }

    for (usize n = m_deferred.size(); n > 0; --n) {
        Deferred* d = m_deferred.pop_front();
        ++m_stats.deferred_calls;
        m_activity.enter(LoopStep::Deferred, handler_address(d->m_callback));
        d->m_callback(*d);
    }

    // A timer that falls due after `started` is not missed: the user run's
    // timer or the host's wait is armed for the next deadline, past or not.
    if (may_wait && !m_stopping && !has_ready_work(started)) {
        m_activity.enter(LoopStep::User, 0);
        if (m_runner && m_runner->run_user(*this, m_timers.next_deadline())) {
            ++m_stats.user_runs;
        } else {
            ++m_stats.waits;
            m_activity.enter(LoopStep::Waiting, 0);
            m_host.wait(*this, m_timers.next_deadline());
        }
    }
    // Between turns the loop runs no handler (Kernel::run's shutdown steps
    // call turn() directly and then carry on outside the loop).
    m_activity.enter(LoopStep::Outside, 0);
}

void Loop::run() {
    while (!m_stopping) turn(true);
}

bool Loop::run_until(const bool& done, Nanoseconds timeout) {
    const Nanoseconds limit = now() + timeout;
    for (;;) {
        turn(false);
        if (done) return true;
        if (now() >= limit) return false;
        if (has_ready_work()) continue;
        Nanoseconds deadline = m_timers.next_deadline();
        ++m_stats.waits;
        m_activity.enter(LoopStep::Waiting, 0);
        m_host.wait(*this, deadline < limit ? deadline : limit);
        m_activity.enter(LoopStep::Outside, 0);
    }
}

LoopStats Loop::stats() const {
    LoopStats s = m_stats;
    s.irq_overflows = m_irqs.overflows();
    return s;
}

}  // namespace mote
