// WaitList: the threads parked on one kind of operation of an object (its
// reads, its writes, its accepts), in the order they came, and the one way
// such a list is served: retry the front with the arguments it parked
// with, wake it with the result, and stop at the first that would still
// block. So nobody overtakes the thread before it, and a waiter that
// cannot go on yet keeps its place.
#pragma once

#include "proc/abi_error.hpp"
#include "proc/thread.hpp"

namespace mote {

using WaitList = IntrusiveList<Thread, &Thread::wait_node>;

// `attempt(thread)` is the operation the parked thread asked for (its
// arguments in thread.pending): a count, or abi_failure(...), which is
// WouldBlock while it would still wait.
template <typename Attempt>
void serve_in_order(WaitList& waiters, Attempt&& attempt) {
    while (Thread* waiter = waiters.front()) {
        const i64 result = attempt(*waiter);
        if (result == abi_failure(abi::Err::WouldBlock)) break;
        waiters.remove(*waiter);
        waiter->wake(result);
    }
}

}  // namespace mote
