// StreamSocket: a TCP socket as a handle (abi::Sys::Socket with
// SocketKind::Tcp). One object plays whichever role the program gives it:
//
//   fresh ── bind ──▶ bound ── listen ──▶ listening (a TcpListener inside)
//     │                  │                    │ accept
//     └──── connect ─────┴──▶ a connection ◀──┘ (a new StreamSocket)
//
// A connection's socket is read and written like a pipe: read() copies out
// what has arrived in order (0 at the peer's end of stream), write()
// copies in what fits the send ring and returns that count; each parks
// only when it can do nothing at all. accept() and connect() park too, up
// to their timeouts (0: answer WouldBlock at once; for connect that means
// "started": poll for writable or hangup, then socket_info says how it
// went).
//
// Waiting follows the kernel's split (ipc/channel.hpp): a thread that must
// wait parks on the socket with its request in Thread::pending; when the
// connection reports progress (TcpUser::tcp_changed, from the network
// loop) the socket finishes the front waiter's request in its address
// space and wakes it. After anything a program does to a connection the
// socket pokes the TCP layer, which re-arms its timer.
//
// Ownership: the object comes from its SocketTable's slab and goes back
// when the last handle closes (destroy): a listener stops listening
// (connections not yet accepted are reset), a connection is closed (FIN
// after the queued bytes, or RST if received bytes were never read) and
// then belongs to the TCP layer until its handshake ends, when the layer
// hands its memory back to the table.
#pragma once

#include "net/tcp/tcp.hpp"
#include "proc/poller_set.hpp"
#include "proc/wait_list.hpp"
#include "socket/socket.hpp"

namespace mote {

class SocketTable;

class StreamSocket final : public Socket, public TcpUser, public TcpListenerUser {
public:
    explicit StreamSocket(SocketTable& table);

    // Socket
    Result<void> bind(const abi::SocketAddress& address) override;
    Result<void> listen(u32 backlog) override;
    Done accept(Thread& thread, u64 peer_address, Nanoseconds timeout, bool no_wait) override;
    Done connect(Thread& thread, const abi::SocketAddress& remote, Nanoseconds timeout, bool no_wait) override;
    Result<void> shutdown(u64 flags) override;
    Result<u64> option(abi::SocketOption option, u64 value) override;
    void info(abi::SocketInfo& out) override;

    // KernelObject
    Result<Outcome> read(IoArgs& io) override;
    Result<Outcome> write(IoArgs& io) override;
    Result<void> stat(abi::Stat& stat) override;
    u32 poll_ready(u32 events) override;
    void watch(Thread& thread) override { m_pollers.watch(thread); }
    void unwatch(Thread& thread) override { m_pollers.unwatch(thread); }
    void cancel_wait(Thread& thread) override;

    // TcpUser, TcpListenerUser: progress on the connection or listener.
    void tcp_changed(TcpConnection& connection) override;
    void tcp_accept_ready(TcpListener& listener) override;

    // For the table: an accepted connection becomes this socket's.
    void adopt(TcpConnection& connection);
    bool listening() const { return m_listener != nullptr; }
    TcpConnection* connection() const { return m_connection; }

private:
    void destroy() override;

    // Which list a parked thread is on (pending[3]).
    enum Waiting : u64 { kReading = 0, kWriting = 1, kAccepting = 2, kConnecting = 3 };
    // The requests, done now if they can be: -WouldBlock when they would wait.
    i64 try_read(Thread& thread, u64 buffer, u64 length);
    i64 try_write(Thread& thread, u64 buffer, u64 length);
    i64 try_accept(Thread& thread, u64 peer_address);
    i64 connect_result() const;
    WaitList& list_for(Waiting waiting);
    void park(Thread& thread, Waiting waiting, u64 a, u64 b, Nanoseconds timeout);
    // Finishes what parked threads wait for, as far as it can now.
    void serve_waiters();
    // The TCP layer re-arms its timer after a program's call.
    void poke();

    SocketTable& m_table;
    TcpOptionsConfig m_config;   // for the connections it makes or accepts
    abi::SocketAddress m_bound {};  // address and port asked by bind()
    bool m_bound_set = false;
    bool m_read_shut = false;
    Error m_connect_error = Error::InvalidArgument;  // set when a connect wait gave up
    bool m_connect_gave_up = false;
    TcpListener* m_listener = nullptr;  // in m_listener_storage while listening
    alignas(TcpListener) u8 m_listener_storage[sizeof(TcpListener)];
    TcpConnection* m_connection = nullptr;
    WaitList m_readers;
    WaitList m_writers;
    WaitList m_acceptors;
    WaitList m_connectors;
    PollerSet m_pollers;  // threads in poll() on this object
};

}  // namespace mote
