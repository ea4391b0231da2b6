// ProcessTable: every process that exists, and the operations that create
// and end them. It owns the process slab cache, hands out pids (counting up
// from 1, never reused while the kernel runs), and is where exit, faults
// and kills converge, so teardown is written once:
//
//   end(process, info): the thread leaves the run queue or whatever it was
//   parked on; every handle is closed; every page and the page tables are
//   returned; threads waiting for the process are woken; the table drops
//   its reference (the object itself lives while a handle names it).
#pragma once

#include "core/loop.hpp"
#include "mm/slab_cache.hpp"
#include "proc/audit_log.hpp"
#include "proc/process.hpp"
#include "proc/scheduler.hpp"
#include "proc/spawn_capability.hpp"
#include "proc/user_backtrace.hpp"

namespace mote {

struct ProcessTableStats {
    u64 created = 0;
    u64 exited = 0;
    u64 faulted = 0;
    u64 killed = 0;
    u64 create_failures = 0;
    u64 limited = 0;  // spawns refused: the limited tree was full
};

// A fault in user mode as the platform decoded it.
struct UserFault {
    u64 cause = 0;
    u64 address = 0;
    u64 pc = 0;
    const char* name = "";
    u64 frame_pointer = 0;  // the thread's frame pointer (0: unknown; no backtrace)
};

// One frame's function as the crash report shows it ("main+0x38"; empty
// if unknown).
struct UserFrameName {
    char text[96] = {};
};

class ProcessTable {
public:
    static constexpr u32 kMaxProcesses = 256;
    // How long a wait lasts before the deadlock check looks at it.
    static constexpr Nanoseconds kDeadlockCheck = 1'000'000'000;

    ProcessTable(Loop& loop, PageAllocator& pages, UserPlatform& platform);
    ~ProcessTable();

    // A new process with an empty address space and handle table, its
    // thread not yet runnable (start() does that once the program is in).
    // `unlimited`: it will hold the spawn capability (it is passed one);
    // otherwise it is charged to a limited tree, and Busy when that tree
    // is full (may_spawn() says so first).
    Result<Process*> create(StringView name, Process* parent, bool unlimited = false);
    // Whether `parent` may start one more process now.
    bool may_spawn(const Process* parent) const;
    // Whether `process` holds a handle to the spawn capability.
    bool holds_spawn_capability(const Process& process) const;
    SpawnCapability& spawn_capability() { return m_spawn_capability; }
    // Makes a created process's thread runnable at `entry` with `sp` and
    // `argument`.
    void start(Process& process, u64 entry, u64 sp, u64 argument);
    // Ends a running process (exit(), kill). Idempotent for an exited one.
    void end(Process& process, const abi::ExitInfo& info);
    // Delivers a signal as signal() and the terminal's Ctrl-C do: Notify,
    // and an Interrupt the process catches, wait in its signal box; Cancel
    // ends its current wait (BadState if it is not waiting); Terminate and
    // an uncaught Interrupt end it (ExitReason::Killed, status = the signal).
    // BadState for a process that has already ended.
    Result<void> signal(Process& process, abi::Signal signal);
    // A user fault ended the process: one report line, then end().
    void fault(Process& process, const UserFault& fault);
    // Takes `thread` off every object it watches for poll() or a parked
    // ring_enter (each object it holds a handle to) and ends its polling.
    void stop_watching(Thread& thread);
    // Ends a parked thread's wait early: its syscall returns Cancelled
    // (Signal::Cancel). Nothing for a thread that is not parked.
    void cancel_wait(Thread& thread);
    // A thread parked on an object: the deadlock check runs within a second
    // if it is not already due (Thread::park calls this).
    void note_wait(Thread& thread);
    u64 deadlocks_logged() const { return m_deadlocks_logged; }
    // Ends every process (shutdown).
    void end_all();
    // Ends a process that was created but never started (a failed spawn).
    void discard(Process& process);

    // Called after each process has ended (the kernel watches init's).
    using ExitObserver = void (*)(Process& process, void* context);
    void set_exit_observer(ExitObserver observer, void* context) {
        m_exit_observer = observer;
        m_exit_context = context;
    }

    // Names the function of each frame of a fault's backtrace, if it can
    // (the loader's layer knows how to read a program's symbols; this one
    // does not): names[i] for pcs[i]. pcs[0] is the faulting pc; pcs[1..]
    // are return addresses, whose call is the instruction before them.
    using Symbolizer = void (*)(Process& process, Span<const u64> pcs, Span<UserFrameName> names, void* context);
    void set_symbolizer(Symbolizer symbolizer, void* context) {
        m_symbolizer = symbolizer;
        m_symbolizer_context = context;
    }

    Process* find(u32 pid);
    template <typename Fn>
    void for_each(Fn&& fn) {
        for (Process& process : m_all) fn(process);
    }
    usize count() const { return m_all.size(); }
    const ProcessTableStats& stats() const { return m_stats; }

    // Every handle transfer and every denial (proc/audit_log.hpp).
    AuditLog& audit() { return m_audit; }
    // Mixes `entropy` into the generator of handle-value secrets (the
    // kernel's CSPRNG, once it is seeded; the clock before that).
    void seed_secrets(u64 entropy);

    Loop& loop() { return m_loop; }
    PageAllocator& pages() { return m_pages; }
    UserPlatform& platform() { return m_platform; }
    Scheduler& scheduler() { return m_scheduler; }

private:
    friend class Process;
    void free(Process& process);
    void reap();
    u32 next_secret();
    void check_deadlocks();

    Loop& m_loop;
    PageAllocator& m_pages;
    UserPlatform& m_platform;
    Scheduler m_scheduler;
    SlabCache m_cache;
    IntrusiveList<Process, &Process::table_node> m_all;
    IntrusiveList<Process, &Process::table_node> m_dying;  // ended, table reference not yet dropped
    Deferred m_reaper;
    u32 m_next_pid = 1;
    Symbolizer m_symbolizer = nullptr;
    UserFrameName m_frame_names[UserBacktrace::kMaxFrames];
    void* m_symbolizer_context = nullptr;
    ExitObserver m_exit_observer = nullptr;
    void* m_exit_context = nullptr;
    ProcessTableStats m_stats;
    SpawnCapability m_spawn_capability;
    AuditLog m_audit;
    Timer m_deadlock_timer;
    u64 m_logged_cycles[8] {};  // signatures of cycles already logged
    u32 m_logged_next = 0;
    u64 m_deadlocks_logged = 0;
    u64 m_secret_state = 0;
};

}  // namespace mote
