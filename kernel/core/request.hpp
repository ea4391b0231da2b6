// Request: the unit of asynchronous work, and its life cycle.
//
//            submit ok            provider starts        provider finishes
//   Idle ───────────────▶ Submitted ───────────▶ InFlight ───────────▶ Completing
//     ▲                     │ cancel()             │ cancel()               │ loop runs
//     │                     ▼                      ▼                        │ callback
//     │                CancelRequested ──── provider finishes ─────────────▶│
//     │                                                                     ▼
//     └──────────────── (resubmit) ◀───────────────────────── Completed / Cancelled
//
// Rules (docs/ARCHITECTURE.md states them with the reasons):
// * The caller owns the Request's memory. Neither the loop nor a provider
//   allocates; a request is linked into their queues through its own nodes.
// * submit() is split-phase: if it returns ok, exactly one completion follows
//   (per event, for a standing request), always delivered by the loop, never
//   from interrupt context. If it returns an error, no completion follows and
//   the request is Idle again.
// * A completion carries a definite result: ok, an Error, or Cancelled.
// * cancel() is a request, not a command. A provider that has already
//   finished wins the race: the result stays what the provider reported.
// * Standing requests (set_standing) stay armed after an ok completion: the
//   callback runs once per event and the request returns to Submitted. The
//   final completion of a standing request carries an error or Cancelled.
#pragma once

#include "base/error.hpp"
#include "base/list.hpp"
#include "base/types.hpp"

namespace mote {

class Loop;
class Request;

enum class RequestState : u8 {
    Idle,             // never submitted, or its completion has been delivered
    Submitted,        // accepted by a provider, not started
    InFlight,         // the provider (or its device) is working on it
    CancelRequested,  // cancel() was called; the provider has not finished yet
    Completing,       // result decided; the loop will run the callback
    Completed,        // callback delivered with ok or an error
    Cancelled,        // callback delivered with Error::Cancelled
};

const char* request_state_name(RequestState);

// Anything that accepts requests: a device driver, a socket, a test double.
class RequestProvider {
public:
    // The request's owner asked to cancel. The provider must eventually
    // complete the request: with Error::Cancelled if it withdrew it, or with
    // its real result if it could not.
    virtual void cancel_request(Request&) = 0;
    // A standing request's callback has run and it is armed again; a
    // provider holding further events for it may complete it once more.
    virtual void request_rearmed(Request&) {}

protected:
    ~RequestProvider() = default;
};

class Request {
public:
    using Callback = void (*)(Request&);

    Request() = default;
    Request(Callback callback, void* context = nullptr) : m_callback(callback), m_context(context) {}
    Request(const Request&) = delete;
    Request& operator=(const Request&) = delete;
    ~Request();

    void set_callback(Callback callback, void* context = nullptr) {
        m_callback = callback;
        m_context = context;
    }
    void* context() const { return m_context; }

    void set_standing(bool standing);
    bool standing() const { return m_standing; }

    RequestState state() const { return m_state; }
    // True from submission until the final completion's callback has run.
    bool busy() const;

    // The outcome, valid in and after the callback.
    bool ok() const { return !m_has_error; }
    Error error() const;
    // A provider-defined count (bytes moved, frames received, ...).
    u64 value() const { return m_value; }

    // Ask the provider to cancel. Returns false if there is nothing to cancel
    // (idle, already finished, or already asked).
    bool cancel();

    // ---- For providers -------------------------------------------------
    // Marks the request accepted: call only when you will complete it.
    void accept(RequestProvider& provider, Loop& loop);
    // Marks the request started (optional; Submitted -> InFlight).
    void start();
    bool cancel_requested() const { return m_state == RequestState::CancelRequested || m_cancel_pending; }
    void set_value(u64 value) { m_value = value; }

    // Node a provider may use to queue the request. The loop uses its own.
    ListNode provider_node;

private:
    friend class Loop;

    Callback m_callback = nullptr;
    void* m_context = nullptr;
    RequestProvider* m_provider = nullptr;
    Loop* m_loop = nullptr;
    u64 m_value = 0;
    ListNode m_loop_node;
    RequestState m_state = RequestState::Idle;
    Error m_error {};
    bool m_has_error = false;
    bool m_standing = false;
    bool m_cancel_pending = false;  // standing request cancelled while Completing
};

using RequestQueue = IntrusiveList<Request, &Request::provider_node>;

}  // namespace mote
