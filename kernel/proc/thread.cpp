#include "proc/thread.hpp"

#include "proc/abi_error.hpp"
#include "proc/process.hpp"
#include "proc/process_table.hpp"

namespace mote {

Result<void> IoArgs::copy_out(u64 to, Span<const u8> bytes) {
    auto copied = thread.process().space().copy_out(to, bytes);
    if (copied.is_error()) bad_address = true;
    return copied;
}

Result<void> IoArgs::copy_in(Span<u8> to, u64 from) {
    auto copied = thread.process().space().copy_in(to, from);
    if (copied.is_error()) bad_address = true;
    return copied;
}

Error IoArgs::fail(i64 abi_value) {
    const auto error = abi::Err(-abi_value);
    if (error == abi::Err::BadAddress) {
        bad_address = true;
        return Error::InvalidArgument;
    }
    return from_abi(error);
}

Result<void> IoArgs::check_writable(u64 address, u64 size) {
    auto checked = thread.process().space().check_access(address, size, true);
    if (checked.is_error()) bad_address = true;
    return checked;
}

Result<void> IoArgs::check_readable(u64 address, u64 size) {
    auto checked = thread.process().space().check_access(address, size, false);
    if (checked.is_error()) bad_address = true;
    return checked;
}

const char* thread_state_name(ThreadState state) {
    switch (state) {
    case ThreadState::New: return "new";
    case ThreadState::Runnable: return "runnable";
    case ThreadState::Running: return "running";
    case ThreadState::Parked: return "parked";
    case ThreadState::Dead: return "dead";
    }
    return "?";
}

void Thread::park(const char* reason, KernelObject* object) {
    VERIFY_MSG(m_state == ThreadState::Running, "only the running thread parks");
    m_state = ThreadState::Parked;
    m_wait_reason = reason;
    m_wait_object = object;
    m_parked_since = m_process.table().loop().now();
    if (object) m_process.table().note_wait(*this);
}

void Thread::park_with_timeout(const char* reason, KernelObject& object, Nanoseconds timeout) {
    if (timeout != kNoDeadline) {
        m_timer.set_callback(
            [](Timer& timer) {
                Thread& waiter = *static_cast<Thread*>(timer.context());
                waiter.wait_object()->cancel_wait(waiter);
                waiter.wake(-i64(abi::Err::Timeout));
            },
            this);
        m_process.table().loop().arm_after(m_timer, timeout);
    }
    park(reason, &object);
}

void Thread::wake(i64 result) {
    VERIFY_MSG(m_state == ThreadState::Parked, "waking a thread that is not parked");
    ProcessTable& table = m_process.table();
    if (m_timer.armed()) table.loop().cancel(m_timer);
    const Nanoseconds now = table.loop().now();
    m_stats.wait_time += now - m_parked_since;
    m_wait_reason = nullptr;
    m_wait_object = nullptr;
    m_polling = false;
    table.platform().set_result(*this, result);
    table.scheduler().make_runnable(*this, now);
}

void Thread::poll_event() {
    // poll() re-evaluates every item when woken; the count is filled in
    // by the syscall layer's completion (see syscall/poll_call.cpp).
    if (m_state == ThreadState::Parked && m_polling && m_poll_wake) m_poll_wake(*this);
}

}  // namespace mote
