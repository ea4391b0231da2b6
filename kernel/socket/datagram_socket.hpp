// DatagramSocket: a UDP socket as a handle (abi::Sys::Socket with
// SocketKind::Udp), over the stack's UdpSocket (net/udp_socket.hpp).
//
// A read() takes one datagram: an abi::DatagramHeader (who sent it, how
// long it was) then its payload, cut to the buffer. A write() sends one:
// the header names the destination (zero: the connect()ed peer), the
// payload follows, at most abi::kDatagramMax bytes. An unbound socket gets
// an ephemeral port at its first write or connect.
//
// Receiving: a receive request into a one-datagram staging buffer here,
// armed while nothing waits; datagrams behind it wait in the UdpSocket's
// queue, copied out of the driver's buffers as they arrive, and a read
// takes them from there at once. The queue is pages of its own
// (kDefaultQueueBytes unless the ReceiveBuffer option says otherwise,
// each datagram costing its payload plus UdpSocket::kQueuedHeader), so a
// burst as large as the device's receive ring waits whole, and a slow
// reader costs drops counted in udp.socket_queue_full, never the device's
// buffers. A reader parks until a datagram is staged.
//
// Sending goes straight to the UDP layer; only when no transmit buffer is
// free does the datagram wait, copied into a send request here, and a
// second write parks until that one is handed on.
//
// Ownership: the object comes from the SocketTable's slab and goes back
// after the last handle closes and the UdpSocket has completed (cancelled)
// its outstanding requests, which it does on the loop.
#pragma once

#include "net/udp_socket.hpp"
#include "proc/poller_set.hpp"
#include "proc/wait_list.hpp"
#include "socket/socket.hpp"

namespace mote {

class SocketTable;

class DatagramSocket final : public Socket {
public:
    // The queue for datagrams waiting behind the staged one: a burst of
    // virtio-net's whole receive ring (128 frames) of payloads up to 500
    // bytes fits. Linux's default is about 200 KiB.
    static constexpr u32 kDefaultQueueBytes = 64 * 1024;

    // `queue` (pages from the table) is the receive queue's storage; the
    // table takes it back (receive_queue()) when the socket is freed.
    DatagramSocket(SocketTable& table, Bytes queue);
    Bytes receive_queue() const { return m_udp.receive_storage(); }

    // Socket
    Result<void> bind(const abi::SocketAddress& address) override;
    Done connect(Thread& thread, const abi::SocketAddress& remote, Nanoseconds timeout, bool no_wait) override;
    Result<u64> option(abi::SocketOption option, u64 value) override;
    void info(abi::SocketInfo& out) override;

    // KernelObject
    Result<Outcome> read(IoArgs& io) override;
    Result<Outcome> write(IoArgs& io) override;
    Result<void> stat(abi::Stat& stat) override;
    u32 poll_ready(u32 events) override;
    void watch(Thread& thread) override { m_pollers.watch(thread); }
    void unwatch(Thread& thread) override { m_pollers.unwatch(thread); }
    void cancel_wait(Thread& thread) override;

private:
    void destroy() override;
    static void on_received(Request& request);
    static void on_sent(Request& request);

    Result<void> ensure_bound();
    void arm_receive();
    // Performs a read or write now: -WouldBlock when it would wait.
    i64 try_read(Thread& thread, u64 buffer, u64 length);
    i64 try_write(Thread& thread, u64 buffer, u64 length);
    void serve_waiters();
    // Back to the table once closed and nothing is outstanding.
    void maybe_free();

    SocketTable& m_table;
    UdpSocket m_udp;
    UdpReceiveRequest m_rx;
    UdpSendRequest m_tx;
    bool m_staged = false;   // m_rx holds a datagram nobody has read
    bool m_closing = false;  // the last handle is gone
    u64 m_bytes_in = 0;
    u64 m_bytes_out = 0;
    WaitList m_readers;
    WaitList m_writers;
    PollerSet m_pollers;  // threads in poll() on this object
    u8 m_rx_buffer[abi::kDatagramMax];
    u8 m_tx_buffer[abi::kDatagramMax];
};

}  // namespace mote
