#include "net/pinger.hpp"

#include "crypto/csprng.hpp"
#include "net/net_stack.hpp"
#include "net/wire.hpp"

namespace mote {

Pinger::Pinger(NetStack& stack) : m_stack(stack), m_timer(on_timer, this) {}

Pinger::~Pinger() {
    m_stack.loop().cancel(m_timer);
    m_stack.icmp().unlisten_echo(*this);
}

Result<void> Pinger::start(Ipv4Address destination, u32 count, const PingEvents& events) {
    if (m_active) return Error::Busy;
    if (count == 0 || count > kMaxCount) return Error::InvalidArgument;
    TRY(m_stack.ipv4().route(destination));
    m_events = events;
    m_summary = PingSummary {};
    m_summary.destination = destination;
    m_count = count;
    // A fresh identifier per session, so late replies from an earlier one
    // are not counted (Icmp keeps it apart from the ping sockets' ones).
    TRY(m_stack.icmp().listen_echo(*this, u16(kernel_csprng().next_u64().value_or(echo_id() + 0x9e37u))));
    for (bool& a : m_answered) a = false;
    m_active = true;
    send_probe();
    return {};
}

void Pinger::send_probe() {
    u16 sequence = u16(m_summary.sent);
    m_sent_at[sequence % kWindow] = m_stack.now();
    m_answered[sequence % kWindow] = false;
    ++m_summary.sent;
    // A probe that cannot go out (no buffer) is simply lost: it will show
    // as a timeout, as it would on a wire.
    (void)m_stack.icmp().send_echo_request(m_summary.destination, echo_id(), sequence, kPayload);
    m_stack.loop().arm_after(m_timer, kInterval);
}

void Pinger::on_timer(Timer& timer) {
    auto& self = *static_cast<Pinger*>(timer.context());
    u16 last = u16(self.m_summary.sent - 1);
    if (!self.m_answered[last % kWindow] && self.m_events.timeout) self.m_events.timeout(self.m_events.context, last);
    if (self.m_summary.sent < self.m_count) self.send_probe();
    else self.finish();
}

void Pinger::on_echo_reply(PacketBuffer& packet, Ipv4Address from, u8 ttl) {
    // Only the identifier was looked at; the message is at least a header.
    const u16 sequence = load_be16(packet.data() + 6);
    const usize bytes = packet.length() - Icmp::kHeaderSize;
    packet.release();
    if (!m_active || !(from == m_summary.destination)) return;
    // Only the probes still in the window, each counted once.
    if (sequence >= m_summary.sent || m_summary.sent - sequence > kWindow) return;
    if (m_answered[sequence % kWindow]) return;
    m_answered[sequence % kWindow] = true;
    PingReply reply;
    reply.from = from;
    reply.sequence = sequence;
    reply.ttl = ttl;
    reply.bytes = bytes;
    reply.rtt = m_stack.now() - m_sent_at[sequence % kWindow];
    if (m_summary.received == 0 || reply.rtt < m_summary.min_rtt) m_summary.min_rtt = reply.rtt;
    m_summary.max_rtt = max(m_summary.max_rtt, reply.rtt);
    m_summary.total_rtt += reply.rtt;
    ++m_summary.received;
    if (m_events.reply) m_events.reply(m_events.context, reply);
    // The last probe answered: no need to wait out its timeout.
    if (m_summary.sent == m_count && sequence == m_count - 1) finish();
}

void Pinger::stop() {
    if (m_active) finish();
}

void Pinger::finish() {
    m_stack.loop().cancel(m_timer);
    m_active = false;
    m_stack.icmp().unlisten_echo(*this);
    if (m_events.done) m_events.done(m_events.context, m_summary);
}

}  // namespace mote
