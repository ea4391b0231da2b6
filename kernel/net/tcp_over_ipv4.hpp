// TcpOverIpv4: the TCP layer (net/tcp/) plugged into one NetStack. It is
// the layer's TcpLink (the loop's clock; a segment becomes an IPv4 datagram
// in a buffer from the stack's TX pool), hands received protocol-6 payloads
// to Tcp::receive, and keeps one loop Timer armed at Tcp::next_deadline().
//
// Connection memory is not the stack's business: whoever owns sockets
// (socket/socket_table.hpp) plugs in a TcpConnectionSource with
// set_source(). Until one is plugged in, a SYN finds no memory and is
// answered with RST (counted in tcp.no_connection_memory).
//
// The key for initial sequence numbers and port choice (RFC 6528, RFC
// 6056) comes from the kernel CSPRNG: at once if it is seeded when the
// stack starts, otherwise the moment it is. Until then the layer runs on
// an all-zero key (logged), which only makes ISNs guessable, not wrong.
//
// Who re-arms the timer: receive() and the timer itself do; anything else
// that drives a connection (a socket's read, write or close from a
// syscall) calls poke() afterwards. poke() costs one walk of the
// connection table.
#pragma once

#include "core/deferred.hpp"
#include "core/timer.hpp"
#include "crypto/csprng.hpp"
#include "net/ipv4.hpp"
#include "net/tcp/tcp.hpp"

namespace mote {

class NetStack;

class TcpOverIpv4 final : public TcpLink, public TcpConnectionSource {
public:
    explicit TcpOverIpv4(NetStack& stack);
    ~TcpOverIpv4();
    TcpOverIpv4(const TcpOverIpv4&) = delete;
    TcpOverIpv4& operator=(const TcpOverIpv4&) = delete;

    Tcp& tcp() { return m_tcp; }

    // Where connections come from (nullptr: nowhere; SYNs are refused).
    // The source must outlive its use: clear it before it goes away.
    void set_source(TcpConnectionSource* source) { m_source = source; }
    // Keys the layer from `csprng`, now or once it is seeded.
    void seed_from(Csprng& csprng);
    bool keyed() const { return m_keyed; }

    // Opens a connection from our address (`local_port`, 0: an ephemeral
    // one) to `remote` (from 127.0.0.1 to a loopback address). NotFound: no
    // address yet, or no route there; else as Tcp::connect.
    Result<TcpConnection*> connect(Ipv4Address remote, u16 remote_port, const TcpOptionsConfig& config,
                                   TcpUser* user, u16 local_port = 0);
    // Takes ownership of `packet` (the TCP segment, IP header pulled).
    void receive(PacketBuffer& packet, const Ipv4Info& info);
    // A connection's state may have moved outside receive() and the timer
    // (a user call): re-arm the timer for the layer's next deadline.
    void poke();
    // TX buffers are free again: connections that stopped sending for want
    // of one go on.
    void buffers_available();

    // TcpLink
    Nanoseconds now() override;
    Result<void> send_segment(const TcpTuple& tuple, const TcpSegment& segment) override;
    // TcpConnectionSource: forwarded to the plugged-in source.
    TcpConnection* allocate_connection(Tcp& tcp, const TcpOptionsConfig& config) override;
    void release_connection(TcpConnection& connection) override;

private:
    static void on_timer(Timer& timer);
    static void on_seeded(SeedWaiter& waiter);
    void rekey(Csprng& csprng);

    NetStack& m_stack;
    TcpConnectionSource* m_source = nullptr;
    Csprng* m_csprng = nullptr;
    bool m_keyed = false;
    Tcp m_tcp;
    Timer m_timer;
    SeedWaiter m_seed_waiter;
};

}  // namespace mote
