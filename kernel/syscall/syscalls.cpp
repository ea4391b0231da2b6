#include "syscall/syscalls.hpp"

#include "base/config.hpp"
#include "proc/process.hpp"

namespace mote {

SysResult Syscalls::dispatch(Thread& thread, u64 number, const SyscallArgs& args) {
    if (number >= u64(abi::Sys::Count)) {
        ++m_stats.unknown;
        ++m_stats.failures;
        return abi::Err::NoSyscall;
    }
    ++m_stats.calls[number];
    thread.count_syscall(u16(number));
    SysResult result = call(thread, abi::Sys(number), args);
    if (result.failed()) ++m_stats.failures;
    return result;
}

SysResult Syscalls::call(Thread& thread, abi::Sys number, const SyscallArgs& args) {
    // A switch over the dense numbers: one indexed jump, and each handler
    // can be inlined into its case.
    switch (number) {
    case abi::Sys::Exit: return sys_exit(thread, args);
    case abi::Sys::Spawn: return sys_spawn(thread, args);
    case abi::Sys::Wait: return sys_wait(thread, args);
    case abi::Sys::Open: return sys_open(thread, args);
    case abi::Sys::Close: return sys_close(thread, args);
    case abi::Sys::Read: return sys_read(thread, args);
    case abi::Sys::Write: return sys_write(thread, args);
    case abi::Sys::Stat: return sys_stat(thread, args);
    case abi::Sys::ReadDir: return sys_readdir(thread, args);
    case abi::Sys::Map: return sys_map(thread, args);
    case abi::Sys::Unmap: return sys_unmap(thread, args);
    case abi::Sys::Signal: return sys_signal(thread, args);
    case abi::Sys::Poll: return sys_poll(thread, args);
    case abi::Sys::Clock: return sys_clock(thread, args);
    case abi::Sys::Sleep: return sys_sleep(thread, args);
    case abi::Sys::Yield: return sys_yield(thread, args);
    case abi::Sys::Dup: return sys_dup(thread, args);
    case abi::Sys::ChannelCreate: return sys_channel_create(thread, args);
    case abi::Sys::ChannelSend: return sys_channel_send(thread, args);
    case abi::Sys::ChannelRecv: return sys_channel_recv(thread, args);
    case abi::Sys::RingSetup: return sys_ring_setup(thread, args);
    case abi::Sys::RingEnter: return sys_ring_enter(thread, args);
    case abi::Sys::MakeDir: return sys_make_dir(thread, args);
    case abi::Sys::Unlink: return sys_unlink(thread, args);
    case abi::Sys::Rename: return sys_rename(thread, args);
    case abi::Sys::Link: return sys_link(thread, args);
    case abi::Sys::Symlink: return sys_symlink(thread, args);
    case abi::Sys::Truncate: return sys_truncate(thread, args);
    case abi::Sys::Sync: return sys_sync(thread, args);
    case abi::Sys::StatFs: return sys_statfs(thread, args);
    case abi::Sys::SetTimes: return sys_set_times(thread, args);
#if MOTE_HAVE_DRIVERS
    case abi::Sys::Socket: return sys_socket(thread, args);
    case abi::Sys::Bind: return sys_bind(thread, args);
    case abi::Sys::Listen: return sys_listen(thread, args);
    case abi::Sys::Accept: return sys_accept(thread, args);
    case abi::Sys::Connect: return sys_connect(thread, args);
    case abi::Sys::Shutdown: return sys_shutdown(thread, args);
    case abi::Sys::SocketOption: return sys_socket_option(thread, args);
    case abi::Sys::SocketInfo: return sys_socket_info(thread, args);
#else
    // An image without a network (the minimal profile) has no sockets, as
    // a full image whose machine has no network device.
    case abi::Sys::Socket:
    case abi::Sys::Bind:
    case abi::Sys::Listen:
    case abi::Sys::Accept:
    case abi::Sys::Connect:
    case abi::Sys::Shutdown:
    case abi::Sys::SocketOption:
    case abi::Sys::SocketInfo: return abi::Err::Unsupported;
#endif
    case abi::Sys::Foreground: return sys_foreground(thread, args);
    case abi::Sys::ChannelCall: return sys_channel_call(thread, args);
    case abi::Sys::Count: break;
    }
    return abi::Err::NoSyscall;
}

// --- time -----------------------------------------------------------------

SysResult Syscalls::sys_clock(Thread&, const SyscallArgs&) { return Outcome::done(m_processes.loop().now()); }

SysResult Syscalls::sys_sleep(Thread& thread, const SyscallArgs& args) {
    Nanoseconds duration = args.a[0];
    if (duration == 0) return Outcome::done(0);
    Loop& loop = m_processes.loop();
    Nanoseconds now = loop.now();
    Nanoseconds deadline = duration > kNoDeadline - 1 - now ? kNoDeadline - 1 : now + duration;
    thread.timer().set_callback([](Timer& timer) { static_cast<Thread*>(timer.context())->wake(0); }, &thread);
    loop.arm(thread.timer(), deadline);
    thread.park("sleep");
    return Outcome::park();
}

SysResult Syscalls::sys_yield(Thread& thread, const SyscallArgs&) {
    // With nobody else runnable, yield is the null syscall: straight back.
    if (m_processes.scheduler().runnable() == 0) return Outcome::done(0);
    // Otherwise go to the back of the queue: parked for zero time.
    thread.park("yield");
    thread.wake(0);
    return Outcome::park();
}

// --- memory ---------------------------------------------------------------

SysResult Syscalls::sys_map(Thread& thread, const SyscallArgs& args) {
    u64 length = args.a[0];
    u64 flags = args.a[1];
    if (length == 0 || flags & ~u64(abi::kMapRead | abi::kMapWrite | abi::kMapExecute)) return abi::Err::InvalidArgument;
    if ((flags & abi::kMapWrite) && (flags & abi::kMapExecute)) return abi::Err::InvalidArgument;
    if (length > abi::kMapLimit - abi::kMapBase) return abi::Err::Overflow;
    // Writable implies readable (no CPU Mote runs on has write-only pages).
    u32 access = u32(flags) | ((flags & abi::kMapWrite) ? kUserRead : 0);
    AddressSpace& space = thread.process().space();
    auto address = space.map_anywhere(length, access);
    if (address.is_error()) return address.error() == Error::Overflow ? abi::Err::TooMany : to_abi(address.error());
    return Outcome::done(address.value());
}

SysResult Syscalls::sys_unmap(Thread& thread, const SyscallArgs& args) {
    u64 address = args.a[0];
    u64 length = args.a[1];
    if (address + length < address) return abi::Err::Overflow;
    if (address & (abi::kPageSize - 1) || length == 0) return abi::Err::InvalidArgument;
    if (!AddressSpace::in_user_half(address, length)) return abi::Err::BadAddress;
    SYS_TRY(thread.process().space().remove_mapped(address, length));
    return Outcome::done(0);
}

// --- handles --------------------------------------------------------------

SysResult Syscalls::sys_close(Thread& thread, const SyscallArgs& args) {
    if (args.a[0] > 0xffffffffu || thread.process().handles().close(abi::Handle(args.a[0])).is_error())
        return deny(thread, abi::Err::BadHandle, nullptr, 0, 0);
    return Outcome::done(0);
}

SysResult Syscalls::sys_stat(Thread& thread, const SyscallArgs& args) {
    // Any handle may be asked what it is and what it allows.
    HandleRef held = SYS_TRY(handle_ref(thread, args.a[0]));
    UserPtr<abi::Stat> out {args.a[1]};
    abi::Stat stat {};
    SYS_TRY(held.object->stat(stat));
    stat.rights = held.rights;
    SYS_TRY(copy_out(thread, out, stat));
    return Outcome::done(0);
}

}  // namespace mote
