// Typed wrappers of every system call in abi/syscalls.hpp: one function per
// call, arguments as the ABI lists them, results as SysOr<T>.
//
//     Handle file = TRY(sys::open(dir, "etc/motd", abi::kOpenRead));
//     usize n = TRY(sys::read(file, buffer, sizeof(buffer), 0));
//
// Pointers and lengths are passed through unchecked: checking them is the
// kernel's job (the badcall program relies on that). raw() reaches a call
// by number with any registers, for the same reason.
#pragma once

#include "abi/syscalls.hpp"
#include "base/span.hpp"
#include "sys_or.hpp"

namespace mote::user {

using abi::Handle;
using abi::kNoHandle;

// A timeout that never expires, for wait() and poll().
inline constexpr u64 kForever = ~u64(0);

namespace sys {

i64 raw(u64 number, u64 a0 = 0, u64 a1 = 0, u64 a2 = 0, u64 a3 = 0, u64 a4 = 0, u64 a5 = 0);

[[noreturn]] void exit(int status);
SysOr<Handle> spawn(const abi::SpawnArgs& args);
// Ok when the child ended within `timeout_ns` (info says how); Timeout if not.
SysOr<void> wait(Handle child, abi::ExitInfo& info, u64 timeout_ns = kForever);
SysOr<Handle> open(Handle dir, StringView path, u64 flags);
SysOr<void> close(Handle handle);
SysOr<usize> read(Handle handle, void* buffer, usize length, u64 offset = abi::kCurrentOffset);
SysOr<usize> write(Handle handle, const void* buffer, usize length, u64 offset = abi::kCurrentOffset);
SysOr<void> stat(Handle handle, abi::Stat& out);
SysOr<usize> readdir(Handle dir, abi::DirEntry* entries, usize count, u64 first_index);
SysOr<void*> map(usize length, u64 flags);
SysOr<void> unmap(void* address, usize length);
SysOr<void> signal(Handle process, abi::Signal signal);
// Ctrl-C typed on `terminal` becomes Signal::Interrupt to these processes
// (count 0: the byte again). Unsupported if `terminal` is not one.
SysOr<void> foreground(Handle terminal, const Handle* processes, usize count);
SysOr<usize> poll(abi::PollItem* items, usize count, u64 timeout_ns);
u64 clock();
SysOr<void> sleep(u64 ns);
SysOr<void> yield();
// A second handle to `handle`'s object with `rights` (a subset of its own).
SysOr<Handle> dup(Handle handle, u32 rights);
// A new channel: ends[0] and ends[1], each the other's peer.
SysOr<void> channel_create(Handle ends[2]);
// Sends `bytes` and moves `handles` (they leave this process's table on
// success). timeout 0: WouldBlock when the peer's queue is full.
SysOr<void> channel_send(Handle end, const void* bytes, usize length, const Handle* handles = nullptr,
                         usize handle_count = 0, u64 timeout_ns = kForever);
// Receives the next message into `bytes` (capacity `length`) and its
// handles into `handles` (capacity `*handle_count`, then how many came).
// Returns the message's length. Overflow if either buffer is too small
// (the message stays queued); PeerClosed once the peer is gone and the
// queue is empty.
SysOr<usize> channel_recv(Handle end, void* bytes, usize length, Handle* handles = nullptr,
                          usize* handle_count = nullptr, u64 timeout_ns = kForever);
// A request and its reply in one syscall: sends `request` (never waiting:
// WouldBlock when the peer's queue is full, nothing sent), then receives
// the reply into `reply` (capacity `reply_room`) as channel_recv does.
// Returns the reply's length. Errors before the send mean nothing was sent;
// Timeout and Overflow (the reply stays queued) come after it. A server
// uses it too: the answer to one request, then the wait for the next.
SysOr<usize> channel_call(Handle end, const void* request, usize request_length, void* reply, usize reply_room,
                          u64 timeout_ns = kForever);
// The submission ring (abi::RingHeader): set up once per process.
SysOr<abi::RingHeader*> ring_setup(u32 entries);
SysOr<usize> ring_enter(u32 to_submit, u32 min_complete, u64 timeout_ns = kForever);

// Names in a filesystem: each needs kRightCreate (and kRightRead) on the
// directory handles it changes; link's source directory needs only Read.
SysOr<void> mkdir(Handle dir, StringView path, u32 mode = abi::kDefaultDirMode);
// A file, symlink or (with abi::kUnlinkDirectory) an empty directory.
SysOr<void> unlink(Handle dir, StringView path, u64 flags = 0);
SysOr<void> rename(Handle from_dir, StringView from, Handle to_dir, StringView to);
SysOr<void> link(Handle from_dir, StringView from, Handle to_dir, StringView to);
SysOr<void> symlink(Handle dir, StringView path, StringView target);
// An open file (truncate and set_times need kRightWrite on it).
SysOr<void> truncate(Handle file, u64 size);
SysOr<void> sync(Handle handle, u64 flags = 0);
SysOr<void> statfs(Handle handle, abi::FsStat& out);
SysOr<void> set_times(Handle file, i64 atime_ns, i64 mtime_ns);

// Sockets (abi::Sys::Socket ...): `net` is the network capability
// (net_cap()); the socket handle is read, written, polled and closed like
// any other. A stream socket's read() of 0 is the peer's end of stream.
SysOr<Handle> socket(Handle net, abi::SocketKind kind);
SysOr<void> bind(Handle socket, abi::SocketAddress address);
SysOr<void> listen(Handle socket, u32 backlog);
// A connected socket from `listener`'s queue; WouldBlock with timeout 0
// and nothing waiting, Timeout when `timeout_ns` passes. `peer` may be null.
SysOr<Handle> accept(Handle listener, abi::SocketAddress* peer, u64 timeout_ns = kForever);
SysOr<void> connect(Handle socket, abi::SocketAddress address, u64 timeout_ns = kForever);
SysOr<void> shutdown(Handle socket, u64 flags);
// Sets `option` to `value` (abi::kOptionQuery: only reads it); returns the
// value now in force.
SysOr<u64> socket_option(Handle socket, abi::SocketOption option, u64 value);
SysOr<void> socket_info(Handle socket, abi::SocketInfo& out);

}  // namespace sys

}  // namespace mote::user
