#include "core/request.hpp"

#include "core/loop.hpp"

namespace mote {

const char* request_state_name(RequestState s) {
    switch (s) {
    case RequestState::Idle: return "idle";
    case RequestState::Submitted: return "submitted";
    case RequestState::InFlight: return "in-flight";
    case RequestState::CancelRequested: return "cancel-requested";
    case RequestState::Completing: return "completing";
    case RequestState::Completed: return "completed";
    case RequestState::Cancelled: return "cancelled";
    }
    return "?";
}

Request::~Request() {
    // Freeing a request that a provider or the loop still holds would leave
    // a dangling node in their queues.
    VERIFY_MSG(!busy(), "request destroyed while in use");
}

bool Request::busy() const {
    switch (m_state) {
    case RequestState::Idle:
    case RequestState::Completed:
    case RequestState::Cancelled: return false;
    default: return true;
    }
}

Error Request::error() const {
    VERIFY(m_has_error);
    return m_error;
}

void Request::set_standing(bool standing) {
    VERIFY_MSG(!busy(), "standing mode changed while the request is in use");
    m_standing = standing;
}

void Request::accept(RequestProvider& provider, Loop& loop) {
    VERIFY_MSG(!busy(), "request submitted twice");
    VERIFY_MSG(m_callback, "request submitted without a callback");
    m_provider = &provider;
    m_loop = &loop;
    m_state = RequestState::Submitted;
    m_has_error = false;
    m_cancel_pending = false;
    m_value = 0;
}

void Request::start() {
    VERIFY(m_state == RequestState::Submitted || m_state == RequestState::CancelRequested);
    if (m_state == RequestState::Submitted) m_state = RequestState::InFlight;
}

bool Request::cancel() {
    switch (m_state) {
    case RequestState::Submitted:
    case RequestState::InFlight:
        m_state = RequestState::CancelRequested;
        m_provider->cancel_request(*this);
        return true;
    case RequestState::Completing:
        // Only a standing request has a future to cancel once its result is
        // decided: it will not be re-armed, and the provider delivers the
        // final Cancelled completion.
        if (!m_standing || m_has_error || m_cancel_pending) return false;
        m_cancel_pending = true;
        return true;
    default: return false;
    }
}

}  // namespace mote
