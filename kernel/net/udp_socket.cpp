#include "net/udp_socket.hpp"

#include "base/memory.hpp"
#include "core/loop.hpp"
#include "net/net_stack.hpp"

namespace mote {

namespace {
// A queued datagram's origin rides in its buffer's owner_data: the source
// port in bits 0-15, the source address in 16-47, "sent to a broadcast" in
// bit 48.
u64 pack_origin(UdpEndpoint from, Ipv4Address to) {
    return u64(from.port) | (u64(from.address.value) << 16) | (u64(to.is_broadcast()) << 48);
}
}  // namespace

UdpSocket::~UdpSocket() {
    VERIFY_MSG(m_receives.empty() && m_sends.empty(), "UDP socket destroyed with requests outstanding");
    release_all(m_queue);
    m_stack.udp().unbind(*this);
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
    PacketBuffer* packet = m_queue.pop_front();
    if (!packet) return false;
    m_stats.queued = m_queue.size();
    u64 origin = packet->owner_data;
    UdpEndpoint from {Ipv4Address {u32(origin >> 16)}, u16(origin)};
    Ipv4Address to = (origin >> 48) ? Ipv4Address::broadcast() : m_stack.config().address;
    fill(request, *packet, from, to);
    packet->release();
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

void UdpSocket::fill(UdpReceiveRequest& request, const PacketBuffer& packet, UdpEndpoint from, Ipv4Address to) {
    usize copied = min(packet.length(), request.buffer.size());
    if (copied) mem_copy(request.buffer.data(), packet.data(), copied);
    request.from = from;
    request.to = to;
    request.length = packet.length();
    request.truncated = copied < packet.length();
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
    if (Request* front = m_receives.pop_front()) {
        auto& request = static_cast<UdpReceiveRequest&>(*front);
        fill(request, packet, from, to);
        packet.release();
        m_stack.loop().complete(request);
        return;
    }
    if (m_queue.size() >= m_queue_limit) {
        ++m_stats.queue_full;
        ++m_stack.udp().counters.socket_queue_full;
        packet.release();
        return;
    }
    packet.owner_data = pack_origin(from, to);
    m_queue.push_back(packet);
    m_stats.queued = m_queue.size();
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
    release_all(m_queue);
    m_stats.queued = 0;
    m_stack.udp().unbind(*this);
    m_port = 0;
    m_peer = UdpEndpoint {};
}

}  // namespace mote
