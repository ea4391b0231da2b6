// SocketTable: where sockets and their TCP connections come from. It owns
// the slab caches for StreamSocket, DatagramSocket and PingSocket objects
// and for TCP connections (each with
// its send and receive rings in pages sized by the socket's options; a UDP
// socket's receive queue comes from the same pages), is
// the TCP layer's TcpConnectionSource, and holds the network capability
// object handed to init.
//
// Bounds: at most kMaxConnections connections at once (accepted, opened,
// or closed by their program and finishing their handshake); past that,
// or when pages run out, a SYN is refused with RST and a connect() gets
// NoMemory, each counted.
//
// Buffers: stream sockets copy between user memory and their rings
// directly; a ping's payload crosses through one scratch buffer here (one
// syscall runs at a time per CPU, and the kernel stack is small).
#pragma once

#include "mm/slab_cache.hpp"
#include "net/net_stack.hpp"
#include "socket/datagram_socket.hpp"
#include "socket/net_capability.hpp"
#include "socket/ping_socket.hpp"
#include "socket/stream_socket.hpp"

namespace mote {

struct SocketTableStats {
    u64 sockets_created = 0;
    u64 sockets_live = 0;
    u64 connections_made = 0;
    u64 connections_live = 0;
    u64 connections_refused = 0;  // over kMaxConnections or out of pages
};

class SocketTable final : public TcpConnectionSource {
public:
    static constexpr usize kMaxConnections = 256;
    static constexpr u32 kMinBuffer = 4 * 1024;
    static constexpr u32 kMaxBuffer = 1024 * 1024;
    static constexpr usize kScratchBytes = 16 * 1024;

    SocketTable(NetStack& net, PageAllocator& pages);
    // Every socket is closed by now (the processes ended); connections
    // still finishing their handshakes are abandoned without a word.
    ~SocketTable();
    SocketTable(const SocketTable&) = delete;
    SocketTable& operator=(const SocketTable&) = delete;

    NetCapability& capability() { return m_capability; }
    NetStack& net() { return m_net; }
    Tcp& tcp() { return m_net.tcp().tcp(); }
    Bytes scratch() { return Bytes(m_scratch, kScratchBytes); }

    // A new socket of `kind`, not yet in any handle table.
    Result<Socket*> create(abi::SocketKind kind);
    Result<StreamSocket*> create_stream();
    // The sockets' destroy(): back to their caches.
    void free_socket(StreamSocket& socket);
    void free_socket(DatagramSocket& socket);
    void free_socket(PingSocket& socket);

    // A socket's buffer of `bytes` (socket_buffer_size() makes it whole
    // pages within the bounds) from the page allocator, and back.
    Result<Bytes> allocate_buffer(u32 bytes);
    void free_buffer(Bytes buffer);

    // TcpConnectionSource
    TcpConnection* allocate_connection(Tcp& tcp, const TcpOptionsConfig& config) override;
    void release_connection(TcpConnection& connection) override;

    template <typename Fn>
    void for_each(Fn&& fn) {
        for (Socket& socket : m_sockets) fn(socket);
    }
    const SocketTableStats& stats() const { return m_stats; }

private:
    NetStack& m_net;
    PageAllocator& m_pages;
    SlabCache m_stream_cache;
    SlabCache m_datagram_cache;
    SlabCache m_ping_cache;
    SlabCache m_connection_cache;
    NetCapability m_capability;
    IntrusiveList<Socket, &Socket::table_node> m_sockets;
    SocketTableStats m_stats;
    u16 m_next_echo_id = 1;  // where the next ping socket's identifier search starts
    u8 m_scratch[kScratchBytes];
};

// A buffer size as the table will make it: whole pages within the bounds.
u32 socket_buffer_size(u64 requested);

}  // namespace mote
