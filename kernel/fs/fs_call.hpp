// FsCall: a filesystem operation that a thread's syscall waits for.
//
// Filesystem operations are Tasks (fs/fs_node.hpp). A syscall that needs
// one (open's path walk, a read of a disk file) makes an FsCall, starts the
// task as a root through it, and either returns at once (the task never
// suspended: everything was in memory) or parks its thread on the FsCall
// until the task ends, when the FsCall wakes it with the result. Nothing of
// the syscall stays on the kernel stack; what the task needs lives in its
// frame and here (the path it walks).
//
// The FsCall is also the task's way to the thread's memory (UserAccess):
// while the thread waits, copies go through its address space; if the
// thread is torn down meanwhile (its process was killed), cancel_wait
// forgets it and later copies fail with Cancelled, so a late block never
// lands in a dead address space. The task itself runs to its end either way
// (a half-done filesystem change is worse than a wasted read).
//
// Lifetime: one reference for the running task, dropped when it ends; the
// parked thread does not own it. From FsCallCache, a slab.
#pragma once

#include "core/task.hpp"
#include "fs/io_buffer.hpp"
#include "fs/walk.hpp"
#include "mm/slab_cache.hpp"
#include "proc/kernel_object.hpp"

namespace mote {

class FsCallCache;

class FsCall final : public KernelObject, public fs::UserAccess {
public:
    static constexpr usize kPathMax = abi::kNameMax * 4;

    FsCall(FsCallCache& cache, Thread& thread);

    // The thread that waits, or nullptr once it is gone.
    Thread* thread() const { return m_thread; }

    // Where a syscall copies its path argument, so the task can walk it
    // after the syscall returned; `second` holds rename's and link's other
    // path, or symlink's target.
    char path[kPathMax];
    char second[kPathMax];
    // Where the walks splice symlink targets into their paths (walk.hpp);
    // one walk at a time uses it.
    char scratch[fs::kWalkScratchBytes];
    Span<char> scratch_span() { return Span<char>(scratch, sizeof(scratch)); }

    // Runs `task`, which yields the syscall's user value (>= 0, or
    // -abi::Err). Returns {false, value} if it ended at once, else parks the
    // thread (`reason` shows in /sys/waits) and returns {true, 0}.
    struct Ran {
        bool parked;
        i64 value;
    };
    Ran run(Task<i64> task, const char* reason);
    // The same for a task in the kernel's terms: its Error becomes the
    // syscall's (BadAddress if a copy through this FsCall failed).
    Result<Outcome> run(Task<u64> task, const char* reason);

    // UserAccess
    Result<void> copy_out(u64 to, ReadonlyBytes bytes) override;
    Result<void> copy_in(Span<u8> to, u64 from) override;

    // KernelObject
    void cancel_wait(Thread& thread) override;

private:
    void destroy() override;
    static void finished(void* context, Result<i64>& result);
    static void finished_kernel(void* context, Result<u64>& result);
    void deliver(i64 value);
    Ran park_or_return(const char* reason);

    FsCallCache& m_cache;
    Thread* m_thread;
    bool m_starting = false;   // inside run(): a finish is delivered inline
    bool m_finished = false;
    bool m_bad_address = false;
    bool m_kernel_error = false;  // an inline Task<u64> failed: m_error says how
    Error m_error {};
    i64 m_value = 0;
};

class FsCallCache {
public:
    explicit FsCallCache(PageAllocator& pages) : m_cache("fs-call", sizeof(FsCall), alignof(FsCall), pages) {}
    // A new FsCall for `thread`, holding the reference its task will drop.
    Result<FsCall*> begin(Thread& thread);
    void free(FsCall& call);
    u64 in_use() const { return m_cache.objects_in_use(); }

private:
    SlabCache m_cache;
};

}  // namespace mote
