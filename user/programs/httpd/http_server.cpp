#include "http_server.hpp"

#include "base/memory.hpp"
#include "heap.hpp"
#include "http_response.hpp"
#include "http_status.hpp"

namespace mote::httpd {

namespace {

constexpr u64 kWaitForever = ~u64(0);

// In httpd a connection comes from the process heap, which gives larger
// blocks a mapping of their own (map and unmap, pages zeroed, for every
// connection); this size comes from its arenas.
static_assert(sizeof(Connection) < user::Heap::kLargeBytes);

}  // namespace

usize write_overload_response(i64 now, Span<char> out) {
    constexpr StringView kBody = "503 Service Unavailable\n";
    ResponseHead head;
    head.status = status::kServiceUnavailable;
    head.date = now;
    head.has_content_length = true;
    head.content_length = kBody.length();
    head.content_type = "text/plain; charset=utf-8";
    head.connection = ConnectionField::Close;
    auto written = write_response_head(head, out);
    usize length = 0;
    if (written.ok()) {
        length = written.value();
    } else {
        head.date = -1;  // a clock that cannot be written: no Date rather than no answer
        auto undated = write_response_head(head, out);
        if (undated.is_error()) return 0;
        length = undated.value();
    }
    if (out.size() - length < kBody.length()) return 0;
    mem_copy(out.data() + length, kBody.data(), kBody.length());
    return length + kBody.length();
}

HttpServer::HttpServer(ServerHost& host, FileSource& files, SocketId listener, const ServerConfig& config)
    : m_host(host), m_files(files), m_listener(listener), m_config(config) {
    m_config.max_connections = min(m_config.max_connections, kMaxConnections);
}

HttpServer::~HttpServer() {
    while (m_count > 0) remove(m_count - 1);
}

u64 HttpServer::next_deadline() const {
    u64 at = kNoDeadline;
    for (usize i = 0; i < m_count; ++i) at = min(at, m_slots[i].connection->deadline());
    if (m_accept_paused_until != 0) at = min(at, m_accept_paused_until);
    return at;
}

bool HttpServer::run_once() {
    Time now = m_host.now();
    if (m_accept_paused_until != 0 && now.monotonic_ns >= m_accept_paused_until) m_accept_paused_until = 0;
    const bool accepting = m_accept_paused_until == 0;
    m_items[0] = {m_listener, accepting ? u32(abi::kPollReadable) : 0u, 0, 0};
    for (usize i = 0; i < m_count; ++i) {
        const Connection& connection = *m_slots[i].connection;
        u32 events = 0;
        if (connection.wants_read()) events |= abi::kPollReadable;
        if (connection.wants_write()) events |= abi::kPollWritable;
        m_items[i + 1] = {m_slots[i].socket, events, 0, 0};
    }
    const usize polled = m_count;
    const u64 deadline = next_deadline();
    u64 timeout = kWaitForever;
    if (deadline != kNoDeadline) timeout = deadline <= now.monotonic_ns ? 0 : deadline - now.monotonic_ns;
    auto ready = poll_all(polled + 1, timeout);
    if (ready.is_error() && ready.error() != Error::Timeout) {
        m_last_error = ready.error();
        return false;
    }

    now = m_host.now();
    for (usize i = 0; i < polled; ++i) service(m_slots[i], m_items[i + 1].ready, now);
    for (usize i = 0; i < m_count; ++i) {
        Slot& slot = m_slots[i];
        slot.connection->on_timer(now);
        // Its last answer is out: the client sees the end of the stream,
        // and the connection reads what it still sends until it ends too.
        if (slot.connection->wants_shutdown()) {
            m_host.shutdown_send(slot.socket);
            slot.connection->on_shutdown(now);
        }
    }
    for (usize i = m_count; i-- > 0;)
        if (m_slots[i].connection->finished()) remove(i);
    if (accepting && (m_items[0].ready & abi::kPollReadable)) accept_some(now);
    return true;
}

Result<usize> HttpServer::poll_all(usize count, u64 timeout_ns) {
    const usize limit = max(m_config.poll_limit, usize(1));
    if (count <= limit) return m_host.poll(Span<abi::PollItem>(m_items, count), timeout_ns);
    usize ready = 0;
    for (usize first = 0; first < count; first += limit) {
        const usize group = min(limit, count - first);
        auto polled = m_host.poll(Span<abi::PollItem>(m_items + first, group), 0);
        if (polled.is_error() && polled.error() != Error::Timeout) return polled.error();
        if (polled.ok()) ready += polled.value();
    }
    if (ready > 0) return ready;
    // Nothing anywhere: wait on the first group, whose ready flags are then
    // the only ones that can be set (the others' stay clear from the sweep).
    return m_host.poll(Span<abi::PollItem>(m_items, limit), min(timeout_ns, m_config.sweep_ns));
}

void HttpServer::service(Slot& slot, u32 ready, Time now) {
    Connection& connection = *slot.connection;
    // Hangup comes with the end of the stream or an error to read.
    if ((ready & (abi::kPollReadable | abi::kPollHangup)) && connection.wants_read()) {
        auto got = m_host.receive(slot.socket, connection.read_space());
        if (got.is_error()) {
            if (got.error() != Error::WouldBlock) connection.abort();
        } else if (got.value() == 0) {
            connection.on_end_of_stream(now);
        } else {
            connection.on_received(got.value(), now);
        }
    }
    // A connection that has never sent has an empty send buffer, so its
    // first answer can go out in the turn its request came, without
    // waiting for another poll: that is a whole round of the loop off
    // every one-request connection's latency.
    const bool writable = (ready & abi::kPollWritable) || connection.bytes_sent() == 0;
    if (writable && connection.wants_write()) send_some(slot, now);
    // Nothing will move either way any more: whatever was left to do
    // cannot be done.
    if ((ready & abi::kPollHangup) && !connection.finished()) connection.abort();
}

void HttpServer::send_some(Slot& slot, Time now) {
    Connection& connection = *slot.connection;
    auto sent = m_host.send(slot.socket, connection.output());
    if (sent.is_error()) {
        if (sent.error() != Error::WouldBlock) connection.abort();
        return;
    }
    connection.on_sent(sent.value(), now);
}

void HttpServer::accept_some(Time now) {
    for (usize i = 0; i < m_config.accept_batch; ++i) {
        auto accepted = m_host.accept();
        if (accepted.is_error()) {
            if (accepted.error() != Error::WouldBlock) m_accept_paused_until = now.monotonic_ns + m_config.accept_retry_ns;
            return;
        }
        const SocketId socket = accepted.value();
        void* memory = m_count < m_config.max_connections ? m_host.allocate(sizeof(Connection)) : nullptr;
        if (!memory) {
            refuse(socket, now);
            continue;
        }
        auto* connection = new (memory) Connection(m_files, m_config.connection, m_counters, now);
        m_slots[m_count++] = {socket, connection};
        ++m_counters.connections;
    }
}

void HttpServer::refuse(SocketId socket, Time now) {
    // A fresh connection's send buffer is empty, so the one write fits
    // and cannot wait; the client's request is never read.
    char response[256];
    usize length = write_overload_response(now.unix_seconds, Span<char>(response));
    (void)m_host.send(socket, StringView(response, length));
    m_host.close(socket);
    ++m_counters.refused;
    ++m_counters.responses[5];
}

void HttpServer::remove(usize index) {
    Slot slot = m_slots[index];
    m_host.close(slot.socket);
    slot.connection->~Connection();
    m_host.release(slot.connection);
    m_slots[index] = m_slots[--m_count];
    // A handle is free again: accepting may work now if it did not.
    m_accept_paused_until = 0;
}

}  // namespace mote::httpd
