// Thread: one flow of user execution. Each process has one today (its main
// thread); the scheduler runs threads, and a syscall that must wait parks
// its thread rather than a kernel stack.
//
// Parked means: the thread is on no run queue, and exactly one party will
// wake it (the object it waits on, its timer, or the kill that ends it).
// What it waits for is recorded (`wait_reason`, `wait_object`) so the kernel
// can say who waits on whom.
#pragma once

#include "base/list.hpp"
#include "core/timer.hpp"
#include "proc/kernel_object.hpp"
#include "proc/user_platform.hpp"

namespace mote {

class Process;

enum class ThreadState : u8 { New, Runnable, Running, Parked, Dead };
const char* thread_state_name(ThreadState state);

// Scheduling bands: interactive threads always run before batch ones.
enum class Band : u8 { Interactive = 0, Batch = 1 };
inline constexpr u32 kBandCount = 2;

struct ThreadStats {
    Nanoseconds cpu_time = 0;   // in user mode
    Nanoseconds wait_time = 0;  // parked
    Nanoseconds ready_time = 0; // runnable but not running
    u64 switches = 0;           // times it was put on the CPU
    u64 syscalls = 0;
};

class Thread {
public:
    explicit Thread(Process& process) : m_process(process) {}
    Thread(const Thread&) = delete;
    Thread& operator=(const Thread&) = delete;

    Process& process() { return m_process; }
    ThreadState state() const { return m_state; }
    Band band() const { return m_band; }
    void set_band(Band band) { m_band = band; }
    const ThreadStats& stats() const { return m_stats; }
    void count_syscall(u16 number) {
        ++m_stats.syscalls;
        m_syscall = number;
    }
    // The syscall the thread is in (or was last in): for audit records.
    u16 syscall() const { return m_syscall; }
    void* frame() { return m_frame; }
    // The FP/SIMD registers while the thread is off the CPU (the platform
    // saves and restores them; kUserFpBytes, 16-byte aligned).
    void* fp_state() { return m_fp_state; }

    // Parks the running thread in its syscall; `reason` says on what.
    void park(const char* reason, KernelObject* object = nullptr);
    // Parks on `object` for at most `timeout` (kNoDeadline: no limit): when
    // it passes, the object forgets the thread (cancel_wait) and the call
    // returns Timeout. The caller has put the thread on the object's list.
    void park_with_timeout(const char* reason, KernelObject& object, Nanoseconds timeout);
    // Finishes the parked syscall with `result` (>= 0, or -abi::Err) and
    // makes the thread runnable. Loop context only.
    void wake(i64 result);
    const char* wait_reason() const { return m_wait_reason; }
    KernelObject* wait_object() const { return m_wait_object; }
    Nanoseconds parked_since() const { return m_parked_since; }

    // A timer the thread's own syscalls use (sleep, wait and poll
    // timeouts); its callback is set by whoever arms it.
    Timer& timer() { return m_timer; }

    // For poll(): the objects being watched wake the thread through here.
    void poll_event();
    void set_polling(bool polling, void (*on_event)(Thread&) = nullptr) {
        m_polling = polling;
        m_poll_wake = on_event;
    }
    bool polling() const { return m_polling; }

    ListNode run_node;   // a scheduler queue, while runnable
    ListNode wait_node;  // an object's waiter list, while parked on it
    // Per-thread scratch for the parked syscall (the user buffer a console
    // read fills, a wait's ExitInfo pointer): the arguments it will need
    // when it is woken, so nothing lives on a stack meanwhile.
    u64 pending[4] {};

private:
    friend class Scheduler;
    friend class ProcessTable;

    Process& m_process;
    ThreadState m_state = ThreadState::New;
    Band m_band = Band::Interactive;
    const char* m_wait_reason = nullptr;
    KernelObject* m_wait_object = nullptr;
    Nanoseconds m_parked_since = 0;
    Nanoseconds m_state_since = 0;
    bool m_polling = false;
    u16 m_syscall = 0;
    void (*m_poll_wake)(Thread&) = nullptr;
    Timer m_timer;
    ThreadStats m_stats;
    // Not zeroed here: the platform's start_frame writes both before the
    // thread first runs (Arch::user_frame_init and fp_init clear every
    // register), and nothing reads them before. Zeroing them here too cost
    // every spawn 912 byte stores.
    alignas(16) u8 m_frame[kUserFrameBytes];
    alignas(16) u8 m_fp_state[kUserFpBytes];
};

}  // namespace mote
