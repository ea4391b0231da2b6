#include "socket/stream_socket.hpp"

#include "proc/abi_error.hpp"
#include "proc/audit_log.hpp"
#include "proc/process.hpp"
#include "socket/socket_table.hpp"

namespace mote {

namespace {


abi::SocketAddress to_abi_address(Ipv4Address address, u16 port) { return {address.value, port, 0}; }

}  // namespace

StreamSocket::StreamSocket(SocketTable& table) : Socket(abi::SocketKind::Tcp), m_table(table) {}

void StreamSocket::poke() { m_table.net().tcp().poke(); }

// --- setting up -------------------------------------------------------------

Result<void> StreamSocket::bind(const abi::SocketAddress& address) {
    if (m_bound_set || m_listener || m_connection) return Error::BadState;
    if (address.reserved) return Error::InvalidArgument;
    const Ipv4Address ours = m_table.net().config().address;
    if (address.address != 0 && address.address != ours.value) return Error::NotFound;
    m_bound = address;
    m_bound_set = true;
    return {};
}

Result<void> StreamSocket::listen(u32 backlog) {
    if (m_listener || m_connection) return Error::BadState;
    // Bounded: a listener's half-open connections and accept queue are
    // each at most its backlog (tcp.hpp).
    const usize queue = backlog == 0 ? 1 : backlog > 128 ? 128 : backlog;
    auto* listener = new (m_listener_storage) TcpListener(this, queue, m_config);
    auto listened = m_table.tcp().listen(*listener, Ipv4Address {m_bound.address}, m_bound_set ? m_bound.port : 0);
    if (listened.is_error()) {
        listener->~TcpListener();
        return listened.error();
    }
    m_listener = listener;
    m_bound = to_abi_address(Ipv4Address {m_bound.address}, listener->port());
    m_bound_set = true;
    return {};
}

void StreamSocket::adopt(TcpConnection& connection) {
    m_connection = &connection;
    m_config = connection.config();
    connection.set_user(this);
}

Socket::Done StreamSocket::connect(Thread& thread, const abi::SocketAddress& remote, Nanoseconds timeout,
                                         bool no_wait) {
    if (m_listener || m_connection) return {abi_failure(abi::Err::BadState), false};
    if (remote.reserved || remote.port == 0 || remote.address == 0) return {abi_failure(abi::Err::InvalidArgument), false};
    auto opened = m_table.net().tcp().connect(Ipv4Address {remote.address}, remote.port, m_config, this,
                                              m_bound_set ? m_bound.port : 0);
    if (opened.is_error()) return {abi_failure(opened.error()), false};
    m_connection = opened.value();
    poke();
    // A connection to our own address may be established already.
    const i64 now = connect_result();
    if (now != abi_failure(abi::Err::WouldBlock) || no_wait || timeout == 0) return {now, false};
    park(thread, kConnecting, 0, 0, timeout);
    return {0, true};
}

i64 StreamSocket::connect_result() const {
    if (m_connect_gave_up) return abi_failure(m_connect_error);
    const TcpConnection& c = *m_connection;
    if (c.failed()) return abi_failure(c.error());
    if (c.state() == TcpState::SynSent || c.state() == TcpState::SynReceived) return abi_failure(abi::Err::WouldBlock);
    return 0;  // established (and perhaps already closing)
}

Socket::Done StreamSocket::accept(Thread& thread, u64 peer_address, Nanoseconds timeout, bool no_wait) {
    if (!m_listener) return {abi_failure(abi::Err::BadState), false};
    const i64 got = try_accept(thread, peer_address);
    if (got != abi_failure(abi::Err::WouldBlock) || no_wait || timeout == 0) return {got, false};
    park(thread, kAccepting, peer_address, 0, timeout);
    return {0, true};
}

i64 StreamSocket::try_accept(Thread& thread, u64 peer_address) {
    if (m_listener->pending() == 0) return abi_failure(abi::Err::WouldBlock);
    HandleTable& handles = thread.process().handles();
    if (handles.free_slots() == 0) return abi_failure(deny(thread, abi::Err::TooMany, this, 0, 0));  // it stays queued
    // Everything that can fail comes before the connection leaves the queue.
    auto made = m_table.create_stream();
    if (made.is_error()) return abi_failure(made.error());
    StreamSocket& socket = *made.value();
    TcpConnection& connection = *m_listener->accept();
    socket.adopt(connection);
    const abi::Handle handle = MUST(handles.install(socket, kStreamRights));
    if (peer_address) {
        const TcpTuple& tuple = connection.tuple();
        const abi::SocketAddress peer = to_abi_address(tuple.remote, tuple.remote_port);
        // A bad pointer loses only the address: the connection is the caller's.
        (void)thread.process().space().copy_out(peer_address,
                                                 Span<const u8>(reinterpret_cast<const u8*>(&peer), sizeof(peer)));
    }
    return i64(handle);
}

Result<void> StreamSocket::shutdown(u64 flags) {
    if (flags == 0 || flags & ~u64(abi::kShutdownRead | abi::kShutdownWrite)) return Error::InvalidArgument;
    if (!m_connection) return Error::BadState;
    if (flags & abi::kShutdownRead) m_read_shut = true;
    if (flags & abi::kShutdownWrite) m_connection->shutdown_write();
    poke();
    serve_waiters();
    return {};
}

Result<u64> StreamSocket::option(abi::SocketOption option, u64 value) {
    const bool set = value != abi::kOptionQuery;
    switch (option) {
    case abi::SocketOption::NoDelay:
        if (set) {
            if (value > 1) return Error::InvalidArgument;
            m_config.nagle = value == 0;
            if (m_connection) m_connection->set_nagle(m_config.nagle);
            poke();
        }
        return u64(!m_config.nagle);
    case abi::SocketOption::KeepAlive:
        if (set) {
            if (value > 1) return Error::InvalidArgument;
            m_config.keepalive = value == 1;
            if (m_connection) m_connection->set_keepalive(m_config.keepalive);
            poke();
        }
        return u64(m_config.keepalive);
    case abi::SocketOption::SendBuffer:
        if (set) m_config.send_buffer = socket_buffer_size(value);
        return m_config.send_buffer;
    case abi::SocketOption::ReceiveBuffer:
        if (set) m_config.receive_buffer = socket_buffer_size(value);
        return m_config.receive_buffer;
    case abi::SocketOption::KeepAliveIdle:
        if (set) {
            // For connections made from here on (a live one keeps its own).
            if (value == 0 || value > 7 * 24 * 3600) return Error::InvalidArgument;
            m_config.keepalive_idle = value * kSecond;
        }
        return m_config.keepalive_idle / kSecond;
    }
    return Error::InvalidArgument;
}

void StreamSocket::info(abi::SocketInfo& out) {
    out = {};
    out.kind = u32(abi::SocketKind::Tcp);
    out.local = m_bound;
    if (m_listener) {
        out.state = u32(abi::SocketState::Listening);
        out.readable = m_listener->pending();
        return;
    }
    if (!m_connection) {
        out.state = u32(m_bound_set ? abi::SocketState::Bound : abi::SocketState::Unbound);
        return;
    }
    const TcpConnection& c = *m_connection;
    const TcpTuple& tuple = c.tuple();
    out.local = to_abi_address(tuple.local, tuple.local_port);
    out.peer = to_abi_address(tuple.remote, tuple.remote_port);
    if (c.failed() || m_connect_gave_up) {
        out.state = u32(abi::SocketState::Failed);
        out.error = i32(m_connect_gave_up ? abi_failure(m_connect_error) : abi_failure(c.error()));
    } else if (c.state() == TcpState::SynSent || c.state() == TcpState::SynReceived) {
        out.state = u32(abi::SocketState::Connecting);
    } else if (c.end_of_stream()) {
        out.state = u32(abi::SocketState::PeerClosed);
    } else if (c.connected()) {
        out.state = u32(abi::SocketState::Connected);
    } else {
        out.state = u32(abi::SocketState::Closed);
    }
    out.readable = c.readable();
    out.writable = c.writable();
    const TcpConnectionStats stats = c.stats();
    out.bytes_in = stats.bytes_in;
    out.bytes_out = stats.bytes_out;
    out.retransmits = stats.retransmits;
    out.srtt_us = stats.srtt_us;
}

// --- bytes ------------------------------------------------------------------

i64 StreamSocket::try_read(Thread& thread, u64 buffer, u64 length) {
    if (!m_connection) return abi_failure(abi::Err::BadState);
    if (m_read_shut) return 0;
    TcpConnection& c = *m_connection;
    const u64 available = c.readable();
    if (available == 0) {
        // No bytes: the connection says whether that is the end, an error
        // or "later" (a read of nothing takes nothing).
        auto status = c.read(Bytes());
        return status.is_error() ? abi_failure(status.error()) : 0;
    }
    if (length == 0) return 0;
    const u64 n = length < available ? length : available;
    AddressSpace& space = thread.process().space();
    // Straight from the ring into the program's memory; the bytes leave the
    // ring only once they are there, so a buffer it cannot reach loses none.
    ReadonlyBytes first, second;
    c.peek(usize(n), first, second);
    if (space.copy_out(buffer, first).is_error() || space.copy_out(buffer + first.size(), second).is_error())
        return abi_failure(abi::Err::BadAddress);
    c.take(usize(n));
    return i64(n);
}

i64 StreamSocket::try_write(Thread& thread, u64 buffer, u64 length) {
    if (!m_connection) return abi_failure(abi::Err::BadState);
    TcpConnection& c = *m_connection;
    if (c.writable() == 0) {
        // No room: a write of nothing tells a closed or failed connection
        // (an error now) from a full ring (wait).
        auto status = c.write(ReadonlyBytes());
        return status.is_error() ? abi_failure(status.error()) : abi_failure(abi::Err::WouldBlock);
    }
    if (length == 0) return 0;
    AddressSpace& space = thread.process().space();
    // Straight from the program's memory into the send ring's free space;
    // queued only once all of it arrived.
    const u64 room = c.writable();
    const usize n = usize(length < room ? length : room);
    Bytes first, second;
    c.reserve(n, first, second);
    if (space.copy_in(first, buffer).is_error() || space.copy_in(second, buffer + first.size()).is_error())
        return abi_failure(abi::Err::BadAddress);
    c.append(n);
    return i64(n);
}

Result<Outcome> StreamSocket::read(IoArgs& io) {
    const i64 got = try_read(io.thread, io.buffer, io.length);
    poke();  // the read may have opened the window
    if (got == abi_failure(abi::Err::WouldBlock) && !io.no_wait) {
        park(io.thread, kReading, io.buffer, io.length, kNoDeadline);
        return Outcome::park();
    }
    if (got < 0) return io.fail(got);
    return Outcome::done(u64(got));
}

Result<Outcome> StreamSocket::write(IoArgs& io) {
    const i64 sent = try_write(io.thread, io.buffer, io.length);
    poke();
    if (sent == abi_failure(abi::Err::WouldBlock) && !io.no_wait) {
        park(io.thread, kWriting, io.buffer, io.length, kNoDeadline);
        return Outcome::park();
    }
    if (sent < 0) return io.fail(sent);
    return Outcome::done(u64(sent));
}

// --- waiting ----------------------------------------------------------------

WaitList& StreamSocket::list_for(Waiting waiting) {
    switch (waiting) {
    case kReading: return m_readers;
    case kWriting: return m_writers;
    case kAccepting: return m_acceptors;
    case kConnecting: break;
    }
    return m_connectors;
}

void StreamSocket::park(Thread& thread, Waiting waiting, u64 a, u64 b, Nanoseconds timeout) {
    thread.pending[0] = a;
    thread.pending[1] = b;
    thread.pending[3] = waiting;
    list_for(waiting).push_back(thread);
    static constexpr const char* kReasons[] = {"socket read", "socket write", "socket accept", "socket connect"};
    thread.park_with_timeout(kReasons[waiting], *this, timeout);
}

void StreamSocket::serve_waiters() {
    serve_in_order(m_connectors, [this](Thread&) { return connect_result(); });
    serve_in_order(m_readers, [this](Thread& t) { return try_read(t, t.pending[0], t.pending[1]); });
    serve_in_order(m_writers, [this](Thread& t) { return try_write(t, t.pending[0], t.pending[1]); });
    if (m_listener) serve_in_order(m_acceptors, [this](Thread& t) { return try_accept(t, t.pending[0]); });
    m_pollers.notify();
}

void StreamSocket::tcp_changed(TcpConnection&) { serve_waiters(); }

void StreamSocket::tcp_accept_ready(TcpListener&) { serve_waiters(); }

void StreamSocket::cancel_wait(Thread& thread) {
    if (thread.wait_node.is_linked() && thread.wait_object() == this) {
        const auto waiting = Waiting(thread.pending[3]);
        list_for(waiting).remove(thread);
        if (waiting == kConnecting && m_connection && connect_result() == abi_failure(abi::Err::WouldBlock)) {
            // The connect timed out (or its thread is going): the attempt
            // ends here rather than succeed with nobody to tell.
            m_connect_gave_up = true;
            m_connect_error = Error::Timeout;
            m_connection->abort();
            poke();
        }
    }
    m_pollers.unwatch(thread);
}

u32 StreamSocket::poll_ready(u32 events) {
    u32 ready = 0;
    if (m_listener) {
        if (m_listener->pending()) ready |= abi::kPollReadable;
    } else if (m_connection) {
        const TcpConnection& c = *m_connection;
        const bool failed = c.failed() || m_connect_gave_up;
        // Readable: bytes, the end of the stream or an error: a read
        // returns at once.
        if (c.readable() || c.end_of_stream() || failed || m_read_shut || c.state() == TcpState::Closed)
            ready |= abi::kPollReadable;
        if (c.connected() && c.writable()) ready |= abi::kPollWritable;
        // Hangup: nothing more will ever move either way.
        if (failed || c.state() == TcpState::Closed || c.state() == TcpState::TimeWait) ready |= abi::kPollHangup;
    }
    return ready & (events | abi::kPollHangup);
}

Result<void> StreamSocket::stat(abi::Stat& stat) {
    stat = {};
    stat.type = u32(abi::NodeType::Socket);
    stat.size = m_listener ? m_listener->pending() : m_connection ? m_connection->readable() : 0;
    stat.inode = id();
    return {};
}

void StreamSocket::destroy() {
    // The last handle is gone, so no thread is parked here (a parked
    // thread's own handle holds a reference).
    m_pollers.clear();
    if (m_listener) {
        m_table.tcp().unlisten(*m_listener);
        m_listener->~TcpListener();
        m_listener = nullptr;
    }
    if (m_connection) {
        // From here the TCP layer finishes the connection and hands its
        // memory back to the table.
        m_connection->close();
        m_connection = nullptr;
    }
    poke();
    m_table.free_socket(*this);
}

}  // namespace mote
