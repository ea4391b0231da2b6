// TaskWaitList: coroutines (core/task.hpp) waiting for something that is
// not a request of their own: a block another task is already reading, a
// free buffer, a journal commit in progress.
//
//     co_await buffer.readers.wait(loop);   // suspends; resumed by wake_all
//
// Waking never resumes a coroutine on the waker's stack: each waiter's
// resumption is a Deferred call that the loop runs on its next step. So a
// waker can wake many tasks from inside its own work without recursion, and
// what a woken task does next cannot change the waker's state under it.
// The awaiter (with its list node and deferred call) lives in the waiting
// coroutine's frame: the list allocates nothing.
#pragma once

#include "base/list.hpp"
#include "core/coroutine.hpp"
#include "core/loop.hpp"

namespace mote {

class TaskWaitList {
public:
    class Awaiter {
    public:
        Awaiter(TaskWaitList& list) : m_list(list), m_resume(resume, this) {}
        Awaiter(const Awaiter&) = delete;
        Awaiter& operator=(const Awaiter&) = delete;

        bool await_ready() const { return false; }
        void await_suspend(std::coroutine_handle<> handle) {
            m_handle = handle;
            m_list.m_waiters.push_back(*this);
        }
        void await_resume() const {}

        ListNode node;

    private:
        friend class TaskWaitList;
        static void resume(Deferred& call) { static_cast<Awaiter*>(call.context())->m_handle.resume(); }

        TaskWaitList& m_list;
        Deferred m_resume;
        std::coroutine_handle<> m_handle;
    };

    TaskWaitList() = default;
    TaskWaitList(const TaskWaitList&) = delete;
    TaskWaitList& operator=(const TaskWaitList&) = delete;
    ~TaskWaitList() { VERIFY_MSG(m_waiters.empty(), "a wait list was destroyed with tasks waiting on it"); }

    // co_await list.wait(): suspend until a wake.
    Awaiter wait() { return Awaiter(*this); }

    bool empty() const { return m_waiters.empty(); }
    usize size() const { return m_waiters.size(); }

    // Schedules every waiter's resumption on `loop`'s next deferred step.
    void wake_all(Loop& loop) {
        while (Awaiter* waiter = m_waiters.pop_front()) loop.defer(waiter->m_resume);
    }
    // The same for the longest waiter only; false if nobody waits.
    bool wake_one(Loop& loop) {
        Awaiter* waiter = m_waiters.pop_front();
        if (!waiter) return false;
        loop.defer(waiter->m_resume);
        return true;
    }

private:
    IntrusiveList<Awaiter, &Awaiter::node> m_waiters;
};

}  // namespace mote
