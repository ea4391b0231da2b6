#include "net/tcp_over_ipv4.hpp"

#include "core/log.hpp"
#include "net/net_stack.hpp"

namespace mote {

namespace {
const u8 kNoSecret[Tcp::kSecretSize] = {};
}  // namespace

TcpOverIpv4::TcpOverIpv4(NetStack& stack)
    : m_stack(stack),
      m_tcp(*this, *this, ReadonlyBytes(kNoSecret, sizeof kNoSecret)),
      m_timer(on_timer, this),
      m_seed_waiter(on_seeded, this) {}

TcpOverIpv4::~TcpOverIpv4() {
    m_stack.loop().cancel(m_timer);
    if (m_csprng && m_seed_waiter.waiting()) m_csprng->cancel_wait(m_seed_waiter);
}

void TcpOverIpv4::seed_from(Csprng& csprng) {
    if (m_keyed || m_seed_waiter.waiting()) return;
    m_csprng = &csprng;
    if (csprng.wait_until_seeded(m_seed_waiter)) {
        log_info("tcp", "no entropy yet: initial sequence numbers use a fixed key until the CSPRNG is seeded");
        return;
    }
    rekey(csprng);
}

void TcpOverIpv4::on_seeded(SeedWaiter& waiter) {
    auto& self = *static_cast<TcpOverIpv4*>(waiter.context());
    self.rekey(*self.m_csprng);
}

void TcpOverIpv4::rekey(Csprng& csprng) {
    u8 secret[Tcp::kSecretSize];
    if (csprng.generate(Bytes(secret, sizeof secret)).is_error()) return;
    m_tcp.rekey(ReadonlyBytes(secret, sizeof secret));
    mem_set(secret, 0, sizeof secret);
    m_keyed = true;
}

Result<TcpConnection*> TcpOverIpv4::connect(Ipv4Address remote, u16 remote_port, const TcpOptionsConfig& config,
                                            TcpUser* user, u16 local_port) {
    // To ourselves (127.0.0.0/8) even without an address: the Loopback.
    if (!m_stack.config().configured() && !m_stack.ipv4().is_local(remote)) return Error::NotFound;
    TRY(m_stack.ipv4().route(remote));
    TcpConnection* c =
        TRY(m_tcp.connect(m_stack.ipv4().source_for(remote), local_port, remote, remote_port, config, user));
    poke();
    return c;
}

void TcpOverIpv4::receive(PacketBuffer& packet, const Ipv4Info& info) {
    // TCP is for one host only (RFC 1122 4.2.3.10): a segment sent to a
    // broadcast address is dropped, not answered.
    if (info.to_broadcast) {
        m_tcp.counters.received++;
        m_tcp.counters.bad_address++;
        packet.release();
        return;
    }
    // Tcp::receive copies what it keeps (payload into the receive ring), so
    // the driver's buffer goes back at once.
    m_tcp.receive(packet.bytes(), info.source, info.destination, m_stack.verify_checksums());
    packet.release();
    poke();
}

void TcpOverIpv4::poke() {
    const Nanoseconds deadline = m_tcp.next_deadline();
    if (deadline == kNoDeadline) {
        m_stack.loop().cancel(m_timer);
        return;
    }
    if (m_timer.armed() && m_timer.deadline() == deadline) return;
    m_stack.loop().cancel(m_timer);
    m_stack.loop().arm(m_timer, deadline);
}

void TcpOverIpv4::buffers_available() {
    m_tcp.buffers_available();
    poke();
}

void TcpOverIpv4::on_timer(Timer& timer) {
    auto& self = *static_cast<TcpOverIpv4*>(timer.context());
    self.m_tcp.on_timer();
    self.poke();
}

Nanoseconds TcpOverIpv4::now() { return m_stack.now(); }

Result<void> TcpOverIpv4::send_segment(const TcpTuple& tuple, const TcpSegment& segment) {
    PacketBuffer* b = m_stack.tx_pool().allocate();
    if (!b) return Error::NoMemory;
    const usize length = tcp_header_size(segment.options, segment.has(tcp_flag::kSyn)) + segment.payload_length();
    auto room = b->put(length);
    if (room.is_error()) {
        b->release();
        return Error::Overflow;
    }
    if (auto w = write_tcp_segment(room.value(), segment, tuple.local, tuple.remote); w.is_error()) {
        b->release();
        return w.error();
    }
    return m_stack.ipv4().send(*b, kIpProtocolTcp, tuple.remote, tuple.local);
}

TcpConnection* TcpOverIpv4::allocate_connection(Tcp& tcp, const TcpOptionsConfig& config) {
    return m_source ? m_source->allocate_connection(tcp, config) : nullptr;
}

void TcpOverIpv4::release_connection(TcpConnection& connection) {
    VERIFY_MSG(m_source, "a TCP connection outlived its source");
    m_source->release_connection(connection);
}

}  // namespace mote
