#include "socket/socket_table.hpp"

#include <stddef.h>

#include "core/log.hpp"

namespace mote {

namespace {

// A connection and the pages of its two rings, from one slab object: the
// TCP layer hands back only the connection, and its block is found from it.
struct ConnectionBlock {
    Bytes send_ring;
    Bytes receive_ring;
    alignas(TcpConnection) u8 storage[sizeof(TcpConnection)];
};

ConnectionBlock& block_of(TcpConnection& connection) {
    return *reinterpret_cast<ConnectionBlock*>(reinterpret_cast<u8*>(&connection) - offsetof(ConnectionBlock, storage));
}

}  // namespace

u32 socket_buffer_size(u64 requested) {
    if (requested < SocketTable::kMinBuffer) return SocketTable::kMinBuffer;
    if (requested > SocketTable::kMaxBuffer) return SocketTable::kMaxBuffer;
    return u32((requested + kPageSize - 1) / kPageSize * kPageSize);
}

SocketTable::SocketTable(NetStack& net, PageAllocator& pages)
    : m_net(net),
      m_pages(pages),
      m_stream_cache("tcp-socket", sizeof(StreamSocket), alignof(StreamSocket), pages),
      m_datagram_cache("udp-socket", sizeof(DatagramSocket), alignof(DatagramSocket), pages),
      m_ping_cache("ping-socket", sizeof(PingSocket), alignof(PingSocket), pages),
      m_connection_cache("tcp-connection", sizeof(ConnectionBlock), alignof(ConnectionBlock), pages) {
    // The kernel's own reference: the capability outlives every handle.
    m_capability.retain();
    m_net.tcp().set_source(this);
}

SocketTable::~SocketTable() {
    VERIFY_MSG(m_sockets.empty(), "socket table destroyed with open sockets");
    tcp().abandon_all();
    m_net.tcp().set_source(nullptr);
}

Result<Socket*> SocketTable::create(abi::SocketKind kind) {
    Socket* socket = nullptr;
    if (kind == abi::SocketKind::Tcp) {
        socket = TRY(create_stream());
        return socket;
    }
    if (kind == abi::SocketKind::IcmpEcho) {
        void* memory = TRY(m_ping_cache.allocate());
        auto* ping = new (memory) PingSocket(*this);
        // Each socket starts its search past the last one's identifier, so
        // a closed socket's late replies do not reach its successor.
        if (auto opened = ping->open(m_next_echo_id); opened.is_error()) {
            ping->~PingSocket();
            m_ping_cache.free(ping);
            return opened.error();
        }
        m_next_echo_id = u16(ping->echo_id() + 1);
        socket = ping;
    } else if (kind == abi::SocketKind::Udp) {
        const Bytes queue = TRY(allocate_buffer(DatagramSocket::kDefaultQueueBytes));
        auto memory = m_datagram_cache.allocate();
        if (memory.is_error()) {
            free_buffer(queue);
            return memory.error();
        }
        socket = new (memory.value()) DatagramSocket(*this, queue);
    } else {
        return Error::InvalidArgument;
    }
    m_sockets.push_back(*socket);
    ++m_stats.sockets_created;
    ++m_stats.sockets_live;
    return socket;
}

Result<StreamSocket*> SocketTable::create_stream() {
    void* memory = TRY(m_stream_cache.allocate());
    auto* socket = new (memory) StreamSocket(*this);
    m_sockets.push_back(*socket);
    ++m_stats.sockets_created;
    ++m_stats.sockets_live;
    return socket;
}

void SocketTable::free_socket(StreamSocket& socket) {
    m_sockets.remove(socket);
    --m_stats.sockets_live;
    socket.~StreamSocket();
    m_stream_cache.free(&socket);
}

void SocketTable::free_socket(DatagramSocket& socket) {
    m_sockets.remove(socket);
    --m_stats.sockets_live;
    const Bytes queue = socket.receive_queue();
    socket.~DatagramSocket();
    free_buffer(queue);
    m_datagram_cache.free(&socket);
}

void SocketTable::free_socket(PingSocket& socket) {
    m_sockets.remove(socket);
    --m_stats.sockets_live;
    socket.~PingSocket();
    m_ping_cache.free(&socket);
}

Result<Bytes> SocketTable::allocate_buffer(u32 bytes) {
    const usize count = socket_buffer_size(bytes) / kPageSize;
    const PhysAddr pages = TRY(m_pages.allocate_pages(count));
    return Bytes(static_cast<u8*>(m_pages.to_virtual(pages)), count * kPageSize);
}

void SocketTable::free_buffer(Bytes buffer) {
    if (buffer.size()) m_pages.free_pages(m_pages.to_physical(buffer.data()), buffer.size() / kPageSize);
}

TcpConnection* SocketTable::allocate_connection(Tcp& tcp, const TcpOptionsConfig& config) {
    if (m_stats.connections_live >= kMaxConnections) {
        ++m_stats.connections_refused;
        return nullptr;
    }
    auto memory = m_connection_cache.allocate();
    if (memory.is_error()) {
        ++m_stats.connections_refused;
        return nullptr;
    }
    auto* block = static_cast<ConnectionBlock*>(memory.value());
    auto send = allocate_buffer(config.send_buffer);
    auto receive = send.is_error() ? send : allocate_buffer(config.receive_buffer);
    if (receive.is_error()) {
        if (send.ok()) free_buffer(send.value());
        m_connection_cache.free(block);
        ++m_stats.connections_refused;
        return nullptr;
    }
    block->send_ring = send.value();
    block->receive_ring = receive.value();
    auto* connection = new (block->storage) TcpConnection(tcp, block->send_ring, block->receive_ring, config);
    ++m_stats.connections_made;
    ++m_stats.connections_live;
    return connection;
}

void SocketTable::release_connection(TcpConnection& connection) {
    ConnectionBlock& block = block_of(connection);
    connection.~TcpConnection();
    free_buffer(block.send_ring);
    free_buffer(block.receive_ring);
    m_connection_cache.free(&block);
    --m_stats.connections_live;
}

}  // namespace mote
