#include "http_connection.hpp"

#include "base/memory.hpp"
#include "http_status.hpp"

namespace mote::httpd {

namespace {

u64 deadline_after(u64 start, u64 timeout) { return timeout > kNoDeadline - start ? kNoDeadline : start + timeout; }

}  // namespace

Connection::Connection(FileSource& files, const ConnectionConfig& config, HttpCounters& counters, Time now)
    : m_config(config), m_counters(counters), m_responder(files) {
    m_request_start = m_idle_start = m_send_progress = now.monotonic_ns;
}

bool Connection::wants_read() const {
    if (m_peer_ended) return false;
    switch (m_phase) {
    case Phase::Reading:
    case Phase::Responding:
        // A full buffer while an answer is being sent stops reading, and
        // TCP's window then stops a client that pipelines without end.
        return m_in_used < kInputBytes;
    case Phase::Lingering: return true;
    case Phase::Closing:
    case Phase::Finished: return false;
    }
    return false;
}

Span<char> Connection::read_space() {
    if (!wants_read()) return {};
    // Lingering reads only to drop: the whole buffer will do.
    if (m_phase == Phase::Lingering) return Span<char>(m_in, kInputBytes);
    return Span<char>(m_in + m_in_used, kInputBytes - m_in_used);
}

void Connection::on_received(usize count, Time now) {
    if (count == 0 || !wants_read()) return;
    if (m_phase == Phase::Lingering) return;
    VERIFY(count <= kInputBytes - m_in_used);
    // A request's first byte starts its header timer (the first request's
    // runs from the connection's start, so waiting before it counts too).
    if (m_phase == Phase::Reading && m_in_used == 0 && !m_first_request) m_request_start = now.monotonic_ns;
    m_in_used += count;
    advance(now);
}

void Connection::on_end_of_stream(Time now) {
    m_peer_ended = true;
    if (m_phase == Phase::Lingering) {
        finish();
        return;
    }
    advance(now);
}

void Connection::on_sent(usize count, Time now) {
    VERIFY(count <= m_out_end - m_out_start);
    if (count == 0) return;
    m_out_start += count;
    m_bytes_sent += count;
    m_counters.bytes_sent += count;
    m_send_progress = now.monotonic_ns;
    if (m_out_start == m_out_end) {
        m_out_start = m_out_end = 0;
        // The client has read everything: from now on it is its turn, and
        // the idle or header timer runs instead of the send timer.
        m_idle_start = now.monotonic_ns;
        if (m_in_used > 0 && !m_first_request) m_request_start = now.monotonic_ns;
    }
    advance(now);
}

bool Connection::wants_shutdown() const { return m_phase == Phase::Closing && !wants_write() && !m_peer_ended; }

void Connection::on_shutdown(Time now) {
    VERIFY(wants_shutdown());
    m_phase = Phase::Lingering;
    m_linger_start = now.monotonic_ns;
    m_in_used = 0;
}

u64 Connection::deadline() const {
    switch (m_phase) {
    case Phase::Reading:
        // While answers wait to be read, the client is not late with its
        // next request: only the send timer runs.
        if (wants_write()) return deadline_after(m_send_progress, m_config.send_timeout_ns);
        if (m_in_used > 0 || m_first_request) return deadline_after(m_request_start, m_config.header_timeout_ns);
        return deadline_after(m_idle_start, m_config.idle_timeout_ns);
    case Phase::Responding:
    case Phase::Closing:
        if (wants_write()) return deadline_after(m_send_progress, m_config.send_timeout_ns);
        return kNoDeadline;
    case Phase::Lingering: return deadline_after(m_linger_start, m_config.linger_timeout_ns);
    case Phase::Finished: return kNoDeadline;
    }
    return kNoDeadline;
}

void Connection::on_timer(Time now) {
    if (now.monotonic_ns < deadline()) return;
    switch (m_phase) {
    case Phase::Reading:
        if (wants_write()) {
            abort();  // the client stopped reading
            return;
        }
        if (m_in_used > 0) {
            // Part of a request, and the rest too late: RFC 9110 15.5.9.
            ++m_counters.header_timeouts;
            start_error(status::kRequestTimeout, now);
            advance(now);
            return;
        }
        // Nothing begun: nobody is waiting for an answer.
        ++m_counters.idle_closes;
        finish();
        return;
    case Phase::Responding:
    case Phase::Closing: abort(); return;
    case Phase::Lingering: finish(); return;
    case Phase::Finished: return;
    }
}

void Connection::abort() {
    if (m_phase == Phase::Finished) return;
    ++m_counters.aborted;
    finish();
}

void Connection::finish() {
    m_responder.abandon();
    m_phase = Phase::Finished;
    m_in_used = 0;
    m_out_start = m_out_end = 0;
}

void Connection::advance(Time now) {
    for (;;) {
        switch (m_phase) {
        case Phase::Reading:
            if (!start_next(now)) return;
            break;
        case Phase::Responding:
            if (!produce_body(now)) return;
            answered(now);
            break;
        case Phase::Closing:
            // A client that has ended its side needs no shutdown and
            // lingering: nothing it sends can be left unread.
            if (!wants_write() && m_peer_ended) finish();
            return;
        case Phase::Lingering:
        case Phase::Finished: return;
        }
    }
}

bool Connection::start_next(Time now) {
    if (m_in_used == 0) {
        if (!m_peer_ended) return false;
        m_phase = Phase::Closing;
        return true;
    }
    // Room for the head first: once the parser says Complete, the request
    // must be answered before the input moves.
    Span<char> space = output_space(Responder::kHeadRoom);
    if (space.empty()) return false;
    ParseResult result = m_parser.feed(StringView(m_in, m_in_used));
    switch (result.status) {
    case ParseStatus::NeedMore:
        if (m_peer_ended) {
            // The client ended in the middle of a request: no answer can
            // reach anybody who is waiting for it.
            m_in_used = 0;
            m_phase = Phase::Closing;
            return true;
        }
        return false;
    case ParseStatus::Error:
        ++m_counters.requests;
        start_error(result.error_status, now);
        return true;
    case ParseStatus::Complete: {
        ++m_counters.requests;
        usize written = m_responder.start(result.request, now.unix_seconds, space);
        ++m_counters.responses[min(m_responder.status() / 100, 5)];
        added_output(written, now);
        consume_input(result.consumed);
        m_phase = Phase::Responding;
        return true;
    }
    }
    return false;
}

void Connection::start_error(u16 status, Time now) {
    Span<char> space = output_space(Responder::kHeadRoom);
    VERIFY(!space.empty());
    usize written = m_responder.start_error(status, now.unix_seconds, space);
    ++m_counters.responses[min(status / 100, 5)];
    added_output(written, now);
    // What follows cannot be framed; lingering drops it.
    m_parser.reset();
    m_in_used = 0;
    m_phase = Phase::Responding;
}

bool Connection::produce_body(Time now) {
    while (!m_responder.done()) {
        Span<char> space = output_space(kMinChunk);
        if (space.empty()) return false;
        auto produced = m_responder.produce(space);
        if (produced.is_error()) {
            abort();
            return false;
        }
        if (produced.value() == 0) {
            // The next piece is larger than the free space: it fits once
            // the socket has taken what is pending. With nothing pending
            // it never will (kLargestPiece says it always does).
            if (!wants_write()) abort();
            return false;
        }
        added_output(produced.value(), now);
    }
    return true;
}

void Connection::answered(Time now) {
    m_first_request = false;
    if (!m_responder.keep_alive()) {
        // Requests after this one are not read (RFC 9112 9.6); lingering
        // drops them.
        m_in_used = 0;
        m_parser.reset();
        m_phase = Phase::Closing;
        return;
    }
    m_phase = Phase::Reading;
    // A request already buffered behind this one is timed from now.
    m_request_start = now.monotonic_ns;
    m_idle_start = now.monotonic_ns;
}

Span<char> Connection::output_space(usize at_least) {
    const usize pending = m_out_end - m_out_start;
    if (pending == 0) m_out_start = m_out_end = 0;
    if (kOutputBytes - m_out_end < at_least && kOutputBytes - pending >= at_least && m_out_start > 0) {
        mem_move(m_out, m_out + m_out_start, pending);
        m_out_start = 0;
        m_out_end = pending;
    }
    if (kOutputBytes - m_out_end < at_least) return {};
    return Span<char>(m_out + m_out_end, kOutputBytes - m_out_end);
}

void Connection::added_output(usize count, Time now) {
    if (count == 0) return;
    // The send timer starts when there is something to send.
    if (!wants_write()) m_send_progress = now.monotonic_ns;
    m_out_end += count;
    VERIFY(m_out_end <= kOutputBytes);
}

void Connection::consume_input(usize count) {
    VERIFY(count <= m_in_used);
    mem_move(m_in, m_in + count, m_in_used - count);
    m_in_used -= count;
}

}  // namespace mote::httpd
