// httpd's event loop: one listener, a table of connections, one poll() a
// turn. Pure logic like the connections it drives: the sockets, the clock
// and the memory come through ServerHost (the program's is over system
// calls, sys_server_host.hpp; the unit tests' is a simulation).
//
// Each turn polls the listener for readable and each connection for what
// it wants (readable while it takes input, writable while it has output),
// with the nearest connection deadline as the timeout; then each ready
// connection reads once and writes once. Once each, because a socket read
// or write only waits when it can move nothing at all, and poll's answer
// rules that out for one call only: a write that filled the send buffer
// exactly would make a second one wait for the client, and a client that
// stopped reading would stop the whole server. (The one write made
// without poll's word is a connection's first: its send buffer is empty.)
// Then timers fire; finished connections are closed; and the listener's queue
// is accepted until it is empty. A connection beyond the table's size is
// answered 503 at once and closed, so a flood is told to come back rather
// than left waiting in the kernel's queue.
//
// One poll() takes at most poll_limit items (the kernel's bound). With more
// sockets than that, a turn polls each group of poll_limit without waiting,
// and only when none is ready waits, on the first group (the listener's)
// and for at most sweep_ns, so the others are looked at again soon: a busy
// server never waits, and an idle one with that many connections wakes
// every sweep_ns.
#pragma once

#include "abi/syscalls.hpp"
#include "base/result.hpp"
#include "base/span.hpp"
#include "file_source.hpp"
#include "http_connection.hpp"

namespace mote::httpd {

// A socket as the host numbers it.
using SocketId = u32;

class ServerHost {
public:
    // A connection from the listener's queue; WouldBlock when it is empty.
    // Any other error leaves the connection queued (the process is out of
    // handles, say): the server stops accepting for a while.
    virtual Result<SocketId> accept() = 0;
    // What has arrived, up to into.size() bytes; 0 at the peer's end of
    // stream. Called only after poll() said readable.
    virtual Result<usize> receive(SocketId socket, Span<char> into) = 0;
    // Copies what fits of `bytes` into the socket; called only after
    // poll() said writable.
    virtual Result<usize> send(SocketId socket, StringView bytes) = 0;
    virtual void shutdown_send(SocketId socket) = 0;
    virtual void close(SocketId socket) = 0;
    // abi::PollItem semantics (handle = SocketId); the count of ready
    // items. Cancelled asks the server to stop.
    virtual Result<usize> poll(Span<abi::PollItem> items, u64 timeout_ns) = 0;
    virtual Time now() = 0;
    // Memory for one Connection; nullptr when there is none.
    virtual void* allocate(usize bytes) = 0;
    virtual void release(void* block) = 0;

protected:
    ~ServerHost() = default;
};

struct ServerConfig {
    // Each connection holds a socket handle and, while it sends a file or
    // a listing, that file's handle. A Mote process has 128 handles, some
    // taken by its start handles and the listener, and an accept needs a
    // free one even to refuse: 56 connections leave that room.
    usize max_connections = 56;
    // Connections accepted per turn at most, so a flood of new ones cannot
    // starve the established.
    usize accept_batch = 16;
    // How long accepting pauses after accept() failed other than
    // WouldBlock (the queued connection would make poll return at once).
    u64 accept_retry_ns = kNsPerSecond / 4;
    // The most items one poll() takes: the kernel refuses more than
    // abi::kPollMaxItems with InvalidArgument.
    usize poll_limit = abi::kPollMaxItems;
    // With more sockets than poll_limit: the longest wait before the
    // groups not waited on are polled again.
    u64 sweep_ns = 5 * kNsPerSecond / 1000;
    ConnectionConfig connection;
};

class HttpServer {
public:
    static constexpr usize kMaxConnections = 64;

    // `listener` is a listening socket the server polls and accepts from
    // (it does not close it).
    HttpServer(ServerHost& host, FileSource& files, SocketId listener, const ServerConfig& config);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // One turn of the loop. False when the server should stop: poll() was
    // cancelled or failed (the error is in last_error()).
    bool run_once();

    const HttpCounters& counters() const { return m_counters; }
    usize connection_count() const { return m_count; }
    Error last_error() const { return m_last_error; }

private:
    struct Slot {
        SocketId socket = 0;
        Connection* connection = nullptr;
    };

    u64 next_deadline() const;
    // Polls m_items[0, count) in groups of at most poll_limit; see above.
    Result<usize> poll_all(usize count, u64 timeout_ns);
    void service(Slot& slot, u32 ready, Time now);
    void send_some(Slot& slot, Time now);
    void accept_some(Time now);
    void refuse(SocketId socket, Time now);
    void remove(usize index);

    ServerHost& m_host;
    FileSource& m_files;
    SocketId m_listener;
    ServerConfig m_config;
    HttpCounters m_counters;
    Error m_last_error = Error::Cancelled;
    u64 m_accept_paused_until = 0;  // monotonic ns; accepting when now >= this
    usize m_count = 0;
    Slot m_slots[kMaxConnections];
    abi::PollItem m_items[kMaxConnections + 1];
};

// The 503 a connection gets when the table is full: a complete response
// with Connection: close, written into `out`; the bytes written (0 if
// `out` is too small).
usize write_overload_response(i64 now, Span<char> out);

}  // namespace mote::httpd
