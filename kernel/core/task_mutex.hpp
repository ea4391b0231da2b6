// TaskMutex: mutual exclusion between coroutines on one loop, for a chain
// of awaits that must not interleave with another (a filesystem operation
// that reads, decides and writes several blocks).
//
//     auto guard = co_await fs.mutex.lock();   // may suspend
//     ... awaits; nobody else holds the mutex ...
//     // unlocked when `guard` goes out of scope
//
// Not a lock against other CPUs or interrupts: the loop is single-threaded,
// this only orders tasks. Fair: unlock hands the mutex to the longest
// waiter (it stays locked in between), whose resumption is deferred to the
// loop, so the unlocking task never runs the next holder on its own stack.
// Allocation-free: a waiter's list node lives in its awaiter, in its frame.
#pragma once

#include "base/verify.hpp"
#include "core/task_wait_list.hpp"

namespace mote {

class TaskMutex {
public:
    class Guard {
    public:
        Guard() = default;
        explicit Guard(TaskMutex& mutex) : m_mutex(&mutex) {}
        Guard(Guard&& other) : m_mutex(other.m_mutex) { other.m_mutex = nullptr; }
        Guard(const Guard&) = delete;
        Guard& operator=(const Guard&) = delete;
        Guard& operator=(Guard&&) = delete;
        ~Guard() { unlock(); }
        void unlock() {
            if (m_mutex) m_mutex->unlock();
            m_mutex = nullptr;
        }

    private:
        TaskMutex* m_mutex = nullptr;
    };

    class LockAwaiter {
    public:
        explicit LockAwaiter(TaskMutex& mutex) : m_mutex(mutex), m_wait(mutex.m_waiters) {}
        bool await_ready() {
            if (m_mutex.m_locked) return false;
            m_mutex.m_locked = true;
            return true;
        }
        void await_suspend(std::coroutine_handle<> handle) { m_wait.await_suspend(handle); }
        // Resumed only by unlock's hand-over: the mutex is already ours.
        Guard await_resume() { return Guard(m_mutex); }

    private:
        TaskMutex& m_mutex;
        TaskWaitList::Awaiter m_wait;
    };

    explicit TaskMutex(Loop& loop) : m_loop(loop) {}
    TaskMutex(const TaskMutex&) = delete;
    TaskMutex& operator=(const TaskMutex&) = delete;
    ~TaskMutex() { VERIFY_MSG(!m_locked, "a task mutex was destroyed while held"); }

    LockAwaiter lock() { return LockAwaiter(*this); }
    bool locked() const { return m_locked; }

private:
    void unlock() {
        VERIFY(m_locked);
        // Hand over: stay locked for the woken waiter.
        if (!m_waiters.wake_one(m_loop)) m_locked = false;
    }

    Loop& m_loop;
    bool m_locked = false;
    TaskWaitList m_waiters;
};

}  // namespace mote
