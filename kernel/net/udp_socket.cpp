#include "net/udp_socket.hpp"

#include "base/memory.hpp"
#include "core/loop.hpp"
#include "net/net_stack.hpp"

namespace mote {

namespace {

// A queued datagram in the ring: this header, then its payload. Written
// and read whole by this file only, in host byte order.
struct QueuedHeader {
    u32 length;     // payload bytes; bit 31: sent to a broadcast address
    u32 address;    // the sender's
    u16 port;       // the sender's
    u16 reserved;
};
static_assert(sizeof(QueuedHeader) == UdpSocket::kQueuedHeader);
constexpr u32 kBroadcastMark = 1u << 31;

}  // namespace

UdpSocket::~UdpSocket() {
    VERIFY_MSG(m_receives.empty() && m_sends.empty(), "UDP socket destroyed with requests outstanding");
    m_stack.udp().unbind(*this);
}

Result<void> UdpSocket::move_receive_queue(Bytes storage) {
    if (storage.size() < m_queue.size()) return Error::Busy;
    m_queue.move_to(storage);
    return {};
}

Result<void> UdpSocket::bind(u16 port) {
    if (bound()) return Error::BadState;
    m_port = TRY(m_stack.udp().bind(*this, port));
    return {};
}

Result<void> UdpSocket::connect(UdpEndpoint peer) {
    if (peer.port == 0 || peer.address.is_zero()) return Error::InvalidArgument;
    if (!bound()) TRY(bind(0));
    m_peer = peer;
    return {};
}

Result<void> UdpSocket::receive(UdpReceiveRequest& request) {
    if (!bound()) return Error::BadState;
    request.accept(*this, m_stack.loop());
    if (take(request)) {
        m_stack.loop().complete(request);
        return {};
    }
    m_receives.push_back(request);
    return {};
}

bool UdpSocket::take(UdpReceiveRequest& request) {
    if (m_queue.empty()) return false;
    QueuedHeader header;
    m_queue.read(Bytes(reinterpret_cast<u8*>(&header), sizeof(header)));
    const usize length = header.length & ~kBroadcastMark;
    ReadonlyBytes first, second;
    m_queue.view(0, length, first, second);
    const UdpEndpoint from {Ipv4Address {header.address}, header.port};
    const Ipv4Address to = (header.length & kBroadcastMark) ? Ipv4Address::broadcast() : m_stack.config().address;
    fill(request, first, second, from, to);
    m_queue.consume(length);
    --m_stats.queued;
    return true;
}

Result<void> UdpSocket::send(UdpSendRequest& request) {
    // Decode: everything that can be known now is checked now, so an
    // accepted send only ever waits for a buffer.
    UdpEndpoint to = request.to.port ? request.to : m_peer;
    if (to.port == 0 || to.address.is_zero()) return Error::InvalidArgument;
    if (request.data.size() > Udp::kMaxPayload) return Error::Overflow;
    TRY(m_stack.ipv4().route(to.address));
    if (!bound()) TRY(bind(0));
    request.accept(*this, m_stack.loop());
    request.to = to;
    m_sends.push_back(request);
    pump_sends();
    return {};
}

void UdpSocket::pump_sends() {
    while (Request* front = m_sends.front()) {
        auto& request = static_cast<UdpSendRequest&>(*front);
        auto r = m_stack.udp().send(m_port, request.to, request.data);
        if (r.is_error() && r.error() == Error::NoMemory) return;  // wait for a buffer, in order
        m_sends.remove(request);
        if (r.is_error()) {
            m_stack.loop().complete(request, r.error());
            continue;
        }
        ++m_stats.sent;
        request.set_value(request.data.size());
        m_stack.loop().complete(request);
    }
}

void UdpSocket::retry_sends() { pump_sends(); }

// The payload comes in at most two pieces (the queue's ring may wrap).
void UdpSocket::fill(UdpReceiveRequest& request, ReadonlyBytes first, ReadonlyBytes second, UdpEndpoint from,
                     Ipv4Address to) {
    const usize length = first.size() + second.size();
    const usize copied = min(length, request.buffer.size());
    const usize head = min(copied, first.size());
    if (head) mem_copy(request.buffer.data(), first.data(), head);
    if (copied > head) mem_copy(request.buffer.data() + head, second.data(), copied - head);
    request.from = from;
    request.to = to;
    request.length = length;
    request.truncated = copied < length;
    if (request.truncated) ++m_stats.truncated;
    request.set_value(copied);
    ++m_stats.received;
}

void UdpSocket::deliver(PacketBuffer& packet, UdpEndpoint from, Ipv4Address to) {
    if (m_peer.port && !(from == m_peer)) {
        ++m_stats.filtered;
        packet.release();
        return;
    }
    const ReadonlyBytes payload(packet.data(), packet.length());
    if (Request* front = m_receives.pop_front()) {
        auto& request = static_cast<UdpReceiveRequest&>(*front);
        fill(request, payload, {}, from, to);
        packet.release();
        m_stack.loop().complete(request);
        return;
    }
    // Copied out now: the packet buffer is the device's, not the reader's.
    if (m_queue.free() < sizeof(QueuedHeader) + payload.size()) {
        ++m_stats.queue_full;
        ++m_stack.udp().counters.socket_queue_full;
        packet.release();
        return;
    }
    const QueuedHeader header {u32(payload.size()) | (to.is_broadcast() ? kBroadcastMark : 0), from.address.value,
                               from.port, 0};
    m_queue.push(ReadonlyBytes(reinterpret_cast<const u8*>(&header), sizeof(header)));
    m_queue.push(payload);
    packet.release();
    ++m_stats.queued;
    m_stats.queue_high_water = max(m_stats.queue_high_water, m_stats.queued);
}

void UdpSocket::cancel_request(Request& request) {
    if (request.provider_node.is_linked()) {
        if (m_receives.contains(request)) m_receives.remove(request);
        else m_sends.remove(request);
        m_stack.loop().complete(request, Error::Cancelled);
    }
}

void UdpSocket::close() {
    while (Request* r = m_receives.pop_front()) m_stack.loop().complete(*r, Error::Cancelled);
    while (Request* r = m_sends.pop_front()) m_stack.loop().complete(*r, Error::Cancelled);
    m_queue.consume(m_queue.size());
    m_stats.queued = 0;
    m_stack.udp().unbind(*this);
    m_port = 0;
    m_peer = UdpEndpoint {};
}

}  // namespace mote
