// channel_create, channel_send, channel_recv, channel_call (ipc/channel.hpp).
#include "ipc/channel.hpp"
#include "proc/process.hpp"
#include "syscall/syscalls.hpp"

namespace mote {

namespace {

SysResult finish(ChannelEnd::Done done) {
    if (done.parked) return Outcome::park();
    if (done.value < 0) return abi::Err(-done.value);
    return Outcome::done(u64(done.value));
}

}  // namespace

SysResult Syscalls::sys_channel_create(Thread& thread, const SyscallArgs& args) {
    if (!m_channels) return abi::Err::Unsupported;
    u64 out = args.a[0];
    SYS_TRY(check_writable(thread, out, 2 * sizeof(abi::Handle)));
    HandleTable& table = thread.process().handles();
    if (table.free_slots() < 2) return deny(thread, abi::Err::TooMany, nullptr, 0, 0);
    Channel* channel = SYS_TRY(m_channels->create());
    // Cannot fail: two free slots were checked and nothing ran since.
    abi::Handle ends[2] = {MUST(table.install(channel->end(0), kChannelRights)),
                           MUST(table.install(channel->end(1), kChannelRights))};
    SYS_TRY(copy_to_user(thread, out, Span<const u8>(reinterpret_cast<const u8*>(ends), sizeof(ends))));
    return Outcome::done(0);
}

SysResult Syscalls::sys_channel_send(Thread& thread, const SyscallArgs& args) {
    auto* end = static_cast<ChannelEnd*>(SYS_TRY(handle_object(thread, args.a[0], ObjectType::Channel, abi::kRightWrite)));
    return finish(end->send(thread, args.a[1], args.a[2], m_no_wait));
}

SysResult Syscalls::sys_channel_recv(Thread& thread, const SyscallArgs& args) {
    auto* end = static_cast<ChannelEnd*>(SYS_TRY(handle_object(thread, args.a[0], ObjectType::Channel, abi::kRightRead)));
    return finish(end->receive(thread, args.a[1], args.a[2], m_no_wait));
}

SysResult Syscalls::sys_channel_call(Thread& thread, const SyscallArgs& args) {
    // Never reached from the ring: Syscalls::ring_run refuses the op (its
    // entries never wait, and a call is a send and a wait).
    auto* end = static_cast<ChannelEnd*>(
        SYS_TRY(handle_object(thread, args.a[0], ObjectType::Channel, abi::kRightRead | abi::kRightWrite)));
    return finish(end->call(thread, args.a[1], args.a[2], args.a[3]));
}

}  // namespace mote
