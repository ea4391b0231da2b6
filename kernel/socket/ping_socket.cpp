#include "socket/ping_socket.hpp"

#include "net/net_stack.hpp"
#include "net/wire.hpp"
#include "proc/abi_error.hpp"
#include "proc/process.hpp"
#include "socket/datagram_copy.hpp"
#include "socket/socket_table.hpp"

namespace mote {

namespace {


// A queued reply's buffer keeps what the IPv4 header said about it (that
// header is no longer in the window): the sender and the TTL.
u64 pack_origin(Ipv4Address from, u8 ttl) { return u64(from.value) | (u64(ttl) << 32); }
Ipv4Address origin_address(u64 packed) { return Ipv4Address {u32(packed)}; }
u8 origin_ttl(u64 packed) { return u8(packed >> 32); }

}  // namespace

PingSocket::PingSocket(SocketTable& table) : Socket(abi::SocketKind::IcmpEcho), m_table(table) {}

Result<void> PingSocket::open(u16 preferred) {
    TRY(m_table.net().icmp().listen_echo(*this, preferred));
    return {};
}

// --- setting up -------------------------------------------------------------

// The identifier is the kernel's to give (a program choosing one could
// read another's replies), so there is nothing to bind.
Result<void> PingSocket::bind(const abi::SocketAddress&) { return Error::Unsupported; }

Socket::Done PingSocket::connect(Thread&, const abi::SocketAddress& remote, Nanoseconds, bool) {
    if (remote.reserved || remote.port != 0 || remote.address == 0) return {abi_failure(abi::Err::InvalidArgument), false};
    m_peer = Ipv4Address {remote.address};
    return {0, false};
}

Result<u64> PingSocket::option(abi::SocketOption option, u64 value) {
    if (option != abi::SocketOption::ReceiveBuffer) return Error::Unsupported;
    if (value != abi::kOptionQuery) {
        if (value == 0 || value > kMaxQueue) return Error::InvalidArgument;
        // Replies queued beyond a smaller limit stay: the limit holds for
        // the arrivals from now on.
        m_queue_limit = usize(value);
    }
    return m_queue_limit;
}

void PingSocket::info(abi::SocketInfo& out) {
    out = {};
    out.kind = u32(abi::SocketKind::IcmpEcho);
    out.state = u32(m_peer.is_zero() ? abi::SocketState::Bound : abi::SocketState::Connected);
    out.local = {m_table.net().config().address.value, echo_id(), 0};
    out.peer = {m_peer.value, 0, 0};
    out.readable = m_queue.size();
    out.writable = abi::kDatagramMax;
    out.bytes_in = m_bytes_in;
    out.bytes_out = m_bytes_out;
    out.dropped = m_dropped;
}

// --- echoes -----------------------------------------------------------------

// From the Icmp, in loop context: the reply joins the queue (or is
// dropped at the bound), then a parked reader gets it at once.
void PingSocket::on_echo_reply(PacketBuffer& packet, Ipv4Address from, u8 ttl) {
    if (m_queue.size() >= m_queue_limit) {
        ++m_dropped;
        ++m_table.net().icmp().counters.echo_queue_full;
        packet.release();
        return;
    }
    packet.owner_data = pack_origin(from, ttl);
    m_queue.push_back(packet);
    serve_in_order(m_readers, [this](Thread& t) { return try_read(t, t.pending[0], t.pending[1]); });
    m_pollers.notify();
}

i64 PingSocket::try_read(Thread& thread, u64 buffer, u64 length) {
    if (length < sizeof(abi::DatagramHeader)) return abi_failure(abi::Err::InvalidArgument);
    PacketBuffer* packet = m_queue.front();
    if (!packet) return abi_failure(abi::Err::WouldBlock);
    // The Icmp checked the message holds its header.
    const u8* m = packet->data();
    const usize data = packet->length() - Icmp::kHeaderSize;
    const usize room = usize(length - sizeof(abi::DatagramHeader));
    const usize copied = data < room ? data : room;
    abi::DatagramHeader header {};
    header.peer = {origin_address(packet->owner_data).value, 0, 0};
    header.length = u32(data);
    header.sequence = load_be16(m + 6);
    header.ttl = origin_ttl(packet->owner_data);
    // A bad buffer leaves the reply queued for a read that can take it.
    const i64 written =
        write_datagram(thread.process().space(), buffer, header, ReadonlyBytes(m + Icmp::kHeaderSize, copied));
    if (written < 0) return written;
    m_queue.remove(*packet);
    packet->release();
    m_bytes_in += data;
    return written;
}

i64 PingSocket::try_write(Thread& thread, u64 buffer, u64 length) {
    AddressSpace& space = thread.process().space();
    abi::DatagramHeader header;
    const i64 payload = read_datagram_header(space, buffer, length, header);
    if (payload < 0) return payload;
    // An echo has no ports: a port, or anything in the fields only a
    // reply fills, is a mistake worth naming rather than ignoring.
    if (header.peer.port || header.peer.reserved || header.ttl || header.reserved)
        return abi_failure(abi::Err::InvalidArgument);
    const Ipv4Address to = header.peer.address ? Ipv4Address {header.peer.address} : m_peer;
    if (to.is_zero()) return abi_failure(abi::Err::InvalidArgument);
    // Through the table's scratch buffer: one syscall at a time uses it.
    Bytes scratch = m_table.scratch();
    if (space.copy_in(Span<u8>(scratch.data(), usize(payload)), buffer + sizeof(header)).is_error())
        return abi_failure(abi::Err::BadAddress);
    auto sent = m_table.net().icmp().send_echo_request(to, echo_id(), header.sequence,
                                                        ReadonlyBytes(scratch.data(), usize(payload)));
    if (sent.is_error()) return abi_failure(sent.error());
    m_bytes_out += u64(payload);
    return i64(length);
}

Result<Outcome> PingSocket::read(IoArgs& io) {
    const i64 got = try_read(io.thread, io.buffer, io.length);
    if (got == abi_failure(abi::Err::WouldBlock) && !io.no_wait) {
        io.thread.pending[0] = io.buffer;
        io.thread.pending[1] = io.length;
        m_readers.push_back(io.thread);
        io.thread.park_with_timeout("ping read", *this, kNoDeadline);
        return Outcome::park();
    }
    if (got < 0) return io.fail(got);
    return Outcome::done(u64(got));
}

Result<Outcome> PingSocket::write(IoArgs& io) {
    const i64 sent = try_write(io.thread, io.buffer, io.length);
    if (sent < 0) return io.fail(sent);
    return Outcome::done(u64(sent));
}

// --- waiting ----------------------------------------------------------------

void PingSocket::cancel_wait(Thread& thread) {
    if (thread.wait_node.is_linked() && thread.wait_object() == this) m_readers.remove(thread);
    m_pollers.unwatch(thread);
}

// Writable always: a write never waits (it sends, or fails at once).
u32 PingSocket::poll_ready(u32 events) {
    u32 ready = abi::kPollWritable;
    if (!m_queue.empty()) ready |= abi::kPollReadable;
    return ready & events;
}

Result<void> PingSocket::stat(abi::Stat& stat) {
    stat = {};
    stat.type = u32(abi::NodeType::Socket);
    stat.size = m_queue.size();
    stat.inode = id();
    return {};
}

void PingSocket::destroy() {
    m_pollers.clear();
    m_table.net().icmp().unlisten_echo(*this);
    release_all(m_queue);
    m_table.free_socket(*this);
}

}  // namespace mote
