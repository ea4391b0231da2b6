#include "sys.hpp"

#include "syscall.hpp"

namespace mote::user::sys {

namespace {

u64 ptr(const void* p) { return u64(reinterpret_cast<uptr>(p)); }

i64 call(abi::Sys number) { return mote_trap(u64(number)); }
i64 call(abi::Sys number, u64 a0, u64 a1 = 0, u64 a2 = 0, u64 a3 = 0) {
    return mote_trap(u64(number), a0, a1, a2, a3);
}

SysOr<void> done(i64 raw) {
    if (raw_is_error(raw)) return raw_error(raw);
    return {};
}

}  // namespace

i64 raw(u64 number, u64 a0, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5) {
    return mote_syscall(a0, a1, a2, a3, a4, a5, number);
}

void exit(int status) {
    // The kernel takes the status as a register; a negative int is passed
    // sign-extended and reported back as the same int32 by wait().
    call(abi::Sys::Exit, u64(i64(status)));
    // exit() does not return; if a broken kernel let it, do not run on.
    for (;;) call(abi::Sys::Yield);
}

SysOr<Handle> spawn(const abi::SpawnArgs& args) { return sys_or<Handle>(call(abi::Sys::Spawn, ptr(&args))); }

SysOr<void> wait(Handle child, abi::ExitInfo& info, u64 timeout_ns) {
    return done(call(abi::Sys::Wait, child, ptr(&info), timeout_ns));
}

SysOr<Handle> open(Handle dir, StringView path, u64 flags) {
    return sys_or<Handle>(call(abi::Sys::Open, dir, ptr(path.data()), path.length(), flags));
}

SysOr<void> close(Handle handle) { return done(call(abi::Sys::Close, handle)); }

SysOr<usize> read(Handle handle, void* buffer, usize length, u64 offset) {
    return sys_or<usize>(call(abi::Sys::Read, handle, ptr(buffer), length, offset));
}

SysOr<usize> write(Handle handle, const void* buffer, usize length, u64 offset) {
    return sys_or<usize>(call(abi::Sys::Write, handle, ptr(buffer), length, offset));
}

SysOr<void> stat(Handle handle, abi::Stat& out) { return done(call(abi::Sys::Stat, handle, ptr(&out))); }

SysOr<usize> readdir(Handle dir, abi::DirEntry* entries, usize count, u64 first_index) {
    return sys_or<usize>(call(abi::Sys::ReadDir, dir, ptr(entries), count, first_index));
}

SysOr<void*> map(usize length, u64 flags) {
    i64 result = call(abi::Sys::Map, length, flags);
    if (raw_is_error(result)) return raw_error(result);
    return reinterpret_cast<void*>(uptr(result));
}

SysOr<void> unmap(void* address, usize length) { return done(call(abi::Sys::Unmap, ptr(address), length)); }

SysOr<void> signal(Handle process, abi::Signal signal) {
    return done(call(abi::Sys::Signal, process, u64(signal)));
}

SysOr<void> foreground(Handle terminal, const Handle* processes, usize count) {
    return done(call(abi::Sys::Foreground, terminal, ptr(processes), count));
}

SysOr<usize> poll(abi::PollItem* items, usize count, u64 timeout_ns) {
    return sys_or<usize>(call(abi::Sys::Poll, ptr(items), count, timeout_ns));
}

u64 clock() { return u64(call(abi::Sys::Clock)); }

SysOr<void> sleep(u64 ns) { return done(call(abi::Sys::Sleep, ns)); }

SysOr<void> yield() { return done(call(abi::Sys::Yield)); }

SysOr<Handle> dup(Handle handle, u32 rights) { return sys_or<Handle>(call(abi::Sys::Dup, handle, rights)); }

SysOr<void> channel_create(Handle ends[2]) { return done(call(abi::Sys::ChannelCreate, ptr(ends))); }

SysOr<void> channel_send(Handle end, const void* bytes, usize length, const Handle* handles, usize handle_count,
                         u64 timeout_ns) {
    abi::ChannelMessage message {ptr(bytes), length, ptr(handles), u32(handle_count), 0};
    return done(call(abi::Sys::ChannelSend, end, ptr(&message), timeout_ns));
}

SysOr<usize> channel_recv(Handle end, void* bytes, usize length, Handle* handles, usize* handle_count, u64 timeout_ns) {
    abi::ChannelMessage message {ptr(bytes), length, ptr(handles), handle_count ? u32(*handle_count) : 0, 0};
    i64 result = call(abi::Sys::ChannelRecv, end, ptr(&message), timeout_ns);
    if (handle_count) *handle_count = message.handle_count;
    return sys_or<usize>(result);
}

SysOr<usize> channel_call(Handle end, const void* request, usize request_length, void* reply, usize reply_room,
                          u64 timeout_ns) {
    abi::ChannelMessage out {ptr(request), request_length, 0, 0, 0};
    abi::ChannelMessage in {ptr(reply), reply_room, 0, 0, 0};
    return sys_or<usize>(call(abi::Sys::ChannelCall, end, ptr(&out), ptr(&in), timeout_ns));
}

SysOr<abi::RingHeader*> ring_setup(u32 entries) {
    i64 result = call(abi::Sys::RingSetup, entries);
    if (raw_is_error(result)) return raw_error(result);
    return reinterpret_cast<abi::RingHeader*>(uptr(result));
}

SysOr<usize> ring_enter(u32 to_submit, u32 min_complete, u64 timeout_ns) {
    return sys_or<usize>(call(abi::Sys::RingEnter, to_submit, min_complete, timeout_ns));
}

SysOr<void> mkdir(Handle dir, StringView path, u32 mode) {
    return done(call(abi::Sys::MakeDir, dir, ptr(path.data()), path.length(), mode));
}

SysOr<void> unlink(Handle dir, StringView path, u64 flags) {
    return done(call(abi::Sys::Unlink, dir, ptr(path.data()), path.length(), flags));
}

namespace {

abi::PathPair path_pair(Handle from_dir, StringView from, Handle to_dir, StringView to) {
    return abi::PathPair {from_dir, ptr(from.data()), from.length(), to_dir, ptr(to.data()), to.length()};
}

}  // namespace

SysOr<void> rename(Handle from_dir, StringView from, Handle to_dir, StringView to) {
    abi::PathPair pair = path_pair(from_dir, from, to_dir, to);
    return done(call(abi::Sys::Rename, ptr(&pair)));
}

SysOr<void> link(Handle from_dir, StringView from, Handle to_dir, StringView to) {
    abi::PathPair pair = path_pair(from_dir, from, to_dir, to);
    return done(call(abi::Sys::Link, ptr(&pair)));
}

SysOr<void> symlink(Handle dir, StringView path, StringView target) {
    return done(mote_syscall(dir, ptr(path.data()), path.length(), ptr(target.data()), target.length(), 0,
                             u64(abi::Sys::Symlink)));
}

SysOr<void> truncate(Handle file, u64 size) { return done(call(abi::Sys::Truncate, file, size)); }

SysOr<void> sync(Handle handle, u64 flags) { return done(call(abi::Sys::Sync, handle, flags)); }

SysOr<void> statfs(Handle handle, abi::FsStat& out) { return done(call(abi::Sys::StatFs, handle, ptr(&out))); }

SysOr<void> set_times(Handle file, i64 atime_ns, i64 mtime_ns) {
    return done(call(abi::Sys::SetTimes, file, u64(atime_ns), u64(mtime_ns)));
}

SysOr<Handle> socket(Handle net, abi::SocketKind kind) { return sys_or<Handle>(call(abi::Sys::Socket, net, u64(kind))); }

SysOr<void> bind(Handle socket, abi::SocketAddress address) { return done(call(abi::Sys::Bind, socket, ptr(&address))); }

SysOr<void> listen(Handle socket, u32 backlog) { return done(call(abi::Sys::Listen, socket, backlog)); }

SysOr<Handle> accept(Handle listener, abi::SocketAddress* peer, u64 timeout_ns) {
    return sys_or<Handle>(call(abi::Sys::Accept, listener, ptr(peer), timeout_ns));
}

SysOr<void> connect(Handle socket, abi::SocketAddress address, u64 timeout_ns) {
    return done(call(abi::Sys::Connect, socket, ptr(&address), timeout_ns));
}

SysOr<void> shutdown(Handle socket, u64 flags) { return done(call(abi::Sys::Shutdown, socket, flags)); }

SysOr<u64> socket_option(Handle socket, abi::SocketOption option, u64 value) {
    return sys_or<u64>(call(abi::Sys::SocketOption, socket, u64(option), value));
}

SysOr<void> socket_info(Handle socket, abi::SocketInfo& out) { return done(call(abi::Sys::SocketInfo, socket, ptr(&out))); }

}  // namespace mote::user::sys
