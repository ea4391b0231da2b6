#include "socket/socket_report.hpp"

#include "net/ipv4_address.hpp"

namespace mote {

namespace {

const char* kind_name(u32 kind) {
    switch (abi::SocketKind(kind)) {
    case abi::SocketKind::Tcp: return "tcp";
    case abi::SocketKind::Udp: return "udp";
    case abi::SocketKind::IcmpEcho: return "ping";
    }
    return "?";
}

// a.b.c.d:port into `text` (21 characters at most); "*" stands for any
// address and, alone, for no address at all.
StringView address_text(const abi::SocketAddress& address, FixedString<24>& text) {
    text.clear();
    if (address.address) text.appendf("{}", ip_text(Ipv4Address {address.address}));
    else text.append("*");
    if (address.port) text.appendf(":{}", address.port);
    return text.view();
}

}  // namespace

const char* socket_state_name(u32 state) {
    switch (abi::SocketState(state)) {
    case abi::SocketState::Unbound: return "unbound";
    case abi::SocketState::Bound: return "bound";
    case abi::SocketState::Listening: return "listening";
    case abi::SocketState::Connecting: return "connecting";
    case abi::SocketState::Connected: return "connected";
    case abi::SocketState::PeerClosed: return "peer-closed";
    case abi::SocketState::Closed: return "closed";
    case abi::SocketState::Failed: return "failed";
    }
    return "?";
}

void write_socket_report(SocketTable& table, FormatBuffer& out) {
    const SocketTableStats& s = table.stats();
    format_append(out, "sockets {} live {} connections {} live {} refused {}\n", s.sockets_created, s.sockets_live,
                  s.connections_made, s.connections_live, s.connections_refused);
    // READABLE: bytes (tcp), datagrams (udp), replies (ping), or a
    // listener's connections waiting for accept.
    out.append("KIND STATE       LOCAL                 PEER                  READABLE  DROPPED RETRANS   BYTES_IN  BYTES_OUT\n");
    table.for_each([&](Socket& socket) {
        abi::SocketInfo info {};
        socket.info(info);
        FixedString<24> local, peer;
        format_append(out, "{:<4} {:<11} {:<21} {:<21} {:>8} {:>8} {:>7} {:>10} {:>10}\n", kind_name(info.kind),
                      socket_state_name(info.state), address_text(info.local, local), address_text(info.peer, peer),
                      info.readable, info.dropped, info.retransmits, info.bytes_in, info.bytes_out);
    });
}

}  // namespace mote
