// UDP sockets as asynchronous requests.
//
//     UdpSocket socket(stack);
//     TRY(socket.bind(7));
//     UdpReceiveRequest rx(on_datagram, ctx);   rx.buffer = my_bytes;
//     TRY(socket.receive(rx));                  // completes with a datagram
//     UdpSendRequest tx(on_sent, ctx);          tx.data = ...; tx.to = ...;
//     TRY(socket.send(tx));                     // completes once handed on
//
// Buffers are the caller's: a receive copies the datagram into rx.buffer (a
// longer datagram is cut and marked truncated), a send copies tx.data into a
// packet buffer; either way the caller's memory is free again when the
// callback runs, as for every Request. Any number of receives and sends may
// be outstanding; each completes exactly once, in order.
//
// Datagrams that arrive while no receive is outstanding wait in the
// socket's receive queue: a byte ring over memory the socket's owner
// provides (the constructor's receive_storage), where each takes
// kQueuedHeader bytes plus its payload. They are copied there as they
// arrive and the driver's packet buffer goes back at once, so a slow
// reader holds none of the device's receive buffers: a burst the size of
// the device's ring waits here whole if the storage holds it. Past the
// storage they are dropped and counted in stats().queue_full and the
// stack's udp.socket_queue_full: backpressure is visible, never silent and
// never an allocation. Storage of zero bytes queues nothing.
//
// A send completes when its datagram is handed to the link (or waits for
// ARP); when no packet buffer is free it waits, in order, until one is.
// Validation errors (payload too large, no destination, no route) come
// back from send() itself and no completion follows.
#pragma once

#include "base/byte_ring.hpp"
#include "base/list.hpp"
#include "core/request.hpp"
#include "dev/packet_buffer.hpp"
#include "net/udp_endpoint.hpp"

namespace mote {

class NetStack;

class UdpReceiveRequest : public Request {
public:
    using Request::Request;

    Bytes buffer;            // caller-owned, filled with the payload
    // Results, valid in the callback. value() is the number of bytes copied.
    UdpEndpoint from;
    Ipv4Address to;          // our address, or 255.255.255.255 for any broadcast
    usize length = 0;        // the datagram's full payload length
    bool truncated = false;  // length > buffer.size()
};

class UdpSendRequest : public Request {
public:
    using Request::Request;

    ReadonlyBytes data;      // caller-owned until the callback runs
    UdpEndpoint to;          // port 0: the connected peer
};

struct UdpSocketStats {
    u64 received = 0;    // datagrams delivered to a receive request
    u64 sent = 0;
    u64 queue_full = 0;  // dropped: receive queue at its limit
    u64 filtered = 0;    // dropped: not from the connected peer
    u64 truncated = 0;
    usize queued = 0;    // datagrams waiting in the receive queue now
    usize queue_high_water = 0;
};

class UdpSocket final : public RequestProvider {
public:
    // What a queued datagram costs besides its payload: its length, its
    // sender's address and port, and the broadcast mark.
    static constexpr usize kQueuedHeader = 12;

    // `receive_storage` (the owner's, for the socket's whole life) is the
    // receive queue.
    UdpSocket(NetStack& stack, Bytes receive_storage) : m_stack(stack), m_queue(receive_storage) {}
    // Requests must all have completed (close() and let the loop run).
    ~UdpSocket();
    UdpSocket(const UdpSocket&) = delete;
    UdpSocket& operator=(const UdpSocket&) = delete;

    // Port 0 picks an ephemeral port. Busy if the port is taken, BadState if
    // this socket is bound already.
    Result<void> bind(u16 port);
    // Sends go to `peer` by default and only its datagrams are received.
    // Binds an ephemeral port first if needed.
    Result<void> connect(UdpEndpoint peer);
    Result<void> receive(UdpReceiveRequest& request);
    // Fills `request` (idle: not submitted) from the receive queue at once,
    // with no completion and no callback: false if nothing is queued. For
    // a reader that asks synchronously (a program's read()).
    bool take(UdpReceiveRequest& request);
    Result<void> send(UdpSendRequest& request);
    // Cancels every outstanding request (each completes with Cancelled),
    // frees the receive queue and unbinds.
    void close();

    // The queue's storage (its owner's), and how many of its bytes are in
    // use, headers included.
    Bytes receive_storage() const { return m_queue.storage(); }
    usize receive_queue_bytes() const { return m_queue.size(); }
    // Moves the queue to `storage` (a new size), queued datagrams and all;
    // Busy (nothing moved) if they would not fit. The old storage is the
    // owner's again on success.
    Result<void> move_receive_queue(Bytes storage);
    bool bound() const { return m_port != 0; }
    u16 port() const { return m_port; }
    UdpEndpoint peer() const { return m_peer; }
    const UdpSocketStats& stats() const { return m_stats; }

    // RequestProvider
    void cancel_request(Request& request) override;

    // For the UDP layer: a datagram for this socket (payload in `packet`,
    // ownership passes), and "buffers free again, retry waiting sends".
    void deliver(PacketBuffer& packet, UdpEndpoint from, Ipv4Address to);
    void retry_sends();

    ListNode table_node;

private:
    void fill(UdpReceiveRequest& request, ReadonlyBytes first, ReadonlyBytes second, UdpEndpoint from, Ipv4Address to);
    // Sends the front of the send queue while buffers last.
    void pump_sends();

    NetStack& m_stack;
    u16 m_port = 0;
    UdpEndpoint m_peer;
    RequestQueue m_receives;
    RequestQueue m_sends;
    ByteRing m_queue;  // records: see udp_socket.cpp, QueuedHeader
    UdpSocketStats m_stats;
};

}  // namespace mote
