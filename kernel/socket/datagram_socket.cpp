#include "socket/datagram_socket.hpp"

#include "net/net_stack.hpp"
#include "proc/abi_error.hpp"
#include "proc/process.hpp"
#include "socket/datagram_copy.hpp"
#include "socket/socket_table.hpp"

namespace mote {

namespace {


enum Waiting : u64 { kReading = 0, kWriting = 1 };

}  // namespace

DatagramSocket::DatagramSocket(SocketTable& table, Bytes queue)
    : Socket(abi::SocketKind::Udp),
      m_table(table),
      m_udp(table.net(), queue),
      m_rx(on_received, this),
      m_tx(on_sent, this) {}

// --- setting up -------------------------------------------------------------

Result<void> DatagramSocket::bind(const abi::SocketAddress& address) {
    if (address.reserved) return Error::InvalidArgument;
    if (address.address != 0 && address.address != m_table.net().config().address.value) return Error::NotFound;
    TRY(m_udp.bind(address.port));
    arm_receive();
    return {};
}

Result<void> DatagramSocket::ensure_bound() {
    if (!m_udp.bound()) {
        TRY(m_udp.bind(0));
        arm_receive();
    }
    return {};
}

Socket::Done DatagramSocket::connect(Thread&, const abi::SocketAddress& remote, Nanoseconds, bool) {
    if (remote.reserved || remote.port == 0 || remote.address == 0) return {abi_failure(abi::Err::InvalidArgument), false};
    auto bound = ensure_bound();
    if (bound.is_error()) return {abi_failure(bound.error()), false};
    auto connected = m_udp.connect(UdpEndpoint {Ipv4Address {remote.address}, remote.port});
    if (connected.is_error()) return {abi_failure(connected.error()), false};
    return {0, false};
}

Result<u64> DatagramSocket::option(abi::SocketOption option, u64 value) {
    if (option != abi::SocketOption::ReceiveBuffer) return Error::Unsupported;
    const Bytes old = m_udp.receive_storage();
    if (value != abi::kOptionQuery && socket_buffer_size(value) != old.size()) {
        // New pages, the waiting datagrams moved over; Busy (and nothing
        // changed) if they would not fit the smaller queue.
        const Bytes queue = TRY(m_table.allocate_buffer(socket_buffer_size(value)));
        if (auto moved = m_udp.move_receive_queue(queue); moved.is_error()) {
            m_table.free_buffer(queue);
            return moved.error();
        }
        m_table.free_buffer(old);
    }
    return m_udp.receive_storage().size();
}

void DatagramSocket::info(abi::SocketInfo& out) {
    out = {};
    out.kind = u32(abi::SocketKind::Udp);
    const UdpEndpoint peer = m_udp.peer();
    out.state = u32(peer.port ? abi::SocketState::Connected
                    : m_udp.bound() ? abi::SocketState::Bound
                                    : abi::SocketState::Unbound);
    out.local = {m_udp.bound() ? m_table.net().config().address.value : 0, m_udp.port(), 0};
    out.peer = {peer.address.value, peer.port, 0};
    out.readable = (m_staged ? 1 : 0) + m_udp.stats().queued;
    out.writable = m_tx.busy() ? 0 : abi::kDatagramMax;
    out.bytes_in = m_bytes_in;
    out.bytes_out = m_bytes_out;
    out.dropped = m_udp.stats().queue_full;
}

// --- datagrams --------------------------------------------------------------

// The receive request is armed exactly when nothing is staged or queued:
// then the next arrival completes it (and wakes a reader or poller);
// while datagrams are queued, reads take them synchronously instead, with
// no trip through the loop per datagram.
void DatagramSocket::arm_receive() {
    if (m_closing || m_staged || m_rx.busy() || !m_udp.bound() || m_udp.stats().queued) return;
    m_rx.buffer = Bytes(m_rx_buffer, sizeof(m_rx_buffer));
    (void)m_udp.receive(m_rx);  // bound, so it is accepted
}

void DatagramSocket::on_received(Request& request) {
    auto& self = *static_cast<DatagramSocket*>(request.context());
    if (self.m_closing) {
        self.maybe_free();
        return;
    }
    if (!request.ok()) return;  // cancelled by a close
    self.m_staged = true;
    self.serve_waiters();
}

void DatagramSocket::on_sent(Request& request) {
    auto& self = *static_cast<DatagramSocket*>(request.context());
    if (self.m_closing) {
        self.maybe_free();
        return;
    }
    self.serve_waiters();
}

i64 DatagramSocket::try_read(Thread& thread, u64 buffer, u64 length) {
    if (!m_udp.bound()) return abi_failure(abi::Err::BadState);
    if (length < sizeof(abi::DatagramHeader)) return abi_failure(abi::Err::InvalidArgument);
    if (!m_staged && !m_rx.busy()) {
        m_rx.buffer = Bytes(m_rx_buffer, sizeof(m_rx_buffer));
        m_staged = m_udp.take(m_rx);
    }
    if (!m_staged) {
        arm_receive();  // the reader parks: the next arrival must reach it
        return abi_failure(abi::Err::WouldBlock);
    }
    const usize payload = usize(m_rx.value());
    const usize room = usize(length - sizeof(abi::DatagramHeader));
    const usize copied = payload < room ? payload : room;
    abi::DatagramHeader header {};
    header.peer = {m_rx.from.address.value, m_rx.from.port, 0};
    header.length = u32(m_rx.length);
    const i64 written = write_datagram(thread.process().space(), buffer, header, ReadonlyBytes(m_rx_buffer, copied));
    if (written < 0) return written;
    m_bytes_in += m_rx.length;
    m_staged = false;
    arm_receive();
    return written;
}

i64 DatagramSocket::try_write(Thread& thread, u64 buffer, u64 length) {
    AddressSpace& space = thread.process().space();
    abi::DatagramHeader header;
    const i64 payload = read_datagram_header(space, buffer, length, header);
    if (payload < 0) return payload;
    UdpEndpoint to {Ipv4Address {header.peer.address}, header.peer.port};
    if (header.peer.address == 0 && header.peer.port == 0) to = m_udp.peer();
    if (to.port == 0 || to.address.is_zero() || header.peer.reserved) return abi_failure(abi::Err::InvalidArgument);
    // One datagram waits for a buffer at most; later ones wait behind it,
    // in order.
    if (m_tx.busy()) return abi_failure(abi::Err::WouldBlock);
    if (auto bound = ensure_bound(); bound.is_error()) return abi_failure(bound.error());
    if (space.copy_in(Span<u8>(m_tx_buffer, usize(payload)), buffer + sizeof(header)).is_error())
        return abi_failure(abi::Err::BadAddress);
    const ReadonlyBytes data(m_tx_buffer, usize(payload));
    auto sent = m_table.net().udp().send(m_udp.port(), to, data);
    if (sent.is_error() && sent.error() == Error::NoMemory) {
        // No transmit buffer now: the datagram waits in the request, and
        // the write is done as far as the program is concerned.
        m_tx.data = data;
        m_tx.to = to;
        if (auto queued = m_udp.send(m_tx); queued.is_error()) return abi_failure(queued.error());
    } else if (sent.is_error()) {
        return abi_failure(sent.error());
    }
    m_bytes_out += u64(payload);
    return i64(length);
}

Result<Outcome> DatagramSocket::read(IoArgs& io) {
    const i64 got = try_read(io.thread, io.buffer, io.length);
    if (got == abi_failure(abi::Err::WouldBlock) && !io.no_wait) {
        io.thread.pending[0] = io.buffer;
        io.thread.pending[1] = io.length;
        io.thread.pending[3] = kReading;
        m_readers.push_back(io.thread);
        io.thread.park_with_timeout("datagram read", *this, kNoDeadline);
        return Outcome::park();
    }
    if (got < 0) return io.fail(got);
    return Outcome::done(u64(got));
}

Result<Outcome> DatagramSocket::write(IoArgs& io) {
    const i64 sent = try_write(io.thread, io.buffer, io.length);
    if (sent == abi_failure(abi::Err::WouldBlock) && !io.no_wait) {
        io.thread.pending[0] = io.buffer;
        io.thread.pending[1] = io.length;
        io.thread.pending[3] = kWriting;
        m_writers.push_back(io.thread);
        io.thread.park_with_timeout("datagram write", *this, kNoDeadline);
        return Outcome::park();
    }
    if (sent < 0) return io.fail(sent);
    return Outcome::done(u64(sent));
}

// --- waiting ----------------------------------------------------------------

void DatagramSocket::serve_waiters() {
    serve_in_order(m_readers, [this](Thread& t) { return try_read(t, t.pending[0], t.pending[1]); });
    serve_in_order(m_writers, [this](Thread& t) { return try_write(t, t.pending[0], t.pending[1]); });
    m_pollers.notify();
}

void DatagramSocket::cancel_wait(Thread& thread) {
    if (thread.wait_node.is_linked() && thread.wait_object() == this)
        (thread.pending[3] == kWriting ? m_writers : m_readers).remove(thread);
    m_pollers.unwatch(thread);
}

u32 DatagramSocket::poll_ready(u32 events) {
    u32 ready = 0;
    if (m_staged || m_udp.stats().queued) ready |= abi::kPollReadable;
    if (!m_tx.busy()) ready |= abi::kPollWritable;
    return ready & events;
}

Result<void> DatagramSocket::stat(abi::Stat& stat) {
    stat = {};
    stat.type = u32(abi::NodeType::Socket);
    stat.size = (m_staged ? 1 : 0) + m_udp.stats().queued;
    stat.inode = id();
    return {};
}

void DatagramSocket::destroy() {
    m_pollers.clear();
    m_closing = true;
    // Outstanding requests complete (cancelled) on the loop; the object
    // goes back when the last of them has.
    m_udp.close();
    maybe_free();
}

void DatagramSocket::maybe_free() {
    if (!m_closing || m_rx.busy() || m_tx.busy()) return;
    m_table.free_socket(*this);
}

}  // namespace mote
