// Deferred calls: "run this on the next loop turn".
//
// Used to break recursion (a completion that would otherwise call straight
// back into its provider) and to yield in long work. Posting a Deferred that
// is already queued does nothing: it runs once.
#pragma once

#include "base/list.hpp"

namespace mote {

class Deferred {
public:
    using Callback = void (*)(Deferred&);

    Deferred() = default;
    Deferred(Callback callback, void* context = nullptr) : m_callback(callback), m_context(context) {}
    Deferred(const Deferred&) = delete;
    Deferred& operator=(const Deferred&) = delete;
    ~Deferred() { VERIFY_MSG(!node.is_linked(), "deferred call destroyed while queued"); }

    void set_callback(Callback callback, void* context = nullptr) {
        m_callback = callback;
        m_context = context;
    }
    void* context() const { return m_context; }
    bool queued() const { return node.is_linked(); }

    ListNode node;

private:
    friend class Loop;
    Callback m_callback = nullptr;
    void* m_context = nullptr;
};

}  // namespace mote
