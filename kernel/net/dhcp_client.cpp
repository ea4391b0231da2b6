#include "net/dhcp_client.hpp"

#include "core/log.hpp"
#include "crypto/csprng.hpp"
#include "net/net_stack.hpp"

namespace mote {

const char* dhcp_state_name(DhcpState s) {
    switch (s) {
    case DhcpState::Stopped: return "stopped";
    case DhcpState::Selecting: return "selecting";
    case DhcpState::Requesting: return "requesting";
    case DhcpState::Bound: return "bound";
    case DhcpState::Renewing: return "renewing";
    case DhcpState::Rebinding: return "rebinding";
    }
    return "?";
}

DhcpClient::DhcpClient(NetStack& stack)
    : m_stack(stack), m_socket(stack, Bytes(m_queue, sizeof(m_queue))), m_rx(on_received, this), m_tx(on_sent, this), m_timer(on_timer, this) {
    m_rx.buffer = Bytes(m_in, sizeof(m_in));
}

DhcpClient::~DhcpClient() { m_stack.loop().cancel(m_timer); }

u32 DhcpClient::random_u32(u32 fallback) {
    auto r = kernel_csprng().next_u64();
    return r.ok() ? u32(r.value()) : fallback;
}

Result<void> DhcpClient::start() {
    if (m_state != DhcpState::Stopped) return Error::BadState;
    if (!m_socket.bound()) TRY(m_socket.bind(kDhcpClientPort));
    if (!m_rx.busy()) TRY(m_socket.receive(m_rx));
    begin_selecting();
    return {};
}

void DhcpClient::stop() {
    m_stack.loop().cancel(m_timer);
    m_state = DhcpState::Stopped;
    m_socket.close();
}

void DhcpClient::begin_selecting() {
    // A fresh transaction: replies to an older one no longer match. Without
    // a seeded CSPRNG, mix the MAC and the clock: the xid only has to be
    // unlikely to collide with another client's (RFC 2131 4.1).
    u32 fallback = m_xid * 2654435761u + u32(m_stack.now() >> 10);
    if (NetDevice* d = m_stack.device()) fallback ^= (u32(d->mac().bytes[2]) << 24) | (u32(d->mac().bytes[5]) << 8);
    m_xid = random_u32(fallback);
    m_state = DhcpState::Selecting;
    m_attempts = 0;
    m_retry = kFirstRetry;
    send(DhcpType::Discover, Ipv4Address::broadcast());
    arm_retry();
}

void DhcpClient::arm_retry() {
    // RFC 2131 4.1: doubling from 4 s to 64 s, randomized by +-1 s.
    Nanoseconds delay = m_retry;
    u32 jitter = random_u32(kSecond);  // without randomness: +0
    delay = delay - kSecond + (jitter % (2 * kSecond));
    m_stack.loop().arm_after(m_timer, delay);
    m_retry = min(m_retry * 2, kMaxRetry);
}

void DhcpClient::arm_renew_retry(Nanoseconds limit) {
    // RFC 2131 4.4.5: wait half the time left until `limit`, at least 60 s.
    Nanoseconds now = m_stack.now();
    Nanoseconds left = limit > now ? limit - now : 0;
    Nanoseconds wait = max(left / 2, kMinRenewRetry);
    m_stack.loop().arm(m_timer, min(now + wait, limit));
}

void DhcpClient::send(DhcpType type, Ipv4Address destination) {
    if (m_tx.busy()) {
        ++counters.send_failed;  // the previous message is still on its way
        return;
    }
    NetDevice* device = m_stack.device();
    if (!device) return;
    DhcpRequestFields f;
    f.type = type;
    f.xid = m_xid;
    f.client_mac = device->mac();
    if (m_state == DhcpState::Requesting) {
        f.requested_address = m_offered;
        f.server_id = m_offer_server;
    } else if (m_state == DhcpState::Renewing || m_state == DhcpState::Rebinding) {
        f.client_address = m_lease.address;  // RFC 2131 4.3.2: ciaddr, no options 50/54
    }
    usize length = build_dhcp_request(Bytes(m_out, sizeof(m_out)), f);
    m_tx.data = ReadonlyBytes(m_out, length);
    m_tx.to = UdpEndpoint {destination, kDhcpServerPort};
    if (auto r = m_socket.send(m_tx); r.is_error()) {
        ++counters.send_failed;
        return;
    }
    switch (type) {
    case DhcpType::Discover: ++counters.discovers; break;
    case DhcpType::Request: ++counters.requests; break;
    default: break;
    }
}

void DhcpClient::on_sent(Request& request) {
    if (!request.ok() && request.error() != Error::Cancelled)
        ++static_cast<DhcpClient*>(request.context())->counters.send_failed;
}

void DhcpClient::on_received(Request& request) {
    auto& self = *static_cast<DhcpClient*>(request.context());
    if (!request.ok()) return;  // cancelled: stopping
    DhcpFault fault;
    auto reply = parse_dhcp_reply(ReadonlyBytes(self.m_in, usize(request.value())), fault);
    if (reply.is_error()) {
        switch (fault) {
        case DhcpFault::Truncated: ++self.counters.truncated; break;
        case DhcpFault::BadOp: ++self.counters.bad_op; break;
        case DhcpFault::BadMagic: ++self.counters.bad_magic; break;
        case DhcpFault::OptionsOverrun: ++self.counters.options_overrun; break;
        case DhcpFault::BadOption: ++self.counters.bad_option; break;
        default: ++self.counters.missing_option; break;
        }
    } else {
        self.handle(reply.value(), self.m_rx.from);
    }
    if (self.m_state != DhcpState::Stopped && !self.m_rx.busy()) (void)self.m_socket.receive(self.m_rx);
}

void DhcpClient::handle(const DhcpReply& reply, UdpEndpoint from) {
    NetDevice* device = m_stack.device();
    if (!device || reply.xid != m_xid || !(reply.client_mac == device->mac())) {
        ++counters.bad_xid;
        return;
    }
    switch (reply.type) {
    case DhcpType::Offer:
        ++counters.offers;
        if (m_state != DhcpState::Selecting) return;  // late or duplicate offer
        if (reply.server_id.is_zero() || reply.your_address.is_zero()) {
            ++counters.missing_option;
            return;
        }
        // Take the first offer (RFC 2131 4.4.1 lets the client choose).
        m_offered = reply.your_address;
        m_offer_server = reply.server_id;
        m_state = DhcpState::Requesting;
        m_attempts = 1;
        m_retry = kFirstRetry;
        send(DhcpType::Request, Ipv4Address::broadcast());
        arm_retry();
        return;
    case DhcpType::Ack:
        ++counters.acks;
        if (m_state != DhcpState::Requesting && m_state != DhcpState::Renewing && m_state != DhcpState::Rebinding) {
            ++counters.unexpected_type;
            return;
        }
        if (!reply.has_lease || reply.your_address.is_zero()) {
            ++counters.missing_option;
            return;
        }
        take_lease(reply);
        return;
    case DhcpType::Nak:
        ++counters.naks;
        if (m_state == DhcpState::Selecting || m_state == DhcpState::Bound) return;
        log_warn("dhcp", "NAK from {}: starting over", ip_text(from.address));
        if (m_stack.config().source == ConfigSource::Dhcp) m_stack.unconfigure();
        begin_selecting();
        return;
    default: ++counters.unexpected_type; return;
    }
}

void DhcpClient::take_lease(const DhcpReply& reply) {
    Nanoseconds now = m_stack.now();
    bool renewal = m_state != DhcpState::Requesting;
    u64 lease = reply.lease_seconds;
    // Derived times when the server gives none (RFC 2131 4.4.5); a server's
    // T1/T2 are used only when they are in order.
    u64 t1 = reply.t1_seconds ? reply.t1_seconds : lease / 2;
    u64 t2 = reply.t2_seconds ? reply.t2_seconds : lease * 7 / 8;
    if (t2 > lease || t1 > t2) {
        t1 = lease / 2;
        t2 = lease * 7 / 8;
    }
    m_lease.address = reply.your_address;
    m_lease.netmask = reply.has_netmask ? reply.netmask : netmask_from_prefix(24);
    m_lease.router = reply.has_router ? reply.router : Ipv4Address {};
    m_lease.server = reply.server_id.is_zero() ? m_offer_server : reply.server_id;
    m_lease.obtained = now;
    m_lease.t1 = now + t1 * kSecond;
    m_lease.t2 = now + t2 * kSecond;
    m_lease.expires = now + lease * kSecond;
    m_state = DhcpState::Bound;
    m_stack.loop().arm(m_timer, m_lease.t1);
    const Ipv4Config& current = m_stack.config();
    if (!renewal || !(current.address == m_lease.address) || current.source != ConfigSource::Dhcp) {
        Ipv4Config config;
        config.address = m_lease.address;
        config.netmask = m_lease.netmask;
        config.gateway = m_lease.router;
        config.source = ConfigSource::Dhcp;
        m_stack.configure(config);
        log_info("dhcp", "lease {}/{} gateway {} from {} for {} s", ip_text(m_lease.address),
                 prefix_from_netmask(m_lease.netmask), ip_text(m_lease.router), ip_text(m_lease.server), lease);
    } else {
        log_debug("dhcp", "lease renewed for {} s", lease);
    }
}

void DhcpClient::on_timer(Timer& timer) {
    auto& self = *static_cast<DhcpClient*>(timer.context());
    Nanoseconds now = self.m_stack.now();
    switch (self.m_state) {
    case DhcpState::Stopped: return;
    case DhcpState::Selecting:
        self.send(DhcpType::Discover, Ipv4Address::broadcast());
        self.arm_retry();
        return;
    case DhcpState::Requesting:
        if (self.m_attempts >= kRequestAttempts) {
            self.begin_selecting();
            return;
        }
        ++self.m_attempts;
        self.send(DhcpType::Request, Ipv4Address::broadcast());
        self.arm_retry();
        return;
    case DhcpState::Bound:
        self.m_state = DhcpState::Renewing;
        ++self.counters.renewals;
        [[fallthrough]];
    case DhcpState::Renewing:
        if (now < self.m_lease.t2) {
            self.send(DhcpType::Request, self.m_lease.server);
            self.arm_renew_retry(self.m_lease.t2);
            return;
        }
        self.m_state = DhcpState::Rebinding;
        ++self.counters.rebinds;
        [[fallthrough]];
    case DhcpState::Rebinding:
        if (now < self.m_lease.expires) {
            self.send(DhcpType::Request, Ipv4Address::broadcast());
            self.arm_renew_retry(self.m_lease.expires);
            return;
        }
        ++self.counters.lease_expired;
        log_warn("dhcp", "lease on {} expired", ip_text(self.m_lease.address));
        if (self.m_stack.config().source == ConfigSource::Dhcp) self.m_stack.unconfigure();
        self.begin_selecting();
        return;
    }
}

}  // namespace mote
