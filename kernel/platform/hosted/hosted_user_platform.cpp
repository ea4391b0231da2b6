#include "platform/hosted/hosted_user_platform.hpp"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/log.hpp"
#include "proc/process.hpp"

namespace mote {

namespace {
// The kernel's own descriptors live at or above this, clear of the ones a
// child is given (hosted_wire::kSocketFd, kMemoryFd).
constexpr int kFirstKernelFd = 64;
// A child that does not take a command within this long is broken.
constexpr long kSendTimeoutSeconds = 2;

const char* signal_cause(int signal) {
    switch (signal) {
    case SIGSEGV: return "segmentation fault (host SIGSEGV)";
    case SIGBUS: return "bus error (host SIGBUS)";
    case SIGILL: return "illegal instruction (host SIGILL)";
    case SIGFPE: return "arithmetic fault (host SIGFPE)";
    case SIGTRAP: return "breakpoint (host SIGTRAP)";
    case SIGKILL: return "killed on the host (SIGKILL)";
    default: return "host signal";
    }
}
}  // namespace

HostedUserPlatform::~HostedUserPlatform() {
    // Processes end before the machine goes; anything left is killed here
    // so no program outlives the kernel.
    for (Child& child : m_children) {
        if (child.pid > 0) kill_and_reap(child);
        close_socket(child);
    }
}

void HostedUserPlatform::connect(int epoll, Loop& loop, u32 irq) {
    m_epoll = epoll;
    m_loop = &loop;
    m_irq = irq;
}

void HostedUserPlatform::attach(ProcessTable& processes, Syscalls& syscalls) {
    m_processes = &processes;
    m_syscalls = &syscalls;
    // The stub sits beside mote-hosted unless MOTE_USER_STUB says otherwise.
    if (const char* path = getenv("MOTE_USER_STUB"); path && strlen(path) < sizeof(m_stub_path)) {
        strcpy(m_stub_path, path);
        return;
    }
    char self[sizeof(m_stub_path)];
    ssize_t length = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (length <= 0) return;
    self[length] = 0;
    char* slash = strrchr(self, '/');
    if (!slash) return;
    *slash = 0;
    static constexpr char kName[] = "/mote-user-stub";
    if (strlen(self) + sizeof(kName) <= sizeof(m_stub_path)) {
        strcpy(m_stub_path, self);
        strcat(m_stub_path, kName);
    }
}

Result<UserMmu*> HostedUserPlatform::create_mmu() {
    for (u32 slot = 0; slot < kSlots; ++slot) {
        Child& child = m_children[slot];
        if (child.state != ChildState::Free) continue;
        TRY(child.mmu.init(m_memory.pages(), *this, slot));
        child.state = ChildState::Unstarted;
        return static_cast<UserMmu*>(&child.mmu);
    }
    return Error::Overflow;
}

void HostedUserPlatform::destroy_mmu(UserMmu& mmu) {
    Child& child = m_children[static_cast<HostedMmu&>(mmu).slot()];
    if (child.pid > 0) kill_and_reap(child);
    close_socket(child);
    child.mmu.destroy();
    m_ready[child.mmu.slot() / 64] &= ~(u64(1) << (child.mmu.slot() % 64));
    child.state = ChildState::Free;
    child.thread = nullptr;
    child.failed = child.has_request = child.has_reply = false;
    child.queued = 0;
}

HostedUserPlatform::Child& HostedUserPlatform::child_of(Thread& thread) {
    return m_children[static_cast<HostedMmu&>(thread.process().mmu()).slot()];
}

void HostedUserPlatform::start_frame(Thread& thread, u64 entry, u64 sp, u64 argument) {
    Child& child = child_of(thread);
    child.thread = &thread;
    child.entry = entry;
    child.sp = sp;
    child.argument = argument;
}

void HostedUserPlatform::set_result(Thread& thread, i64 result) {
    // The thread is parked in its syscall, its child waiting for the reply:
    // run() sends it when the scheduler picks the thread.
    Child& child = child_of(thread);
    child.reply = result;
    child.has_reply = true;
}

RunExit HostedUserPlatform::run(Thread& thread, Nanoseconds deadline) {
    (void)deadline;  // the program runs on the host's CPUs, not this one
    Child& child = child_of(thread);
    if (child.state == ChildState::Unstarted) {
        if (auto spawned = spawn(child); spawned.is_error()) {
            log_warn("user", "pid {}: cannot start its host process: {}", thread.process().pid(), spawned.error());
            fail(child, 0, "no host process");
            return RunExit::Ended;
        }
        return RunExit::Detached;
    }
    if (child.state != ChildState::Blocked) return RunExit::Detached;
    if (child.has_reply) {
        child.has_reply = false;
        if (reply(child, child.reply).is_error()) {
            fail(child, 0, "host process stopped taking replies");
            return RunExit::Ended;
        }
        return RunExit::Detached;
    }
    if (!child.has_request) return RunExit::Detached;

    child.has_request = false;
    SyscallArgs args;
    for (u32 i = 0; i < 6; ++i) args.a[i] = child.request.a[i];
    SysResult result = m_syscalls->dispatch(thread, child.request.number, args);
    // The child may be gone now (exit, kill): look at the thread first.
    switch (thread.state()) {
    case ThreadState::Dead: return RunExit::Ended;
    case ThreadState::Parked: return RunExit::Parked;
    // Parked and woken within its own syscall (yield): already queued with
    // its result kept by set_result.
    case ThreadState::Runnable: return RunExit::Parked;
    default: break;
    }
    if (reply(child, result.user_value()).is_error()) {
        fail(child, 0, "host process stopped taking replies");
        return RunExit::Ended;
    }
    return RunExit::Detached;
}

Result<void> HostedUserPlatform::spawn(Child& child) {
    if (!m_stub_path[0] || m_epoll < 0) return Error::Unsupported;
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) return Error::Io;
    int ours = fcntl(pair[0], F_DUPFD_CLOEXEC, kFirstKernelFd);
    int theirs = fcntl(pair[1], F_DUPFD_CLOEXEC, kFirstKernelFd);
    close(pair[0]);
    close(pair[1]);
    auto give_up = [&](Error error) -> Result<void> {
        if (ours >= 0) close(ours);
        if (theirs >= 0) close(theirs);
        return error;
    };
    if (ours < 0 || theirs < 0) return give_up(Error::Io);
    timeval timeout {kSendTimeoutSeconds, 0};
    setsockopt(ours, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));

    // The child gets its socket and physical memory at fixed numbers,
    // /dev/null for stdio, and nothing else of the kernel's.
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, theirs, hosted_wire::kSocketFd);
    posix_spawn_file_actions_adddup2(&actions, m_memory.fd(), hosted_wire::kMemoryFd);
    posix_spawn_file_actions_addclosefrom_np(&actions, hosted_wire::kMemoryFd + 1);
    // argv[1] is the program's name, so `ps` on the host says who is who.
    char name[64];
    StringView program = child.thread->process().name();
    usize length = program.length() < sizeof(name) - 1 ? program.length() : sizeof(name) - 1;
    memcpy(name, program.data(), length);
    name[length] = 0;
    char arg0[] = "mote-user";
    char* argv[] = {arg0, name, nullptr};
    char* envp[] = {nullptr};
    pid_t pid = -1;
    int spawned = posix_spawn(&pid, m_stub_path, &actions, nullptr, argv, envp);
    posix_spawn_file_actions_destroy(&actions);
    close(theirs);
    theirs = -1;
    if (spawned != 0) {
        log_warn("user", "{}: {}", StringView(m_stub_path, strlen(m_stub_path)), StringView(strerror(spawned), strlen(strerror(spawned))));
        return give_up(Error::Io);
    }
    child.pid = pid;
    child.socket = ours;
    ++m_stats.spawned;
    epoll_event event {};
    event.events = EPOLLIN;
    event.data.u64 = (u64(child.mmu.slot() + 1) << 32) | m_irq;
    if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, ours, &event) != 0) return Error::Io;  // destroy_mmu cleans up

    // The child waits for commands: the whole address space, then Start.
    child.state = ChildState::Blocked;
    child.queued = 0;
    child.mmu.for_each([&](u64 va, const UserPage& page) {
        enqueue(child, {hosted_wire::kMap, va, m_memory.file_offset(page.frame), 1, page.access});
    });
    enqueue(child, {hosted_wire::kStart, child.entry, child.sp, child.argument, 0});
    TRY(flush(child));
    child.state = ChildState::Running;
    return {};
}

void HostedUserPlatform::enqueue(Child& child, const hosted_wire::Command& command) {
    using namespace hosted_wire;
    // Page-by-page changes of neighbouring pages (a region mapped or
    // unmapped in order) become one command.
    if (child.queued) {
        Command& last = child.queue[child.queued - 1];
        u64 next_va = last.a + (last.kind == kMap ? last.c : last.b) * kPageSize;
        if (command.kind == kMap && last.kind == kMap && command.a == next_va &&
            command.b == last.b + last.c * kPageSize && command.d == last.d) {
            ++last.c;
            return;
        }
        if (command.kind == kUnmap && last.kind == kUnmap && command.a == next_va) {
            ++last.b;
            return;
        }
        if (command.kind == kProtect && last.kind == kProtect && command.a == next_va && command.c == last.c) {
            ++last.b;
            return;
        }
    }
    if (child.queued == kQueue && flush(child).is_error()) child.failed = true;
    child.queue[child.queued++] = command;
}

Result<void> HostedUserPlatform::flush(Child& child) {
    for (u32 i = 0; i < child.queued; ++i) {
        ssize_t sent = send(child.socket, &child.queue[i], sizeof(child.queue[i]), MSG_NOSIGNAL);
        if (sent != ssize_t(sizeof(child.queue[i]))) {
            child.queued = 0;
            child.failed = true;
            return Error::Io;
        }
        ++m_stats.commands;
    }
    child.queued = 0;
    return {};
}

Result<void> HostedUserPlatform::reply(Child& child, i64 value) {
    if (child.failed) return Error::Io;
    enqueue(child, {hosted_wire::kReply, u64(value), 0, 0, 0});
    TRY(flush(child));
    child.state = ChildState::Running;
    return {};
}

void HostedUserPlatform::mmu_changed(u32 slot, HostedMmu::Change change, u64 va, PhysAddr frame, u32 access) {
    Child& child = m_children[slot];
    switch (child.state) {
    case ChildState::Free:
    case ChildState::Unstarted:  // spawn() sends the whole translation
    case ChildState::Dead: return;
    case ChildState::Running:
        // Only the end of a process changes a running program's memory:
        // stop it before its frames can go to anyone else.
        if (change != HostedMmu::Change::Map) {
            kill_and_reap(child);
            child.state = ChildState::Dead;
            return;
        }
        break;
    case ChildState::Blocked: break;
    }
    using namespace hosted_wire;
    switch (change) {
    case HostedMmu::Change::Map: enqueue(child, {kMap, va, m_memory.file_offset(frame), 1, access}); break;
    case HostedMmu::Change::Unmap: enqueue(child, {kUnmap, va, 1, 0, 0}); break;
    case HostedMmu::Change::Protect: enqueue(child, {kProtect, va, 1, access, 0}); break;
    }
}

int HostedUserPlatform::kill_and_reap(Child& child) {
    int status = 0;
    if (child.pid <= 0) return status;
    kill(child.pid, SIGKILL);
    while (waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
    }
    child.pid = -1;
    return status;
}

void HostedUserPlatform::close_socket(Child& child) {
    if (child.socket < 0) return;
    if (m_epoll >= 0) epoll_ctl(m_epoll, EPOLL_CTL_DEL, child.socket, nullptr);
    close(child.socket);
    child.socket = -1;
}

void HostedUserPlatform::fail(Child& child, u64 cause, const char* name, u64 address, u64 pc, u64 frame_pointer) {
    if (child.pid > 0) kill_and_reap(child);
    child.state = ChildState::Dead;
    Thread* thread = child.thread;
    // fault() ends the process, which destroys this child's MMU: nothing
    // of `child` may be used after it.
    m_processes->fault(thread->process(), {cause, address, pc, name, frame_pointer});
}

void HostedUserPlatform::mark_ready(u32 slot) {
    if (slot < kSlots) m_ready[slot / 64] |= u64(1) << (slot % 64);
}

void HostedUserPlatform::on_irq() {
    for (u32 word = 0; word < kSlots / 64; ++word) {
        while (m_ready[word]) {
            u32 bit = u32(__builtin_ctzll(m_ready[word]));
            m_ready[word] &= ~(u64(1) << bit);
            Child& child = m_children[word * 64 + bit];
            if (child.socket >= 0) read_request(child);
        }
    }
}

void HostedUserPlatform::read_request(Child& child) {
    // One byte more than a request, so an oversized message shows.
    u8 buffer[sizeof(hosted_wire::Request) + 8];
    ssize_t got = recv(child.socket, buffer, sizeof(buffer), MSG_DONTWAIT);
    if (got < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (got <= 0) {
        // End of file: the process is gone. Reap it for the cause; it
        // closed the socket on its way out, so it is a zombie or about to be.
        ++m_stats.died;
        int status = 0;
        pid_t reaped = 0;
        for (int i = 0; i < 100 && (reaped = waitpid(child.pid, &status, WNOHANG)) == 0; ++i) usleep(1000);
        if (reaped == child.pid) child.pid = -1;
        else status = kill_and_reap(child);
        if (WIFSIGNALED(status)) {
            fail(child, u64(WTERMSIG(status)), signal_cause(WTERMSIG(status)));
        } else {
            fail(child, u64(WEXITSTATUS(status)), "host process exited");
        }
        return;
    }
    hosted_wire::Request request;
    memcpy(&request, buffer, sizeof(request) < usize(got) ? sizeof(request) : usize(got));
    if (usize(got) == sizeof(request) && request.kind == hosted_wire::kFault && child.state == ChildState::Running &&
        request.number < 64) {
        ++m_stats.died;
        fail(child, request.number, signal_cause(int(request.number)), request.a[0], request.a[1], request.a[2]);
        return;
    }
    bool well_formed = usize(got) == sizeof(request) && request.kind == hosted_wire::kSyscall;
    // A program asks only while running: never twice, never while parked.
    if (!well_formed || child.state != ChildState::Running || !child.thread ||
        child.thread->state() != ThreadState::Running) {
        ++m_stats.protocol_faults;
        log_warn("user", "slot {}: unexpected message from its host process ({} bytes)", child.mmu.slot(), got);
        fail(child, 0, "host protocol violation");
        return;
    }
    ++m_stats.requests;
    child.request = request;
    child.has_request = true;
    child.state = ChildState::Blocked;
    m_processes->scheduler().make_runnable(*child.thread);
}

}  // namespace mote
