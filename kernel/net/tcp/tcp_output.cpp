// What a TcpConnection sends: the output loop (the window, Nagle and
// silly-window avoidance, RFC 9293 3.8.6), one segment at snd_nxt or any
// range of the send ring, control segments and resets, the advertised
// window, the options (MSS, window scale, timestamps, SACK blocks) and
// their room in a segment. Arrivals are in tcp_input.cpp, loss recovery
// in tcp_recovery.cpp.
#include "net/tcp/tcp.hpp"
#include "net/tcp/tcp_connection.hpp"

namespace mote {

usize TcpConnection::sack_room(usize payload) const {
    const usize most = sack_block_limit();
    if (payload + 4 + 8 > m_send_mss) return 0;
    const usize fits = (m_send_mss - payload - 4) / 8;  // NOP NOP kind length, eight bytes a block
    return fits < most ? fits : most;
}

u32 TcpConnection::segment_room() const {
    if (!m_sack_on || m_reassembly.empty()) return m_send_mss;
    const usize most = sack_block_limit();
    const usize blocks = m_reassembly.count() < most ? m_reassembly.count() : most;
    const u32 options = u32(4 + 8 * blocks);
    // Never below half the MSS: a tiny MSS then carries fewer blocks.
    return options * 2 <= m_send_mss ? m_send_mss - options : m_send_mss;
}

void TcpConnection::arm_rto() {
    if (m_rto_at == kNoDeadline) m_rto_at = now() + m_rto;
}

void TcpConnection::output() {
    switch (m_state) {
    case TcpState::Established:
    case TcpState::CloseWait:
    case TcpState::FinWait1:
    case TcpState::Closing:
    case TcpState::LastAck: break;
    case TcpState::SynReceived:
    case TcpState::FinWait2:
        if (m_ack_now) send_ack();
        return;
    default: return;
    }
    while (true) {
        const Seq end = data_end();
        const u32 available = m_snd_nxt.before(end) ? end - m_snd_nxt : 0;
        const bool fin_due = m_fin_queued && m_snd_nxt.at_or_before(end);
        const u32 window = min<u32>(m_snd_wnd, m_cwnd);
        const u32 in_flight = flight();
        const u32 usable = window > in_flight ? window - in_flight : 0;
        const u32 room = segment_room();
        const u32 length = min<u32>(min<u32>(available, usable), room);
        const bool fin = fin_due && length == available;
        if (length == 0 && !fin) break;
        if (length < room && !fin) {
            // Sender silly window avoidance with Nagle (RFC 9293 3.8.6.2.1,
            // RFC 896): a short segment goes only when it carries all that
            // is queued and nothing is unacknowledged (or Nagle is off), or
            // when it fills half the largest window the peer ever offered.
            //
            // A segment cut short by the window with nothing in flight goes
            // too: no ACK is coming to open the window further, so waiting
            // would only wait for RFC 1122's override timer.
            const bool all = length == available && (!m_config.nagle || in_flight == 0);
            const bool half = m_max_snd_wnd && length >= m_max_snd_wnd / 2;
            const bool window_bound = length == usable && in_flight == 0;
            if (!all && !half && !window_bound) break;
        }
        if (!send_next(length, fin) || fin) break;
    }
    // Zero window with data waiting and nothing in flight to bring an ACK:
    // probe (RFC 9293 3.8.6.1), with backoff.
    if (m_snd_wnd == 0 && m_snd_nxt.before(data_end()) && flight() == 0 && m_persist_at == kNoDeadline) {
        if (!m_persist_backoff) m_persist_backoff = m_rto;
        m_persist_at = now() + m_persist_backoff;
    }
    if (m_ack_now) send_ack();
}

bool TcpConnection::send_next(u32 length, bool fin) {
    const bool fresh = m_snd_nxt == m_snd_max;
    if (!send_data(m_snd_nxt, length, fin)) return false;
    if (fresh) {
        m_stats.bytes_out += length;
        if (!m_timing && length) {
            m_timing = true;
            m_timed_seq = m_snd_nxt;
            m_timed_at = now();
        }
    } else {
        ++m_stats.retransmits;
        m_tcp.counters.retransmits++;
    }
    m_snd_nxt += length + (fin ? 1 : 0);
    if (m_snd_nxt.after(m_snd_max)) m_snd_max = m_snd_nxt;
    arm_rto();
    if (fresh) schedule_probe();
    return true;
}

bool TcpConnection::send_data(Seq seq, usize length, bool fin) {
    TcpSegment s;
    s.seq = seq.value;
    s.flags = tcp_flag::kAck;
    if (fin) s.flags |= tcp_flag::kFin;
    const u32 offset = seq - m_send_base;
    if (length) {
        m_send.view(offset, length, s.payload, s.payload_more);
        if (seq + u32(length) == data_end()) s.flags |= tcp_flag::kPsh;
    }
    return transmit(s);
}

bool TcpConnection::send_control(u8 flags, Seq seq) {
    TcpSegment s;
    s.seq = seq.value;
    s.flags = flags;
    return transmit(s);
}

void TcpConnection::send_reset() {
    TcpSegment s;
    s.seq = m_snd_nxt.value;
    s.flags = tcp_flag::kRst | tcp_flag::kAck;
    (void)transmit(s);
}

u16 TcpConnection::advertised_window() {
    const usize room = m_receive.free();
    u32 window;
    if (m_state == TcpState::SynSent || m_state == TcpState::SynReceived) window = room > 0xffff ? 0xffff : u32(room);
    else window = u32((room >> m_rcv_wscale) > 0xffff ? 0xffff : (room >> m_rcv_wscale));
    return u16(window);
}

void TcpConnection::fill_options(TcpSegment& s, bool syn) {
    TcpOptions& o = s.options;
    if (syn) {
        o.mss = m_config.mss;
        const bool answering = m_state == TcpState::SynReceived;  // offer only what the peer offered
        o.has_window_scale = m_config.window_scale && (!answering || m_ws_on);
        o.window_scale = m_rcv_wscale;
        o.sack_permitted = m_config.sack && (!answering || m_sack_on);
        o.has_timestamps = m_config.timestamps && (!answering || m_ts_on);
        if (o.has_timestamps) {
            o.ts_value = ts_clock();
            o.ts_echo = answering ? m_ts_recent : 0;
        }
        return;
    }
    if (m_ts_on) {
        o.has_timestamps = true;
        o.ts_value = ts_clock();
        o.ts_echo = m_ts_recent;
    }
    if (m_sack_on && !m_reassembly.empty() && s.has(tcp_flag::kAck))
        m_reassembly.sack_blocks(o, sack_room(s.payload_length()));
}

bool TcpConnection::transmit(TcpSegment& s) {
    s.source_port = m_tuple.local_port;
    s.destination_port = m_tuple.remote_port;
    const bool syn = s.has(tcp_flag::kSyn);
    if (s.has(tcp_flag::kAck)) s.ack = m_rcv_nxt.value;
    if (!s.has(tcp_flag::kRst)) {
        s.window = advertised_window();
        fill_options(s, syn);
    } else if (m_ts_on) {
        fill_options(s, false);
        s.options.sack_count = 0;
    }
    if (m_tcp.transmit(m_tuple, s).is_error()) return false;
    ++m_stats.segments_out;
    if (s.has(tcp_flag::kAck)) {
        m_last_ack_sent = m_rcv_nxt;
        const u32 scale = syn ? 0 : m_rcv_wscale;
        m_advertised_edge = m_rcv_nxt + (u32(s.window) << scale);
        m_ack_now = false;
        m_batch_ack = false;
        m_unacked_segments = 0;
        m_delack_at = kNoDeadline;
    }
    return true;
}

}  // namespace mote
