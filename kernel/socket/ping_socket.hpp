// PingSocket: ICMP echo as a handle (abi::Sys::Socket with
// SocketKind::IcmpEcho), a "ping socket" any program holding the network
// capability may make: it can send echo requests and read the replies
// meant for it, and nothing else of ICMP.
//
// Identity: at creation the socket takes an echo identifier of its own
// from the Icmp (Icmp::listen_echo), and every request it sends carries
// it; the Icmp hands back the replies with that identifier, so two ping
// sockets never see each other's replies. The
// sequence number is the program's (DatagramHeader::sequence): a program
// matches replies to its probes itself, as ping does.
//
// A write() sends one request straight to the ICMP layer and never waits:
// no free transmit buffer is NoMemory (the probe was not sent), which a
// ping reports like a lost probe. A read() takes one reply: the header
// (who answered, the data's length, sequence, TTL) then the data, cut to
// the buffer; a reader parks until one arrives.
//
// Receiving costs no copy in the kernel: the reply's packet buffer itself
// waits in a queue here, bounded by the ReceiveBuffer option (kDefaultQueue
// unless set); past it a reply is dropped and counted (dropped() and
// icmp.echo_queue_full), so a program that never reads holds a few
// buffers, never more.
//
// Ownership: the object comes from the SocketTable's slab and goes back
// as soon as the last handle closes: it has no requests outstanding, and
// unhooking it from the Icmp is immediate.
#pragma once

#include "dev/packet_buffer.hpp"
#include "net/icmp.hpp"
#include "proc/poller_set.hpp"
#include "proc/wait_list.hpp"
#include "socket/socket.hpp"

namespace mote {

class SocketTable;

class PingSocket final : public Socket, public EchoReplyListener {
public:
    // Replies queued: enough for a ping flooding a slow reader to show
    // drops rather than hold the driver's receive buffers.
    static constexpr usize kDefaultQueue = 16;
    static constexpr usize kMaxQueue = 64;

    explicit PingSocket(SocketTable& table);
    // Takes an echo identifier (the first free one from `preferred` on);
    // Busy if none is free. Done once, by the table, before any use.
    Result<void> open(u16 preferred);

    // Socket
    Result<void> bind(const abi::SocketAddress& address) override;
    // Sets the default destination (port 0): a write with a zero peer
    // goes there. Replies from others still arrive.
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

    // EchoReplyListener
    void on_echo_reply(PacketBuffer& packet, Ipv4Address from, u8 ttl) override;

    usize queued() const { return m_queue.size(); }
    u64 dropped() const { return m_dropped; }

private:
    void destroy() override;

    // Performs a read or write now: -WouldBlock when a read would wait.
    i64 try_read(Thread& thread, u64 buffer, u64 length);
    i64 try_write(Thread& thread, u64 buffer, u64 length);

    SocketTable& m_table;
    Ipv4Address m_peer;  // connect()ed default destination, or zero
    usize m_queue_limit = kDefaultQueue;
    PacketList m_queue;  // owner_data: the sender and TTL (ping_socket.cpp)
    u64 m_dropped = 0;
    u64 m_bytes_in = 0;
    u64 m_bytes_out = 0;
    WaitList m_readers;
    PollerSet m_pollers;  // threads in poll() on this object
};

}  // namespace mote
