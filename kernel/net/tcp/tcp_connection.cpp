#include "net/tcp/tcp_connection.hpp"

#include "net/tcp/tcp.hpp"

namespace mote {

namespace {

// The shift that makes a ring of `capacity` bytes fit the 16-bit window
// field (RFC 7323 2.2; at most 14).
u8 scale_for(usize capacity) {
    u8 shift = 0;
    while (shift < 14 && (capacity >> shift) > 0xffff) ++shift;
    return shift;
}

}  // namespace

TcpConnectionStats TcpConnection::stats() const {
    TcpConnectionStats stats = m_stats;
    stats.srtt_us = u32(m_srtt / kMicrosecond);
    stats.rto_ms = u32(m_rto / kMillisecond);
    stats.cwnd = m_cwnd;
    return stats;
}

const char* tcp_state_name(TcpState state) {
    switch (state) {
    case TcpState::Closed: return "CLOSED";
    case TcpState::SynSent: return "SYN-SENT";
    case TcpState::SynReceived: return "SYN-RECEIVED";
    case TcpState::Established: return "ESTABLISHED";
    case TcpState::FinWait1: return "FIN-WAIT-1";
    case TcpState::FinWait2: return "FIN-WAIT-2";
    case TcpState::CloseWait: return "CLOSE-WAIT";
    case TcpState::Closing: return "CLOSING";
    case TcpState::LastAck: return "LAST-ACK";
    case TcpState::TimeWait: return "TIME-WAIT";
    }
    return "?";
}

TcpConnection::TcpConnection(Tcp& tcp, Bytes send_storage, Bytes receive_storage, const TcpOptionsConfig& config)
    : m_tcp(tcp), m_config(config), m_send(send_storage), m_receive(receive_storage) {
    if (m_config.mss < 64) m_config.mss = 64;
}

TcpConnection::~TcpConnection() {
    VERIFY_MSG(!table_node.is_linked() && !listen_node.is_linked(), "TCP connection destroyed while in a table");
}

Nanoseconds TcpConnection::now() const { return m_tcp.now(); }
// The timestamp clock (RFC 7323 5.4): milliseconds, which suits round
// trips from a fraction of a millisecond (TCG) to seconds.
u32 TcpConnection::ts_clock() const { return u32(now() / kMillisecond); }

bool TcpConnection::connected() const {
    switch (m_state) {
    case TcpState::Established:
    case TcpState::FinWait1:
    case TcpState::FinWait2:
    case TcpState::CloseWait:
    case TcpState::Closing:
    case TcpState::LastAck: return true;
    default: return false;
    }
}

usize TcpConnection::writable() const {
    if (m_fin_queued || m_failed) return 0;
    switch (m_state) {
    case TcpState::SynSent:
    case TcpState::SynReceived:
    case TcpState::Established:
    case TcpState::CloseWait: return m_send.free();
    default: return 0;
    }
}

void TcpConnection::set_keepalive(bool on) {
    m_config.keepalive = on;
    m_keepalive_sent = 0;
    m_keepalive_at = on && m_state == TcpState::Established ? now() + m_config.keepalive_idle : kNoDeadline;
}

Nanoseconds TcpConnection::deadline() const {
    Nanoseconds d = m_rto_at;
    if (m_delack_at < d) d = m_delack_at;
    if (m_persist_at < d) d = m_persist_at;
    if (m_keepalive_at < d) d = m_keepalive_at;
    if (m_probe_at < d) d = m_probe_at;
    return d;
}

// ---- opening ---------------------------------------------------------------

void TcpConnection::start_connect(const TcpTuple& tuple, Seq iss) {
    m_tuple = tuple;
    m_iss = m_snd_una = m_snd_nxt = m_snd_max = m_recover = m_rexmit_next = iss;
    m_send_base = iss + 1;
    m_rcv_wscale = m_config.window_scale ? scale_for(m_receive.capacity()) : 0;
    enter(TcpState::SynSent);
    (void)send_control(tcp_flag::kSyn, m_iss);
    m_snd_nxt = m_snd_max = iss + 1;
    m_timing = true;
    m_timed_seq = m_iss;
    m_timed_at = now();
    arm_rto();
}

void TcpConnection::start_passive(const TcpTuple& tuple, Seq iss, const TcpSegment& syn, TcpListener& listener) {
    m_tuple = tuple;
    m_listener = &listener;
    m_user_closed = true;  // nobody holds it until accept()
    m_iss = m_snd_una = m_snd_nxt = m_snd_max = m_recover = m_rexmit_next = iss;
    m_send_base = iss + 1;
    m_irs = Seq(syn.seq);
    m_rcv_nxt = m_irs + 1;
    m_rcv_wscale = m_config.window_scale ? scale_for(m_receive.capacity()) : 0;
    take_peer_options(syn);
    m_snd_wnd = syn.window;  // a SYN's window is never scaled
    m_snd_wl1 = Seq(syn.seq);
    m_snd_wl2 = iss;
    enter(TcpState::SynReceived);
    (void)send_control(tcp_flag::kSyn | tcp_flag::kAck, m_iss);
    m_snd_nxt = m_snd_max = iss + 1;
    m_timing = true;
    m_timed_seq = m_iss;
    m_timed_at = now();
    arm_rto();
}

void TcpConnection::start_from_cookie(const TcpTuple& tuple, Seq iss, u16 mss, const TcpSegment& ack,
                                      TcpListener& listener) {
    m_tuple = tuple;
    m_listener = &listener;
    m_user_closed = true;  // nobody holds it until accept()
    m_iss = iss;
    m_snd_una = m_snd_nxt = m_snd_max = m_recover = m_rexmit_next = iss + 1;
    m_send_base = iss + 1;
    m_irs = Seq(ack.seq) - 1;
    m_rcv_nxt = Seq(ack.seq);
    m_ws_on = m_ts_on = m_sack_on = false;
    m_snd_wscale = m_rcv_wscale = 0;
    m_send_mss = mss < m_config.mss ? mss : m_config.mss;
    // RFC 6928, as take_peer_options does for a SYN we saw.
    m_cwnd = min<u32>(10 * u32(m_send_mss), max<u32>(2 * u32(m_send_mss), 14600));
    m_snd_wnd = ack.window;
    m_max_snd_wnd = m_snd_wnd;
    m_snd_wl1 = Seq(ack.seq);
    m_snd_wl2 = Seq(ack.ack);
    enter(TcpState::Established);
    m_tcp.connection_established(*this);
    // The ACK may carry data already: it is processed as any segment.
    if (!ack.payload.empty() || ack.has(tcp_flag::kFin)) receive_segment(ack);
}

void TcpConnection::accepted() {
    m_user_closed = false;
    m_listener = nullptr;
}

void TcpConnection::take_peer_options(const TcpSegment& syn) {
    const TcpOptions& o = syn.options;
    const u16 peer_mss = o.mss ? o.mss : kDefaultPeerMss;
    u16 mss = peer_mss < m_config.mss ? peer_mss : m_config.mss;
    m_ws_on = m_config.window_scale && o.has_window_scale;
    if (m_ws_on) {
        m_snd_wscale = o.window_scale;
    } else {
        m_snd_wscale = 0;
        m_rcv_wscale = 0;  // scaling is on only when both offered it
    }
    m_ts_on = m_config.timestamps && o.has_timestamps;
    if (m_ts_on) {
        m_ts_recent = o.ts_value;
        mss = u16(mss - 12);  // RFC 6691: options come out of the segment size
    }
    m_sack_on = m_config.sack && o.sack_permitted;
    if (mss < 32) mss = 32;
    m_send_mss = mss;
    // RFC 6928: an initial window of up to ten segments.
    m_cwnd = min<u32>(10 * u32(mss), max<u32>(2 * u32(mss), 14600));
}

// ---- closing ---------------------------------------------------------------

void TcpConnection::shutdown_write() {
    if (m_fin_queued || m_failed) return;
    switch (m_state) {
    case TcpState::SynSent:
        finish();
        return;
    case TcpState::SynReceived: break;  // FIN-WAIT-1 once the handshake is done
    case TcpState::Established: enter(TcpState::FinWait1); break;
    case TcpState::CloseWait: enter(TcpState::LastAck); break;
    default: return;
    }
    m_fin_queued = true;
    output();
}

void TcpConnection::close() {
    if (m_user_closed) return;
    m_user_closed = true;
    m_user = nullptr;
    if (m_state == TcpState::Closed) {
        m_tcp.connection_released_by_user(*this);
        return;
    }
    if (m_state == TcpState::SynSent || !m_receive.empty()) {
        // Nothing was said yet, or the peer's data will never be read: a
        // reset tells it so (RFC 9293 3.10.4; RFC 1122 4.2.2.13).
        abort();
        return;
    }
    shutdown_write();
    // An orphan in FIN-WAIT-2 waits for the peer's FIN no longer than
    // 2 MSL (what Linux's tcp_fin_timeout does for the same reason).
    m_keepalive_at = m_state == TcpState::Closed ? kNoDeadline : now() + 2 * Tcp::kMsl;
}

void TcpConnection::abort() {
    if (m_state == TcpState::Closed) return;
    if (m_state != TcpState::SynSent) send_reset();
    m_failed = true;
    m_error = Error::Cancelled;
    finish();
}

void TcpConnection::fail(Error error) {
    m_failed = true;
    m_error = error;
    if (error == Error::PeerClosed) m_tcp.counters.connections_reset++;
    if (error == Error::Timeout) {
        m_tcp.counters.connections_timed_out++;
        send_reset();  // tell the peer, if it can still hear
    }
    finish();
}

void TcpConnection::finish() {
    m_state = TcpState::Closed;
    m_rto_at = m_delack_at = m_persist_at = m_keepalive_at = m_probe_at = kNoDeadline;
    m_reassembly.clear();
    m_tcp.connection_closed(*this);
    notify();
}

void TcpConnection::enter(TcpState state) {
    m_state = state;
    if (state == TcpState::Established && m_config.keepalive) m_keepalive_at = now() + m_config.keepalive_idle;
}

void TcpConnection::notify() { m_changed = true; }

void TcpConnection::deliver_events() {
    if (!m_changed) return;
    m_changed = false;
    if (m_user) m_user->tcp_changed(*this);
}

// ---- the user's data -------------------------------------------------------

Result<usize> TcpConnection::write(ReadonlyBytes data) {
    if (m_failed) return m_error;
    if (m_fin_queued) return Error::BadState;
    switch (m_state) {
    case TcpState::SynSent:
    case TcpState::SynReceived:
    case TcpState::Established:
    case TcpState::CloseWait: break;
    default: return Error::BadState;
    }
    const usize n = min(data.size(), m_send.free());
    if (n == 0 && !data.empty()) return Error::WouldBlock;
    Bytes first, second;
    reserve(n, first, second);
    mem_copy(first.data(), data.data(), first.size());
    mem_copy(second.data(), data.data() + first.size(), second.size());
    append(n);
    return n;
}

void TcpConnection::append(usize n) {
    VERIFY(n <= writable());
    m_send.commit(n);
    output();
}

Result<usize> TcpConnection::read(Bytes out) {
    if (!m_receive.empty()) {
        const usize n = min(out.size(), m_receive.size());
        ReadonlyBytes first, second;
        peek(n, first, second);
        mem_copy(out.data(), first.data(), first.size());
        mem_copy(out.data() + first.size(), second.data(), second.size());
        take(n);
        return n;
    }
    if (m_fin_received) return usize(0);
    if (m_failed) return m_error;
    if (m_state == TcpState::Closed) return usize(0);
    return Error::WouldBlock;
}

void TcpConnection::take(usize n) {
    m_receive.consume(n);
    // Receiver silly window avoidance (RFC 9293 3.8.6.2.2): announce the
    // opened window once it has grown by a segment or half the ring, not
    // for every few bytes read.
    if (n && connected() && !m_fin_received) {
        const u32 edge_now = u32(m_receive.free() >> m_rcv_wscale << m_rcv_wscale);
        const Seq right = m_rcv_nxt + edge_now;
        const u32 growth = right.after(m_advertised_edge) ? right - m_advertised_edge : 0;
        if (growth >= min<u32>(u32(m_receive.capacity() / 2), m_send_mss)) send_ack();
    }
}

// ---- receiving -------------------------------------------------------------

void TcpConnection::receive(const TcpSegment& segment) {
    receive_segment(segment);
    deliver_events();
}

void TcpConnection::on_timer(Nanoseconds at) {
    run_timers(at);
    deliver_events();
}

void TcpConnection::retry_output() {
    output();
    deliver_events();
}

void TcpConnection::send_batch_ack() {
    if (!m_batch_ack) return;  // something of ours carried it already
    m_batch_ack = false;
    m_ack_now = true;
    output();
    deliver_events();
}

// ---- timers ----------------------------------------------------------------

void TcpConnection::run_timers(Nanoseconds at) {
    if (m_rto_at <= at) {
        m_rto_at = kNoDeadline;
        ++m_stats.timeouts;
        m_tcp.counters.timeouts++;
        ++m_retries;
        m_rto = m_rto * 2 > kMaxRto ? kMaxRto : m_rto * 2;  // RFC 6298 5.5
        m_timing = false;
        if (m_state == TcpState::SynSent || m_state == TcpState::SynReceived) {
            if (m_retries > kMaxSynRetries) {
                if (m_state == TcpState::SynReceived && m_listener) finish();
                else fail(Error::Timeout);
                return;
            }
            const u8 flags = m_state == TcpState::SynSent ? tcp_flag::kSyn : tcp_flag::kSyn | tcp_flag::kAck;
            (void)send_control(flags, m_iss);
            arm_rto();
        } else if (m_state != TcpState::Closed) {
            if (m_retries > kMaxRetries) {
                fail(Error::Timeout);
                return;
            }
            // RFC 5681 3.1 (equation 4) and 6298 5.4-5.6: one segment's
            // window, everything unacknowledged is sent again from snd_una.
            m_ssthresh = max<u32>(flight() / 2, 2 * u32(m_send_mss));
            m_cwnd = m_send_mss;
            m_in_recovery = false;
            m_dup_acks = 0;
            m_recover = m_snd_max;
            // RFC 2018 8: the peer may have reneged on what it SACKed.
            m_scoreboard.clear();
            m_rexmit_next = m_snd_una;
            m_probe_episode = false;
            m_probe_at = kNoDeadline;
            m_snd_nxt = m_snd_una;
            output();
            arm_rto();
        }
    }
    if (m_state == TcpState::Closed) return;
    if (m_probe_at <= at) {
        m_probe_at = kNoDeadline;
        if (flight() > 0 && !m_in_recovery) send_probe();
    }
    if (m_delack_at <= at) {
        m_delack_at = kNoDeadline;
        send_ack();
    }
    if (m_persist_at <= at) {
        m_persist_at = kNoDeadline;
        if (m_snd_wnd == 0 && m_snd_nxt.before(data_end())) {
            // An ACK-only probe just below the window (what Linux sends):
            // the reply carries the current window.
            (void)send_control(tcp_flag::kAck, m_snd_una - 1);
            ++m_stats.window_probes;
            m_persist_backoff = m_persist_backoff * 2 > kMaxRto ? kMaxRto : m_persist_backoff * 2;
            m_persist_at = at + m_persist_backoff;
        } else {
            m_persist_backoff = 0;
        }
    }
    if (m_keepalive_at <= at) {
        m_keepalive_at = kNoDeadline;
        if (m_user_closed && m_state != TcpState::Established) {
            // The orphan's wait for the peer's FIN is over.
            finish();
            return;
        }
        if (m_config.keepalive && m_state == TcpState::Established) {
            if (m_keepalive_sent >= m_config.keepalive_probes) {
                fail(Error::Timeout);
                return;
            }
            (void)send_control(tcp_flag::kAck, m_snd_una - 1);
            ++m_keepalive_sent;
            ++m_stats.keepalives;
            m_keepalive_at = at + m_config.keepalive_interval;
        }
    }
}

}  // namespace mote
