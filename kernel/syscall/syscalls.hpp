// Syscalls: the kernel's system call surface (kernel/abi/syscalls.hpp),
// decoded and dispatched. The platform's trap path hands over the number
// and six argument registers of the thread that trapped; each handler
// validates every argument before it has any effect (decode, then perform),
// reads and writes user memory only through the process's AddressSpace
// (typed user pointers, one copy path), and returns a SysResult: done with
// a value, parked, or an ABI error. Errors are translated once, in
// SysResult.
//
// A handler that parks leaves everything its completion needs in the
// thread (Thread::pending, its timer, the object's waiter list); nothing
// waits on the kernel stack.
#pragma once

#include "core/task.hpp"
#include "fs/fs_clock.hpp"
#include "fs/fs_node.hpp"
#include "fs/walk.hpp"
#include "proc/audit_log.hpp"
#include "proc/process_table.hpp"
#include "syscall/sys_result.hpp"

namespace mote {

class ProgramLoader;
class ChannelTable;
class OpenNodeCache;
class SocketTable;
class FsCall;
namespace fs {
class FsNode;
}

struct SyscallArgs {
    u64 a[6] {};
};

struct SyscallStats {
    u64 calls[u32(abi::Sys::Count)] {};
    u64 unknown = 0;
    u64 failures = 0;
};

class Syscalls {
public:
    explicit Syscalls(ProcessTable& processes) : m_processes(processes) {}
    ~Syscalls() { release_program_image(); }

    // Runs syscall `number` for `thread`, which is Running. Afterwards the
    // thread is Running (the result is in the SysResult), Parked (a wake
    // will deliver the result) or Dead (its process ended).
    SysResult dispatch(Thread& thread, u64 number, const SyscallArgs& args);

    // Where spawn finds programs' bytes and how it loads them.
    void set_loader(ProgramLoader* loader) { m_loader = loader; }
    // Where open() makes its handles' objects.
    void set_files(OpenNodeCache* files) { m_files = files; }
    // The wall clock set_times(kTimeNow) reads (0 without one).
    void set_clock(fs::FsClock clock) { m_clock = clock; }
    // A program file's bytes, read whole into pages the Syscalls keep until
    // the next call (the kernel spawns init with it too).
    SysOr<ReadonlyBytes> program_image(fs::FsNode& node);
    void release_program_image();
    static constexpr u64 kMaxProgramBytes = 4 << 20;

    const SyscallStats& stats() const { return m_stats; }
    ProcessTable& processes() { return m_processes; }
    // Where channel_create makes channels.
    void set_channels(ChannelTable* channels) { m_channels = channels; }
    // Where socket() makes sockets (nullptr: no network; Unsupported).
    void set_sockets(SocketTable* sockets) { m_sockets = sockets; }

    // A parked ring_enter's objects reported progress, or its timeout
    // passed (syscall/ring_calls.cpp).
    void ring_event(Thread& thread, bool timed_out);

private:
    SysResult call(Thread& thread, abi::Sys number, const SyscallArgs& args);
    // Handlers stay out of line but for the two a fast path is made of
    // (clock, yield): inlined, their frames would make every syscall save
    // every callee-saved register.
    [[gnu::noinline]] SysResult sys_exit(Thread&, const SyscallArgs&);
    [[gnu::noinline]] SysResult sys_spawn(Thread&, const SyscallArgs&);
    [[gnu::noinline]] SysResult sys_wait(Thread&, const SyscallArgs&);
    [[gnu::noinline]] SysResult sys_open(Thread&, const SyscallArgs&);
    [[gnu::noinline]] SysResult sys_close(Thread&, const SyscallArgs&);
    [[gnu::noinline]] SysResult sys_read(Thread&, const SyscallArgs&);
    [[gnu::noinline]] SysResult sys_write(Thread&, const SyscallArgs&);
    [[gnu::noinline]] SysResult sys_stat(Thread&, const SyscallArgs&);
    [[gnu::noinline]] SysResult sys_readdir(Thread&, const SyscallArgs&);
    [[gnu::noinline]] SysResult sys_map(Thread&, const SyscallArgs&);
    [[gnu::noinline]] SysResult sys_unmap(Thread&, const SyscallArgs&);
    [[gnu::noinline]] SysResult sys_signal(Thread&, const SyscallArgs&);
    [[gnu::noinline]] SysResult sys_poll(Thread&, const SyscallArgs&);
    SysResult sys_clock(Thread&, const SyscallArgs&);
    [[gnu::noinline]] SysResult sys_sleep(Thread&, const SyscallArgs&);
    SysResult sys_yield(Thread&, const SyscallArgs&);
    [[gnu::noinline]] SysResult sys_dup(Thread&, const SyscallArgs&);
    [[gnu::noinline]] SysResult sys_channel_create(Thread&, const SyscallArgs&);
    [[gnu::noinline]] SysResult sys_channel_send(Thread&, const SyscallArgs&);
    [[gnu::noinline]] SysResult sys_channel_recv(Thread&, const SyscallArgs&);
    [[gnu::noinline]] SysResult sys_channel_call(Thread&, const SyscallArgs&);
    [[gnu::noinline]] SysResult sys_ring_setup(Thread&, const SyscallArgs&);
    [[gnu::noinline]] SysResult sys_ring_enter(Thread&, const SyscallArgs&);
    // Names and files (syscall/fs_calls.cpp).
    [[gnu::noinline]] SysResult sys_make_dir(Thread&, const SyscallArgs&);
    [[gnu::noinline]] SysResult sys_unlink(Thread&, const SyscallArgs&);
    [[gnu::noinline]] SysResult sys_rename(Thread&, const SyscallArgs&);
    [[gnu::noinline]] SysResult sys_link(Thread&, const SyscallArgs&);
    [[gnu::noinline]] SysResult sys_symlink(Thread&, const SyscallArgs&);
    [[gnu::noinline]] SysResult sys_truncate(Thread&, const SyscallArgs&);
    [[gnu::noinline]] SysResult sys_sync(Thread&, const SyscallArgs&);
    [[gnu::noinline]] SysResult sys_statfs(Thread&, const SyscallArgs&);
    [[gnu::noinline]] SysResult sys_set_times(Thread&, const SyscallArgs&);
    // Sockets (syscall/socket_calls.cpp).
    [[gnu::noinline]] SysResult sys_socket(Thread&, const SyscallArgs&);
    [[gnu::noinline]] SysResult sys_bind(Thread&, const SyscallArgs&);
    [[gnu::noinline]] SysResult sys_listen(Thread&, const SyscallArgs&);
    [[gnu::noinline]] SysResult sys_accept(Thread&, const SyscallArgs&);
    [[gnu::noinline]] SysResult sys_connect(Thread&, const SyscallArgs&);
    [[gnu::noinline]] SysResult sys_shutdown(Thread&, const SyscallArgs&);
    [[gnu::noinline]] SysResult sys_socket_option(Thread&, const SyscallArgs&);
    [[gnu::noinline]] SysResult sys_socket_info(Thread&, const SyscallArgs&);
    [[gnu::noinline]] SysResult sys_foreground(Thread&, const SyscallArgs&);

    // One ring entry through call() without waiting: false if it would wait.
    bool ring_run(Thread& thread, const abi::RingEntry& entry, i64& result);
    SysOr<bool> ring_retry(Thread& thread, abi::RingHeader& header);
    void ring_event_now(Thread& thread, bool timed_out);

    // The bytes of the program `path` names relative to directory handle
    // `dir` (syscall/io_calls.cpp).
    SysOr<ReadonlyBytes> program_bytes(Thread& thread, u64 dir, StringView path, fs::FsNode** file);
    // The halves of open and readdir that may wait for a disk (io_calls.cpp).
    Task<i64> open_task(FsCall& call, fs::NodeRef dir, u32 dir_rights, u64 flags, StringView path);
    Task<i64> readdir_task(fs::UserAccess& access, fs::NodeRef dir, u64 out, u64 count, u64 first);

    // The directory a path's last component is in, walked and judged, and
    // that name; `error` is set (and the rest empty) if the path is refused
    // or the walk failed.
    struct ParentWalk {
        fs::NodeRef dir;
        StringView name;
        bool trailing_slash = false;
        abi::Err error {};
    };
    Task<ParentWalk> walk_parent(FsCall& call, fs::NodeRef start, u32 rights, StringView path);
    // The halves of the name calls that run as tasks (fs_calls.cpp).
    struct NameCall {
        fs::NodeRef dir;
        u32 rights = 0;
        StringView path;
    };
    Task<i64> make_dir_task(FsCall& call, NameCall at, u32 mode);
    Task<i64> unlink_task(FsCall& call, NameCall at, bool directory);
    Task<i64> symlink_task(FsCall& call, NameCall at, StringView target);
    Task<i64> rename_task(FsCall& call, NameCall from, NameCall to);
    Task<i64> link_task(FsCall& call, NameCall from, NameCall to);
    Task<i64> node_task(FsCall& call, fs::NodeRef node, abi::Sys op, i64 a, i64 b);
    // truncate, set_times or sync on `node`: inline for a memory node, as
    // node_task through an FsCall for one that may wait.
    SysResult run_node_call(Thread& thread, fs::FsNode& node, abi::Sys op, i64 a, i64 b, const char* reason);
    // Decodes rename's and link's PathPair into `call` (both directories
    // need `from_rights` and `to_rights`).
    SysOr<bool> path_pair(Thread& thread, u64 address, FsCall& call, u32 from_rights, u32 to_rights, NameCall& from,
                          NameCall& to);

    ProcessTable& m_processes;
    ProgramLoader* m_loader = nullptr;
    OpenNodeCache* m_files = nullptr;
    ChannelTable* m_channels = nullptr;
    SocketTable* m_sockets = nullptr;
    fs::FsClock m_clock;
    // Set while a ring entry runs: objects answer WouldBlock instead of
    // parking (IoArgs::no_wait).
    bool m_no_wait = false;
    // Counted on every syscall: before the large scratch space, so its
    // offset stays small.
    SyscallStats m_stats;
    struct Image {
        PhysAddr first = 0;
        usize count = 0;
    } m_image;
    // Room for the larger arguments one syscall copies in (spawn's path
    // and argv): one syscall runs at a time per CPU, and the kernel stack
    // is small.
    struct Scratch {
        char path[abi::kNameMax * 4];
        u8 argv[abi::kMaxArgvBytes];
        char link[fs::kWalkScratchBytes];  // the walk's symlink splicing
    } m_scratch;
};

// Argument decoding shared by the handlers (syscall/user_args.cpp).
// The object `handle` names in the thread's table, if the handle holds all
// of `rights` (abi::Rights): BadHandle if it names nothing, WrongType if it
// is not of `type`, AccessDenied if a right is missing. Each refusal is
// appended to the audit ring, so no handler can forget either step.
SysOr<HandleRef> handle_ref(Thread& thread, u64 handle);
SysOr<KernelObject*> handle_object(Thread& thread, u64 handle, u32 rights);
SysOr<KernelObject*> handle_object(Thread& thread, u64 handle, ObjectType type, u32 rights);
// Installs a new handle; TooMany (audited) when the table is full.
SysOr<abi::Handle> install_handle(Thread& thread, KernelObject& object, u32 rights);

// A user pointer to a T: an address, never dereferenced; copies go through
// the address space and fail with BadAddress.
template <typename T>
struct UserPtr {
    u64 address = 0;
};
SysOr<bool> copy_from_user(Thread& thread, Span<u8> to, u64 from);
SysOr<bool> copy_to_user(Thread& thread, u64 to, Span<const u8> from);
template <typename T>
SysOr<T> copy_in(Thread& thread, UserPtr<T> from) {
    T value {};
    auto copied = copy_from_user(thread, Span<u8>(reinterpret_cast<u8*>(&value), sizeof(T)), from.address);
    if (copied.is_error()) return copied.error();
    return value;
}
template <typename T>
SysOr<bool> copy_out(Thread& thread, UserPtr<T> to, const T& value) {
    return copy_to_user(thread, to.address, Span<const u8>(reinterpret_cast<const u8*>(&value), sizeof(T)));
}
// Whether the whole user range could be written (checked before parking).
SysOr<bool> check_writable(Thread& thread, u64 address, u64 length);

}  // namespace mote
