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
// bounded queue, and a read takes them from there at once
// (the packet buffers themselves, kDefaultQueue of them unless the
// ReceiveBuffer option says otherwise), so a slow reader costs drops
// counted in udp.socket_queue_full, never memory. A reader parks until a datagram is
// staged.
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
#include "proc/thread.hpp"
#include "socket/socket.hpp"

namespace mote {

class SocketTable;

class DatagramSocket final : public Socket {
public:
    // Datagrams that may wait behind the staged one. They hold the
    // driver's receive buffers (virtio-net has 128), and a burst arrives
    // in one batch: deep enough for a burst, shallow enough to leave the
    // driver buffers to refill its ring.
    static constexpr usize kDefaultQueue = 64;
    static constexpr usize kMaxQueue = 96;

    explicit DatagramSocket(SocketTable& table);

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
    IntrusiveList<Thread, &Thread::wait_node> m_readers;
    IntrusiveList<Thread, &Thread::wait_node> m_writers;
    PollerSet m_pollers;  // threads in poll() on this object
    u8 m_rx_buffer[abi::kDatagramMax];
    u8 m_tx_buffer[abi::kDatagramMax];
};

}  // namespace mote
