// HostedUserPlatform: user programs under the hosted kernel, each in its own
// Linux process.
//
// The kernel side is the one every port uses: the ELF loader puts the
// program into frames of the page allocator, AddressSpace decides the
// layout, syscalls go through Syscalls::dispatch and reach user memory by
// translation (HostedMmu). What differs is only where the program's
// instructions run: in a child process started from mote-user-stub
// (user_stub/), which maps the same frames (the arena is a memfd,
// host_memory.hpp) at the same addresses and jumps to the entry. The
// program's runtime sends each syscall over a socket pair
// (user_wire.hpp) and waits for the reply.
//
// Life of a thread here: start_frame remembers entry, stack and argument;
// the first run() spawns the child, sends its mappings and Start, and
// returns RunExit::Detached (the thread is Running, in its own process). A
// request on the socket is an "interrupt" (the machine's epoll): the
// handler stores it and makes the thread runnable; the scheduler's next
// run() dispatches it with the thread Running as on bare metal, then sends
// the reply (Detached again) or leaves the thread parked; set_result keeps
// a parked syscall's result until run() delivers it.
//
// Memory safety across processes: a frame leaves a program's view before
// the kernel can reuse it. While the child waits in a syscall it cannot
// touch memory, and the Unmap commands reach it before the reply; a child
// running user code when its pages go (its process is being killed) is
// killed and reaped first.
//
// A fault in a program (SIGSEGV, SIGILL, ...) is caught by the stub's
// handler, which sends the signal, fault address and pc before exiting: the
// process is faulted with the host signal number as cause, like a trap on
// bare metal. A child that dies otherwise shows as the socket's end of
// file, and its wait status gives the cause. Every child is killed by PID and reaped when its
// process ends, and dies with the kernel (PR_SET_PDEATHSIG).
#pragma once

#include "platform/hosted/host_memory.hpp"
#include "platform/hosted/hosted_mmu.hpp"
#include "platform/hosted/user_wire.hpp"
#include "proc/process_table.hpp"
#include "syscall/syscalls.hpp"

namespace mote {

struct HostedUserStats {
    u64 spawned = 0;
    u64 requests = 0;
    u64 commands = 0;       // messages sent to children
    u64 died = 0;           // children that ended on their own
    u64 protocol_faults = 0;
};

class HostedUserPlatform final : public UserPlatform, private HostedMmu::Observer {
public:
    static constexpr u32 kSlots = ProcessTable::kMaxProcesses;

    explicit HostedUserPlatform(HostMemory& memory) : m_memory(memory) {}
    ~HostedUserPlatform();

    // The machine's epoll set, the loop and the IRQ number its sockets
    // post; tags each socket with (slot + 1) << 32 | irq.
    void connect(int epoll, Loop& loop, u32 irq);
    // From the machine's wait: slot's socket has something (or ended).
    void mark_ready(u32 slot);
    // Loop context: reads the requests of every ready slot.
    void on_irq();
    const HostedUserStats& stats() const { return m_stats; }

    // UserPlatform
    void attach(ProcessTable& processes, Syscalls& syscalls) override;
    Result<UserMmu*> create_mmu() override;
    void destroy_mmu(UserMmu& mmu) override;
    void start_frame(Thread& thread, u64 entry, u64 sp, u64 argument) override;
    void set_result(Thread& thread, i64 result) override;
    RunExit run(Thread& thread, Nanoseconds deadline) override;

private:
    enum class ChildState : u8 { Free, Unstarted, Blocked, Running, Dead };
    static constexpr u32 kQueue = 32;

    struct Child {
        HostedMmu mmu;
        ChildState state = ChildState::Free;
        Thread* thread = nullptr;
        int pid = -1;
        int socket = -1;
        bool failed = false;  // a command could not be sent: fault at the next reply
        bool has_request = false;
        bool has_reply = false;
        i64 reply = 0;
        u64 entry = 0, sp = 0, argument = 0;
        hosted_wire::Request request {};
        hosted_wire::Command queue[kQueue] {};
        u32 queued = 0;
    };

    void mmu_changed(u32 slot, HostedMmu::Change change, u64 va, PhysAddr frame, u32 access) override;
    Child& child_of(Thread& thread);
    Result<void> spawn(Child& child);
    void enqueue(Child& child, const hosted_wire::Command& command);
    Result<void> flush(Child& child);
    Result<void> reply(Child& child, i64 value);
    // Kills (SIGKILL) and reaps the child's process; returns its wait status.
    int kill_and_reap(Child& child);
    // Ends the thread's process with `name` as cause after its child is gone.
    void fail(Child& child, u64 cause, const char* name, u64 address = 0, u64 pc = 0, u64 frame_pointer = 0);
    void read_request(Child& child);
    void close_socket(Child& child);

    HostMemory& m_memory;
    ProcessTable* m_processes = nullptr;
    Syscalls* m_syscalls = nullptr;
    Loop* m_loop = nullptr;
    int m_epoll = -1;
    u32 m_irq = 0;
    char m_stub_path[512] {};
    Child m_children[kSlots];
    u64 m_ready[kSlots / 64] {};
    HostedUserStats m_stats;
};

}  // namespace mote
