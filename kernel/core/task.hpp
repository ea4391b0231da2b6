// Task<T>: a coroutine that computes a Result<T>, the way the kernel writes
// long chains of asynchronous work (a path walk, a block allocation, a
// journal commit). ARCHITECTURE.md, "Composition", says why coroutines and
// not hand-written state objects.
//
//     Task<u32> count_entries(Directory& dir) {
//         BufferRef block = CO_TRY(co_await cache.read(dir.first_block()));
//         ...
//         co_return n;
//     }
//
// Rules:
// * Lazy. Calling a Task function allocates its frame and runs nothing.
//   `co_await task` starts it (symmetric transfer: no stack grows however
//   long the chain) and resumes the awaiter with the Result when it ends.
// * Frames come from this CPU's FrameSource (core/frame_source.hpp). If the
//   frame cannot be allocated the Task is empty, and awaiting or starting it
//   yields Error::NoMemory: allocation failure is reported like any other.
// * A root task, one nobody awaits, is handed to start(): it runs until its
//   first suspension, and `done(context, result)` is called when it ends,
//   possibly before start() returns (everything was in memory). The frame is
//   freed right after `done` returns.
// * A suspended task is resumed only from loop context: by a request's
//   completion callback or a deferred call (core/task_wait_list.hpp). So the
//   loop's invariant holds: while it waits, a task's state is in its frame,
//   never on the stack.
// * A Task can also be made from a value or an Error directly, without a
//   frame: `Task<usize> read(...) override { return n; }`. So an interface
//   whose implementations sometimes wait for a disk (FsNode) costs nothing
//   extra where they answer from memory; awaiting such a Task never suspends.
// * No exceptions: errors travel in the Result; CO_TRY propagates them.
// * Destroying a Task that has not run frees its frame; destroying one that
//   is suspended is a bug (whoever will resume it holds its handle), and
//   awaiting a Task twice is one too.
#pragma once

#include "base/result.hpp"
#include "base/verify.hpp"
#include "core/coroutine.hpp"
#include "core/cpu.hpp"
#include "core/frame_source.hpp"

namespace mote {

template <typename T>
class Task;

namespace task_detail {

inline void* allocate_frame(usize size) {
    FrameSource* frames = this_cpu().frames;
    return frames ? frames->allocate_frame(size) : nullptr;
}

inline void free_frame(void* frame, usize size) {
    VERIFY_MSG(this_cpu().frames, "a coroutine frame outlived its CPU's frame source");
    this_cpu().frames->free_frame(frame, size);
}

}  // namespace task_detail

template <typename T>
class [[nodiscard]] Task {
public:
    struct promise_type;
    using Handle = std::coroutine_handle<promise_type>;
    using Done = void (*)(void* context, Result<T>& result);

    struct FinalAwaiter {
        bool await_ready() const noexcept { return false; }
        std::coroutine_handle<> await_suspend(Handle handle) noexcept {
            promise_type& promise = handle.promise();
            if (promise.done) {
                // A root task: report, then free the frame. Nothing else
                // holds the handle (start() gave it up).
                promise.done(promise.done_context, promise.result());
                handle.destroy();
                return std::noop_coroutine();
            }
            return promise.continuation;
        }
        void await_resume() const noexcept {}
    };

    struct promise_type {
        static void* operator new(usize size) noexcept { return task_detail::allocate_frame(size); }
        static void operator delete(void* frame, usize size) noexcept { task_detail::free_frame(frame, size); }
        static Task get_return_object_on_allocation_failure() { return Task(); }

        Task get_return_object() { return Task(Handle::from_promise(*this)); }
        std::suspend_always initial_suspend() noexcept { return {}; }
        FinalAwaiter final_suspend() noexcept { return {}; }
        void unhandled_exception() { VERIFY_NOT_REACHED(); }  // built without exceptions

        void return_value(Result<T> value) {
            new (m_storage) Result<T>(mote::move(value));
            m_has_result = true;
        }
        Result<T>& result() {
            VERIFY_MSG(m_has_result, "a coroutine ended without co_return");
            return *reinterpret_cast<Result<T>*>(m_storage);
        }

        promise_type() = default;
        promise_type(const promise_type&) = delete;
        ~promise_type() {
            if (m_has_result) result().~Result<T>();
        }

        std::coroutine_handle<> continuation;
        Done done = nullptr;
        void* done_context = nullptr;

    private:
        alignas(Result<T>) u8 m_storage[sizeof(Result<T>)];
        bool m_has_result = false;
    };

    Task() = default;
    // A finished Task: no frame, the result already known.
    Task(Result<T> ready) : m_ready(true) { new (m_storage) Result<T>(mote::move(ready)); }
    template <typename U>
        requires(!__is_same(U, Task) && __is_constructible(Result<T>, U))
    Task(U&& ready) : Task(Result<T>(static_cast<U&&>(ready))) {}
    Task(Task&& other) : m_handle(other.m_handle), m_ready(other.m_ready) {
        other.m_handle = nullptr;
        if (m_ready) new (m_storage) Result<T>(mote::move(other.ready()));
    }
    Task(const Task&) = delete;
    Task& operator=(const Task&) = delete;
    Task& operator=(Task&&) = delete;
    ~Task() {
        if (m_ready) ready().~Result<T>();
        if (m_handle) {
            VERIFY_MSG(!m_handle.promise().continuation || m_handle.done(), "a suspended coroutine was destroyed");
            m_handle.destroy();
        }
    }

    // False if the frame could not be allocated (a ready Task is valid).
    bool valid() const { return m_handle || m_ready; }
    // Finished when it was made (no frame): finish_now() takes its result.
    // A function that usually completes at once returns such a Task and
    // leaves the coroutine (and its frame) to the case that must wait; its
    // callers may do the same with what it returns.
    bool is_ready() const { return m_ready; }

    // Awaiting: starts the task; the awaiter resumes with its Result.
    bool await_ready() const { return !m_handle; }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiter) {
        VERIFY_MSG(!m_handle.promise().continuation, "a coroutine was awaited twice");
        m_handle.promise().continuation = awaiter;
        return m_handle;
    }
    Result<T> await_resume() {
        if (m_ready) return mote::move(ready());
        if (!m_handle) return Error::NoMemory;
        return mote::move(m_handle.promise().result());
    }

    // Runs a root task (see the rules above). `done` may run before start
    // returns; afterwards this Task is empty.
    void start(Done done, void* context) {
        if (m_ready) {
            done(context, ready());
            return;
        }
        if (!m_handle) {
            Result<T> failed(Error::NoMemory);
            done(context, failed);
            return;
        }
        Handle handle = m_handle;
        m_handle = nullptr;
        handle.promise().done = done;
        handle.promise().done_context = context;
        handle.promise().continuation = std::noop_coroutine();
        handle.resume();
    }

    // The result of a Task that ends without suspending: a ready Task, or a
    // coroutine that finds everything in memory. For callers that cannot
    // wait and know it will not (FsNode::may_wait() said so); a suspension
    // is a VERIFY failure.
    Result<T> finish_now() {
        if (m_ready) return mote::move(ready());
        struct Slot {
            alignas(Result<T>) u8 bytes[sizeof(Result<T>)];
            bool set = false;
        } slot;
        start(
            [](void* context, Result<T>& result) {
                auto* s = static_cast<Slot*>(context);
                new (s->bytes) Result<T>(mote::move(result));
                s->set = true;
            },
            &slot);
        VERIFY_MSG(slot.set, "finish_now on a task that suspended");
        Result<T>& result = *reinterpret_cast<Result<T>*>(slot.bytes);
        Result<T> out(mote::move(result));
        result.~Result<T>();
        return out;
    }

private:
    explicit Task(Handle handle) : m_handle(handle) {}
    Result<T>& ready() { return *reinterpret_cast<Result<T>*>(m_storage); }

    Handle m_handle;
    bool m_ready = false;
    alignas(Result<T>) u8 m_storage[sizeof(Result<T>)];
};

}  // namespace mote

// TRY for coroutines: evaluate `expr` (a Result, often `co_await task`); on
// error co_return it from the enclosing Task, otherwise yield the value.
#define CO_TRY(expr)                                \
    ({                                              \
        auto _mote_co_try_result = (expr);          \
        if (_mote_co_try_result.is_error())         \
            co_return _mote_co_try_result.error();  \
        _mote_co_try_result.release_value();        \
    })
