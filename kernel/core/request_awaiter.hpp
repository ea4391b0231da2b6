// Submitting a request from a coroutine and waiting for its completion.
//
//     CO_TRY(co_await submit_and_wait(request, [&] { return device.submit(request); }));
//
// The awaiter points the request's callback at the waiting coroutine, then
// calls `submit`. If the provider refuses (submit returns an error, so no
// completion will follow) the coroutine does not suspend and the error is
// the result; otherwise it resumes from the loop when the completion is
// delivered, with the request's own outcome (ok, an Error, or Cancelled).
// The request and its buffer must outlive the wait: they live in the
// coroutine's frame or in the object it works on.
#pragma once

#include "base/result.hpp"
#include "core/coroutine.hpp"
#include "core/request.hpp"

namespace mote {

template <typename Submit>
class RequestAwaiter {
public:
    RequestAwaiter(Request& request, Submit submit) : m_request(request), m_submit(submit) {}

    bool await_ready() const { return false; }
    bool await_suspend(std::coroutine_handle<> handle) {
        m_request.set_callback(resume, handle.address());
        Result<void> submitted = m_submit();
        if (submitted.is_error()) {
            m_refused = true;
            m_error = submitted.error();
            return false;  // no completion will come: carry on at once
        }
        return true;
    }
    Result<void> await_resume() const {
        if (m_refused) return m_error;
        if (!m_request.ok()) return m_request.error();
        return {};
    }

private:
    static void resume(Request& request) { std::coroutine_handle<>::from_address(request.context()).resume(); }

    Request& m_request;
    Submit m_submit;
    bool m_refused = false;
    Error m_error {};
};

template <typename Submit>
RequestAwaiter<Submit> submit_and_wait(Request& request, Submit submit) {
    return RequestAwaiter<Submit>(request, submit);
}

}  // namespace mote
