// A UDP echo service (RFC 862) inside the stack, for the tests and the
// packet fuzzer: every datagram received on an echo port is sent back to
// where it came from, byte for byte, so a test drives UDP receive and send
// through the whole stack. (A machine's echo service is a program,
// user/programs/udpecho, started by init.)
//
// It is an ordinary user of UdpSocket. Each port keeps kSlotsPerPort
// receive requests outstanding, each with its own buffer and a paired send
// request: a slot's receive completes, its send goes out from the same
// buffer, and its completion re-arms the receive. A burst larger than the
// slots waits in the socket's receive queue (kQueueBytes, copied out of
// the packet buffers), which the re-armed receives drain in order: the service keeps up
// with a whole interrupt's batch at once and never stalls waiting for one
// datagram. What still does not fit is dropped and counted by the socket.
#pragma once

#include "net/udp.hpp"

namespace mote {

class NetStack;

class EchoService {
public:
    static constexpr usize kMaxPorts = 2;
    static constexpr usize kSlotsPerPort = 16;
    static constexpr usize kQueueBytes = 64 * 1024;

    explicit EchoService(NetStack& stack);
    EchoService(const EchoService&) = delete;
    EchoService& operator=(const EchoService&) = delete;

    // Starts echoing on `port`. Busy if the port is taken or all kMaxPorts
    // are in use.
    Result<void> start(u16 port);
    // Cancels every slot and closes the sockets.
    void stop();

    usize port_count() const;
    // The socket of port `i` (0 <= i < port_count()).
    const UdpSocket& socket(usize i) const;
    u64 echoed() const { return m_echoed; }
    u64 failed() const { return m_failed; }

private:
    struct Port;
    struct Slot {
        UdpReceiveRequest rx;
        UdpSendRequest tx;
        Port* port = nullptr;
        u8 data[Udp::kMaxPayload];
    };
    struct Port {
        Port(NetStack& stack) : socket(stack, Bytes(queue, sizeof(queue))) {}
        UdpSocket socket;
        u8 queue[kQueueBytes];
        EchoService* service = nullptr;
        bool active = false;
        Slot slots[kSlotsPerPort];
    };

    static void on_received(Request& request);
    static void on_sent(Request& request);
    void arm(Slot& slot);

    Port m_ports[kMaxPorts];
    u64 m_echoed = 0;
    u64 m_failed = 0;
};

}  // namespace mote
