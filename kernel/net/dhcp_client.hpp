// The DHCP client (RFC 2131): gets an address, a netmask and a default
// gateway, and keeps the lease.
//
//   Selecting ──OFFER──▶ Requesting ──ACK──▶ Bound ──T1──▶ Renewing ──T2──▶ Rebinding
//       ▲                   │ NAK / no answer                 │ ACK: Bound      │ ACK: Bound
//       └───────────────────┴──────────── NAK, or the lease expires ───────────┘
//
// * DISCOVER and the selecting REQUEST are broadcast from 0.0.0.0; they are
//   retransmitted after 4, 8, 16, 32, then every 64 seconds (RFC 2131 4.1),
//   each delay moved by up to a second at random when the CSPRNG is ready.
// * Renewing unicasts a REQUEST to the server that granted the lease at T1
//   (default half the lease), rebinding broadcasts one at T2 (default 7/8);
//   in both, retries come after half the time left, at least 60 s (RFC 2131
//   4.4.5). When the lease runs out the address is dropped and the client
//   starts again.
// * It does not ARP-probe the offered address before using it (the RFC's
//   SHOULD in 4.4.1); the gratuitous ARP on configuration at least makes a
//   conflict visible in the log.
//
// The client talks through an ordinary UdpSocket on port 68 with one
// receive outstanding; replies with the wrong transaction id, for another
// MAC or malformed are dropped with named counters.
#pragma once

#include "core/timer.hpp"
#include "net/dhcp_message.hpp"
#include "net/net_counters.hpp"
#include "net/udp.hpp"

namespace mote {

class NetStack;

enum class DhcpState : u8 { Stopped, Selecting, Requesting, Bound, Renewing, Rebinding };
const char* dhcp_state_name(DhcpState);

struct DhcpLease {
    Ipv4Address address;
    Ipv4Address netmask;
    Ipv4Address router;
    Ipv4Address server;
    Nanoseconds obtained = 0;  // loop time of the ACK
    Nanoseconds t1 = 0;        // loop times, absolute
    Nanoseconds t2 = 0;
    Nanoseconds expires = 0;
};

class DhcpClient {
public:
    static constexpr Nanoseconds kFirstRetry = 4 * kSecond;
    static constexpr Nanoseconds kMaxRetry = 64 * kSecond;
    static constexpr Nanoseconds kMinRenewRetry = 60 * kSecond;
    static constexpr u32 kRequestAttempts = 4;

    explicit DhcpClient(NetStack& stack);
    ~DhcpClient();
    DhcpClient(const DhcpClient&) = delete;
    DhcpClient& operator=(const DhcpClient&) = delete;

    // Binds port 68 and sends the first DISCOVER.
    Result<void> start();
    // Stops (keeps any address the stack has; the caller decides).
    void stop();

    DhcpState state() const { return m_state; }
    bool bound() const { return m_state == DhcpState::Bound || m_state == DhcpState::Renewing || m_state == DhcpState::Rebinding; }
    const DhcpLease& lease() const { return m_lease; }
    u32 xid() const { return m_xid; }

    DhcpCounters counters;

private:
    static void on_timer(Timer& timer);
    static void on_received(Request& request);
    static void on_sent(Request& request);

    void handle(const DhcpReply& reply, UdpEndpoint from);
    void begin_selecting();
    void send(DhcpType type, Ipv4Address destination);
    void arm_retry();
    void arm_renew_retry(Nanoseconds limit);
    void take_lease(const DhcpReply& reply);
    u32 random_u32(u32 fallback);

    NetStack& m_stack;
    UdpSocket m_socket;
    UdpReceiveRequest m_rx;
    UdpSendRequest m_tx;
    Timer m_timer;
    DhcpState m_state = DhcpState::Stopped;
    DhcpLease m_lease;
    Ipv4Address m_offered;
    Ipv4Address m_offer_server;
    u32 m_xid = 0;
    u32 m_attempts = 0;
    Nanoseconds m_retry = kFirstRetry;
    u8 m_in[Udp::kMaxPayload];
    u8 m_out[kDhcpMinimumSize + 64];
    // Replies that arrive while m_rx is being handled (other servers'
    // offers, junk): room for eight of the largest a server sends unasked
    // (a 576-byte IP datagram, RFC 2131 2), more are dropped and counted.
    u8 m_queue[8 * (UdpSocket::kQueuedHeader + 576 - 28)];
};

}  // namespace mote
