// socket, bind, listen, accept, connect, shutdown, socket_option,
// socket_info (socket/stream_socket.hpp). read, write, poll and close are
// the generic handle calls.
#include "proc/process.hpp"
#include "socket/socket_table.hpp"
#include "syscall/syscalls.hpp"

namespace mote {

namespace {

SysResult finish(Socket::Done done) {
    if (done.parked) return Outcome::park();
    if (done.value < 0) return abi::Err(-done.value);
    return Outcome::done(u64(done.value));
}

SysOr<Socket*> socket_of(Thread& thread, u64 handle, u32 rights) {
    KernelObject* object = SYS_TRY_VALUE(handle_object(thread, handle, ObjectType::Socket, rights));
    return static_cast<Socket*>(object);
}

}  // namespace

SysResult Syscalls::sys_socket(Thread& thread, const SyscallArgs& args) {
    if (!m_sockets) return abi::Err::Unsupported;
    SYS_TRY(handle_object(thread, args.a[0], ObjectType::Network, abi::kRightWrite));
    const u64 kind = args.a[1];
    if (kind != u64(abi::SocketKind::Tcp) && kind != u64(abi::SocketKind::Udp) &&
        kind != u64(abi::SocketKind::IcmpEcho))
        return abi::Err::InvalidArgument;
    if (thread.process().handles().free_slots() == 0) return deny(thread, abi::Err::TooMany, nullptr, 0, 0);
    Socket* socket = SYS_TRY(m_sockets->create(abi::SocketKind(kind)));
    // Cannot fail: a free slot was checked and nothing ran since.
    return Outcome::done(MUST(thread.process().handles().install(*socket, kStreamRights)));
}

SysResult Syscalls::sys_bind(Thread& thread, const SyscallArgs& args) {
    Socket* socket = SYS_TRY(socket_of(thread, args.a[0], abi::kRightWrite));
    const abi::SocketAddress address = SYS_TRY(copy_in(thread, UserPtr<abi::SocketAddress> {args.a[1]}));
    SYS_TRY(socket->bind(address));
    return Outcome::done(0);
}

SysResult Syscalls::sys_listen(Thread& thread, const SyscallArgs& args) {
    Socket* socket = SYS_TRY(socket_of(thread, args.a[0], abi::kRightWrite));
    if (args.a[1] > 0xffffffffu) return abi::Err::InvalidArgument;
    SYS_TRY(socket->listen(u32(args.a[1])));
    return Outcome::done(0);
}

SysResult Syscalls::sys_accept(Thread& thread, const SyscallArgs& args) {
    Socket* socket = SYS_TRY(socket_of(thread, args.a[0], abi::kRightRead));
    const u64 peer = args.a[1];
    if (peer) SYS_TRY(check_writable(thread, peer, sizeof(abi::SocketAddress)));
    return finish(socket->accept(thread, peer, args.a[2], m_no_wait));
}

SysResult Syscalls::sys_connect(Thread& thread, const SyscallArgs& args) {
    Socket* socket = SYS_TRY(socket_of(thread, args.a[0], abi::kRightWrite));
    const abi::SocketAddress remote = SYS_TRY(copy_in(thread, UserPtr<abi::SocketAddress> {args.a[1]}));
    return finish(socket->connect(thread, remote, args.a[2], m_no_wait));
}

SysResult Syscalls::sys_shutdown(Thread& thread, const SyscallArgs& args) {
    Socket* socket = SYS_TRY(socket_of(thread, args.a[0], abi::kRightWrite));
    SYS_TRY(socket->shutdown(args.a[1]));
    return Outcome::done(0);
}

SysResult Syscalls::sys_socket_option(Thread& thread, const SyscallArgs& args) {
    const bool set = args.a[2] != abi::kOptionQuery;
    Socket* socket = SYS_TRY(socket_of(thread, args.a[0], set ? abi::kRightWrite : 0));
    return Outcome::done(SYS_TRY(socket->option(abi::SocketOption(args.a[1]), args.a[2])));
}

SysResult Syscalls::sys_socket_info(Thread& thread, const SyscallArgs& args) {
    Socket* socket = SYS_TRY(socket_of(thread, args.a[0], 0));
    abi::SocketInfo info {};
    socket->info(info);
    SYS_TRY(copy_out(thread, UserPtr<abi::SocketInfo> {args.a[1]}, info));
    return Outcome::done(0);
}

}  // namespace mote
