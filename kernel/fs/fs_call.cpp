#include "fs/fs_call.hpp"

#include "proc/abi_error.hpp"
#include "proc/process.hpp"

namespace mote {

FsCall::FsCall(FsCallCache& cache, Thread& thread)
    : KernelObject(ObjectType::Stream), m_cache(cache), m_thread(&thread) {}

Result<FsCall*> FsCallCache::begin(Thread& thread) {
    void* memory = TRY(m_cache.allocate());
    auto* call = new (memory) FsCall(*this, thread);
    call->retain();  // the task's
    return call;
}

void FsCallCache::free(FsCall& call) {
    call.~FsCall();
    m_cache.free(&call);
}

void FsCall::destroy() { m_cache.free(*this); }

FsCall::Ran FsCall::run(Task<i64> task, const char* reason) {
    retain();  // so the object outlives an inline finish
    m_starting = true;
    task.start(finished, this);
    return park_or_return(reason);
}

Result<Outcome> FsCall::run(Task<u64> task, const char* reason) {
    retain();
    m_starting = true;
    task.start(finished_kernel, this);
    bool failed = m_finished && m_kernel_error;
    Error error = m_error;
    Ran ran = park_or_return(reason);
    if (failed) return error;
    return ran.parked ? Outcome::park() : Outcome::done(u64(ran.value));
}

FsCall::Ran FsCall::park_or_return(const char* reason) {
    m_starting = false;
    Ran ran {!m_finished, m_value};
    if (ran.parked) m_thread->park(reason, this);
    release();
    return ran;
}

void FsCall::finished(void* context, Result<i64>& result) {
    auto* call = static_cast<FsCall*>(context);
    call->deliver(result.is_error() ? -i64(to_abi(result.error())) : result.value());
}

void FsCall::finished_kernel(void* context, Result<u64>& result) {
    auto* call = static_cast<FsCall*>(context);
    if (result.is_error() && call->m_starting) {
        call->m_kernel_error = true;
        call->m_error = call->m_bad_address ? Error::InvalidArgument : result.error();
    }
    i64 value = result.is_error() ? -i64(call->m_bad_address ? abi::Err::BadAddress : to_abi(result.error()))
                                  : i64(result.value());
    call->deliver(value);
}

void FsCall::deliver(i64 value) {
    m_finished = true;
    m_value = value;
    if (!m_starting && m_thread) m_thread->wake(value);
    release();  // the task's reference
}

Result<void> FsCall::copy_out(u64 to, ReadonlyBytes bytes) {
    if (!m_thread) return Error::Cancelled;
    auto copied = m_thread->process().space().copy_out(to, bytes);
    if (copied.is_error()) m_bad_address = true;
    return copied;
}

Result<void> FsCall::copy_in(Span<u8> to, u64 from) {
    if (!m_thread) return Error::Cancelled;
    auto copied = m_thread->process().space().copy_in(to, from);
    if (copied.is_error()) m_bad_address = true;
    return copied;
}

void FsCall::cancel_wait(Thread& thread) {
    if (m_thread == &thread) m_thread = nullptr;
}

}  // namespace mote
