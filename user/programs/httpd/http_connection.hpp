// One client's connection, as a state machine with no system calls: the
// server hands it the bytes the socket delivered and the time, and takes
// from it the bytes to send, when to shut the socket down and when to close
// it. Everything it reads comes through a FileSource.
//
//   Reading ──request──▶ Responding ──body produced──▶ Reading (keep-alive)
//      │                      │
//      │                      └──Connection: close, error──▶ Closing
//      ├──error, 408──▶ Responding ...                          │ all sent
//      └──idle timeout, peer's end──▶ Closing                   ▼
//                                         Lingering ◀──shutdown(write)
//                                             │ peer's end, linger timeout
//                                             ▼
//                                          Finished: close the socket
//
// Requests are answered one at a time and in order (RFC 9112 9.3.2):
// several may arrive in one read; the next is parsed only once the answer
// before it has been produced whole. Memory is fixed: kInputBytes hold
// the request being read and whatever follows it (a request is decided by
// the parser long before that fills, see kMaxRequestBytes), kOutputBytes
// the answer's bytes not yet sent; a file's body is read into that buffer
// as the socket drains it, so its size does not matter.
//
// Timers (the server calls on_timer() once deadline() has passed):
//   header  a request must arrive whole within header_timeout of its first
//           byte, or of the connection's start for the first request; a
//           client that trickles bytes (slowloris) is answered 408 and
//           closed. A new connection that sends nothing is closed quietly.
//   idle    a kept-alive connection with no request begun is closed
//           quietly after idle_timeout.
//   send    a client that takes none of the pending bytes for send_timeout
//           is dropped.
//   linger  after the last answer the connection shuts its sending side
//           and reads (and drops) what the client still sends, for at most
//           linger_timeout, before it closes: closing with unread bytes
//           would reset the connection, and a reset can destroy the answer
//           before the client has read it (RFC 9112 9.6).
#pragma once

#include "base/span.hpp"
#include "base/types.hpp"
#include "file_source.hpp"
#include "http_request.hpp"
#include "responder.hpp"

namespace mote::httpd {

// Two clocks: one for timeouts, which never jumps, and the wall clock for
// the Date and the conditional requests.
struct Time {
    u64 monotonic_ns = 0;
    i64 unix_seconds = 0;
};

inline constexpr u64 kNoDeadline = ~u64(0);
inline constexpr u64 kNsPerSecond = 1'000'000'000;

struct ConnectionConfig {
    u64 header_timeout_ns = 10 * kNsPerSecond;
    u64 idle_timeout_ns = 30 * kNsPerSecond;
    u64 send_timeout_ns = 30 * kNsPerSecond;
    u64 linger_timeout_ns = 2 * kNsPerSecond;
};

// What the server's connections did, summed over all of them.
struct HttpCounters {
    u64 connections = 0;       // accepted and served
    u64 refused = 0;           // accepted and answered 503 (no room)
    u64 requests = 0;          // parsed whole, or refused by the parser
    u64 responses[6] = {};     // by status class: [2] is 2xx ... [5] is 5xx
    u64 bytes_sent = 0;
    u64 header_timeouts = 0;   // answered 408
    u64 idle_closes = 0;       // closed quietly by the idle or header timer
    u64 aborted = 0;           // dropped: socket errors, send timeouts, failed bodies
};

class Connection {
public:
    static constexpr usize kInputBytes = 8 * 1024;
    // A file's body goes through this buffer, one read and one write per
    // turn of the server's loop, so its size sets the turns per megabyte
    // (32 for 1 MiB). Larger would take fewer, but the whole Connection is
    // kept under the user heap's 64 KiB large-allocation size, so that
    // connections come from its arenas rather than a mapping each.
    static constexpr usize kOutputBytes = 32 * 1024;
    // A file is read into the output buffer only when at least this much
    // of it is free, so reads stay large.
    static constexpr usize kMinChunk = 8 * 1024;
    static_assert(kInputBytes >= kMaxRequestBytes, "a request the parser accepts must fit the input buffer");
    static_assert(kOutputBytes >= Responder::kHeadRoom + kMinChunk);
    static_assert(kOutputBytes >= Responder::kLargestPiece);

    Connection(FileSource& files, const ConnectionConfig& config, HttpCounters& counters, Time now);
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Receiving. read_space() is where the next read's bytes go (empty
    // unless wants_read()); on_received() says how many came.
    bool wants_read() const;
    Span<char> read_space();
    void on_received(usize count, Time now);
    // The read returned 0: the client sends nothing more (it may still
    // read: the requests it sent are answered).
    void on_end_of_stream(Time now);

    // Sending: output() is what to send next; on_sent() how much went.
    bool wants_write() const { return m_out_end > m_out_start; }
    StringView output() const { return StringView(m_out + m_out_start, m_out_end - m_out_start); }
    void on_sent(usize count, Time now);
    // Bytes sent on this connection so far.
    u64 bytes_sent() const { return m_bytes_sent; }

    // Everything is sent and the connection ends: shut the socket's
    // sending side down, then call on_shutdown().
    bool wants_shutdown() const;
    void on_shutdown(Time now);

    // When on_timer() must be called next (monotonic ns), or kNoDeadline.
    u64 deadline() const;
    void on_timer(Time now);

    // The socket failed: drop everything.
    void abort();
    // Close the socket now.
    bool finished() const { return m_phase == Phase::Finished; }

private:
    enum class Phase : u8 { Reading, Responding, Closing, Lingering, Finished };

    // Makes all the progress possible without the socket: answers parsed
    // requests, produces body bytes while there is room.
    void advance(Time now);
    // Parses the buffered bytes and starts the next answer; false when it
    // must wait (more bytes, or room in the output).
    bool start_next(Time now);
    // Produces body bytes; false while the body is not done.
    bool produce_body(Time now);
    void answered(Time now);
    void start_error(u16 status, Time now);
    // Free output space of at least `at_least` bytes at its end, moving
    // pending bytes to the front if that makes room; empty if it cannot.
    Span<char> output_space(usize at_least);
    void added_output(usize count, Time now);
    void consume_input(usize count);
    void finish();

    const ConnectionConfig& m_config;
    HttpCounters& m_counters;
    Phase m_phase = Phase::Reading;
    bool m_first_request = true;  // nothing answered yet
    bool m_peer_ended = false;
    u64 m_request_start = 0;  // the header timer's start
    u64 m_idle_start = 0;     // when the connection last had nothing to do
    u64 m_send_progress = 0;  // when output last moved (or appeared)
    u64 m_linger_start = 0;
    u64 m_bytes_sent = 0;
    RequestParser m_parser;
    Responder m_responder;
    usize m_in_used = 0;
    usize m_out_start = 0;
    usize m_out_end = 0;
    char m_in[kInputBytes];
    char m_out[kOutputBytes];
};

}  // namespace mote::httpd
