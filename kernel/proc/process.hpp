// Process: an address space, a handle table and a thread, isolated from
// every other process. A process is also a kernel object: spawn() hands the
// parent a handle to it, through which the parent waits for it, signals it
// and polls it. Nobody else can name it (no global pid namespace for
// syscalls; the pid is for people and /sys).
//
// Life: Running -> Exited. Exiting (exit(), a fault, a kill) ends the
// thread, closes every handle and returns every page at once; what remains
// is this small object with the exit information, kept while some handle
// still names it. The process table holds one reference while it runs.
#pragma once

#include "base/format.hpp"
#include "proc/address_space.hpp"
#include "proc/handle_table.hpp"
#include "proc/program_file.hpp"
#include "proc/signal_box.hpp"
#include "proc/submission_ring.hpp"
#include "proc/wait_list.hpp"

namespace mote {

enum class ProcessState : u8 { Running, Exited };

class ProcessTable;

class Process final : public KernelObject {
public:
    Process(ProcessTable& table, u32 pid, StringView name, Process* parent, PageAllocator& pages, UserMmu& mmu);
    ~Process();

    ProcessTable& table();
    u32 pid() const { return m_pid; }
    StringView name() const { return m_name.view(); }
    u32 parent_pid() const { return m_parent_pid; }
    Process* parent() const { return m_parent; }
    ProcessState state() const { return m_state; }
    const abi::ExitInfo& exit_info() const { return m_exit; }
    Nanoseconds started() const { return m_started; }

    AddressSpace& space() { return m_space; }
    const AddressSpace& space() const { return m_space; }
    HandleTable& handles() { return m_handles; }
    const HandleTable& handles() const { return m_handles; }
    Thread& thread() { return m_thread; }
    const Thread& thread() const { return m_thread; }
    UserMmu& mmu() { return m_mmu; }
    SubmissionRing& ring() { return m_ring; }
    // The file the program was loaded from (for symbols in fault reports);
    // nullptr if unknown. Referenced (ProgramFile::retain) while the
    // process lives: a program run from a writable filesystem may lose its
    // name.
    ProgramFile* program() const { return m_program; }
    void set_program(ProgramFile* file);

    // Signals sent to it and not yet taken (Notify; Interrupt once it
    // asked): what its own poll() on kNoHandle reports.
    SignalBox& signals() { return m_signals; }

    // The root of the limited tree this process is charged to (itself for
    // a root), or nullptr if it was started holding the spawn capability
    // (proc/spawn_capability.hpp); for a root, the live processes charged
    // to it.
    Process* charged_to() const { return m_charged_to; }
    u32 charged_live() const { return m_charged_live; }

    // Threads in wait() on this process, woken when it exits.
    WaitList& exit_waiters() { return m_exit_waiters; }

    // KernelObject
    Result<void> stat(abi::Stat& stat) override;
    u32 poll_ready(u32 events) override;
    void watch(Thread& thread) override;
    void unwatch(Thread& thread) override;
    void cancel_wait(Thread& thread) override;

    ListNode table_node;

private:
    friend class ProcessTable;
    void destroy() override;

    ProcessTable& m_table;
    u32 m_pid;
    u32 m_parent_pid = 0;
    Process* m_parent;  // cleared when the parent exits first
    FixedString<32> m_name;
    ProcessState m_state = ProcessState::Running;
    abi::ExitInfo m_exit {};
    Nanoseconds m_started = 0;
    UserMmu& m_mmu;
    AddressSpace m_space;
    HandleTable m_handles;
    Thread m_thread;
    WaitList m_exit_waiters;
    Thread* m_poller = nullptr;  // one polling thread at a time (the parent)
    ProgramFile* m_program = nullptr;
    SubmissionRing m_ring;
    SignalBox m_signals;
    Process* m_charged_to = nullptr;  // referenced (retain) unless it is this process
    u32 m_charged_live = 0;
};

}  // namespace mote
