// What a TcpConnection does with an arriving segment (RFC 9293 3.10.7):
// the checks in order (sequence acceptability, RST, SYN, ACK, data, FIN),
// the SYN-SENT handshake, the ACK's effects (the send window, RTT
// samples, congestion control on new data, duplicate ACKs and SACK into
// loss recovery), in-order and out-of-order data into the receive ring,
// and the peer's FIN. What it sends is tcp_output.cpp; opening, closing,
// the user's data and the timers are tcp_connection.cpp.
#include "net/tcp/tcp.hpp"
#include "net/tcp/tcp_connection.hpp"

namespace mote {

void TcpConnection::receive_segment(const TcpSegment& segment) {
    ++m_stats.segments_in;
    if (m_state == TcpState::Closed) return;
    if (m_config.keepalive && m_state == TcpState::Established) {
        m_keepalive_sent = 0;
        m_keepalive_at = now() + m_config.keepalive_idle;
    }
    if (m_state == TcpState::SynSent) {
        receive_syn_sent(segment);
        return;
    }
    TcpSegment s = segment;
    const bool rst = s.has(tcp_flag::kRst);

    // A peer that lost our SYN-ACK sends its SYN again: answer at once.
    if (m_state == TcpState::SynReceived && s.has(tcp_flag::kSyn) && !s.has(tcp_flag::kAck) && Seq(s.seq) == m_irs) {
        (void)send_control(tcp_flag::kSyn | tcp_flag::kAck, m_iss);
        return;
    }
    // PAWS (RFC 7323 5.3): a timestamp older than the newest we kept is an
    // old duplicate from a wrapped sequence space.
    if (m_ts_on && s.options.has_timestamps && !rst && i32(s.options.ts_value - m_ts_recent) < 0) {
        ++m_stats.paws_rejected;
        m_tcp.counters.paws_rejected++;
        send_ack();
        return;
    }
    if (!acceptable(s)) {
        if (!rst) send_ack();  // RFC 9293 3.10.7.4: tell the peer where we are
        return;
    }
    // Trim to the window: bytes before rcv_nxt were had already, bytes past
    // the window's end cannot be held.
    Seq seq(s.seq);
    ReadonlyBytes data = s.payload;
    bool fin = s.has(tcp_flag::kFin);
    if (seq.before(m_rcv_nxt)) {
        u32 cut = m_rcv_nxt - seq;
        if (s.has(tcp_flag::kSyn)) {
            s.flags &= u8(~tcp_flag::kSyn);
            --cut;
            seq += 1;
        }
        if (cut >= data.size()) {
            if (cut > data.size()) fin = false;  // that FIN was before rcv_nxt too
            if (!data.empty()) ++m_stats.duplicates;
            seq += u32(data.size());
            data = {};
        } else {
            data = data.slice(cut);
            seq += cut;
        }
    }
    const usize room = m_receive.free();
    const u32 offset = seq.after(m_rcv_nxt) ? seq - m_rcv_nxt : 0;
    if (offset + data.size() > room) {
        data = data.first(room > offset ? room - offset : 0);
        fin = false;
        m_ack_now = true;  // part of it was refused: say what we hold
    }

    if (rst) {
        // RFC 5961 3.2: only an exact match resets; anything else in the
        // window earns a challenge ACK, so a blind attacker must guess the
        // exact sequence number.
        if (Seq(s.seq) == m_rcv_nxt) {
            m_tcp.counters.resets_received++;
            if (m_state == TcpState::SynReceived && m_listener) finish();  // back to just listening
            else if (m_state == TcpState::Closing || m_state == TcpState::LastAck) finish();
            else fail(Error::PeerClosed);
        } else {
            ++m_stats.challenge_acks;
            m_tcp.counters.challenge_acks++;
            send_ack();
        }
        return;
    }
    if (s.has(tcp_flag::kSyn)) {
        // RFC 5961 4.2: a SYN in a synchronized state is answered with a
        // challenge ACK, never with a reset of the connection.
        ++m_stats.challenge_acks;
        m_tcp.counters.challenge_acks++;
        send_ack();
        return;
    }
    if (!s.has(tcp_flag::kAck)) return;
    bool drop = false;
    process_ack(s, drop);
    if (drop || m_state == TcpState::Closed) return;
    // RFC 7323 4.3: keep the timestamp of the segment that our next ACK
    // acknowledges.
    if (m_ts_on && s.options.has_timestamps && Seq(s.seq).at_or_before(m_last_ack_sent))
        m_ts_recent = s.options.ts_value;
    process_data(s, seq, data, fin);
    if (m_state == TcpState::Closed) return;
    output();
}

void TcpConnection::receive_syn_sent(const TcpSegment& s) {
    const bool has_ack = s.has(tcp_flag::kAck);
    const Seq ack(s.ack);
    if (has_ack && (ack.at_or_before(m_iss) || ack.after(m_snd_max))) {
        if (!s.has(tcp_flag::kRst)) {
            TcpSegment r;
            r.flags = tcp_flag::kRst;
            r.seq = s.ack;
            (void)transmit(r);
        }
        return;
    }
    if (s.has(tcp_flag::kRst)) {
        if (has_ack) {
            m_tcp.counters.resets_received++;
            fail(Error::PeerClosed);  // refused
        }
        return;
    }
    if (!s.has(tcp_flag::kSyn)) return;
    m_irs = Seq(s.seq);
    m_rcv_nxt = m_irs + 1;
    take_peer_options(s);
    m_snd_wnd = s.window;
    m_max_snd_wnd = m_snd_wnd;
    m_snd_wl1 = Seq(s.seq);
    m_snd_wl2 = ack;
    if (!has_ack) {
        // Simultaneous open (RFC 9293 3.5, figure 8).
        enter(TcpState::SynReceived);
        (void)send_control(tcp_flag::kSyn | tcp_flag::kAck, m_iss);
        return;
    }
    m_snd_una = ack;
    if (m_retries == 0 && m_timing) rtt_sample(now() - m_timed_at);
    m_timing = false;
    m_retries = 0;
    m_rto_at = kNoDeadline;
    enter(TcpState::Established);
    m_tcp.connection_established(*this);
    m_ack_now = true;
    output();
    notify();
}

bool TcpConnection::acceptable(const TcpSegment& s) const {
    const Seq seq(s.seq);
    const u32 length = s.sequence_length();
    const u32 window = u32(m_receive.free());
    if (length == 0) {
        if (window == 0) return seq == m_rcv_nxt;
        return seq_in(seq, m_rcv_nxt, m_rcv_nxt + window);
    }
    // With no room, a segment at rcv_nxt is still read for its ACK and
    // RST (RFC 9293 3.10.7.4); its bytes are trimmed away.
    if (window == 0) return seq == m_rcv_nxt;
    return seq_in(seq, m_rcv_nxt, m_rcv_nxt + window) || seq_in(seq + (length - 1), m_rcv_nxt, m_rcv_nxt + window);
}

void TcpConnection::process_ack(const TcpSegment& s, bool& drop) {
    const Seq ack(s.ack);
    const Seq seq(s.seq);
    if (m_state == TcpState::SynReceived) {
        if (!(ack.after(m_snd_una) && ack.at_or_before(m_snd_max))) {
            TcpSegment r;
            r.flags = tcp_flag::kRst;
            r.seq = s.ack;
            (void)transmit(r);
            drop = true;
            return;
        }
        enter(m_fin_queued ? TcpState::FinWait1 : TcpState::Established);
        m_snd_wnd = u32(s.window) << m_snd_wscale;
        m_max_snd_wnd = max<u32>(m_max_snd_wnd, m_snd_wnd);
        m_snd_wl1 = seq;
        m_snd_wl2 = ack;
        m_tcp.connection_established(*this);
        notify();
    }
    if (ack.after(m_snd_max)) {
        // It acknowledges something we never sent (RFC 9293 3.10.7.4).
        send_ack();
        drop = true;
        return;
    }
    // RFC 5961 5.2: an ACK far older than anything we could still have in
    // flight is not from this connection's peer.
    const u32 old_limit = max<u32>(m_max_snd_wnd, 65535);
    if (ack.before(m_snd_una - old_limit)) {
        ++m_stats.challenge_acks;
        send_ack();
        drop = true;
        return;
    }
    const u32 window = u32(s.window) << m_snd_wscale;
    const bool window_same = window == m_snd_wnd;
    // RFC 9293 3.10.7.4: take the window only from a segment that is not
    // older than the one it was last taken from.
    if (m_snd_wl1.before(seq) || (m_snd_wl1 == seq && m_snd_wl2.at_or_before(ack))) {
        const bool opened = m_snd_wnd == 0 && window > 0;
        m_snd_wnd = window;
        m_max_snd_wnd = max<u32>(m_max_snd_wnd, window);
        m_snd_wl1 = seq;
        m_snd_wl2 = ack;
        if (opened) {
            m_persist_at = kNoDeadline;
            m_persist_backoff = 0;
        }
    }
    // SACK blocks first, against the una this ACK leaves, so a partial ACK
    // in recovery sees the holes as they are now.
    u32 newly_sacked = 0;
    if (m_sack_on && s.options.sack_count)
        newly_sacked = m_scoreboard.update(seq_max(ack, m_snd_una), m_snd_max, s.options);
    if (ack.after(m_snd_una)) {
        new_ack(ack, s);
        // An ACK that moves snd_una can still show a hole past it: it
        // counts as a duplicate when it SACKs new bytes (RFC 6675 2). A
        // delayed ACK for earlier data often carries the first SACK block.
        if (newly_sacked && !m_in_recovery && flight() > 0 && !s.has(tcp_flag::kFin)) duplicate_ack();
    } else if (ack == m_snd_una && !s.has(tcp_flag::kFin) && flight() > 0 &&
               (newly_sacked || (s.payload.empty() && window_same))) {
        // RFC 5681's duplicate ACK carries no data; one that SACKs new
        // bytes counts too (RFC 6675 2), data or not: when both sides
        // send, the peer's ACKs ride on its data and would never count.
        duplicate_ack();
    }

    if (!fin_acked()) return;
    switch (m_state) {
    case TcpState::FinWait1: enter(TcpState::FinWait2); break;
    case TcpState::Closing:
        m_tcp.enter_time_wait(*this);
        finish();
        drop = true;
        break;
    case TcpState::LastAck:
        finish();
        drop = true;
        break;
    default: break;
    }
}

void TcpConnection::new_ack(Seq ack, const TcpSegment& s) {
    const u32 acked = ack - m_snd_una;
    const u32 bytes = ack.after(m_send_base) ? min<u32>(ack - m_send_base, u32(m_send.size())) : 0;
    m_send.consume(bytes);
    m_send_base += bytes;
    m_snd_una = ack;
    m_scoreboard.advance(ack);
    if (m_snd_nxt.before(m_snd_una)) m_snd_nxt = m_snd_una;
    m_retries = 0;

    // Round trip: from the echoed timestamp when there is one (valid even
    // for retransmitted data, RFC 7323 4), else from the one segment being
    // timed, never a retransmitted one (Karn's rule).
    if (m_ts_on && s.options.has_timestamps && s.options.ts_echo != 0) {
        const u32 ms = ts_clock() - s.options.ts_echo;
        if (ms < 60000) rtt_sample(Nanoseconds(ms) * kMillisecond);
        m_timing = false;
    } else if (m_timing && ack.after(m_timed_seq)) {
        rtt_sample(now() - m_timed_at);
        m_timing = false;
    }

    const u32 mss = m_send_mss;
    if (m_in_recovery) {
        if (ack.at_or_after(m_recover)) {
            // Full acknowledgment (RFC 6582 3.2 step 3): leave recovery.
            m_cwnd = min<u32>(m_ssthresh, max<u32>(flight(), mss) + mss);
            m_in_recovery = false;
            m_dup_acks = 0;
        } else {
            // Partial acknowledgment: the next hole is lost too. Resend it
            // (unless this recovery resent it already: then the next lost
            // hole the peer's SACKs show), deflate the window by what was
            // acknowledged (step 4).
            if (m_snd_una.at_or_after(m_rexmit_next)) (void)retransmit(m_snd_una, false);
            else retransmit_lost_hole();
            m_cwnd = m_cwnd > acked ? m_cwnd - acked : 0;
            if (acked >= mss) m_cwnd += mss;
            m_cwnd = max<u32>(m_cwnd, mss);
        }
    } else {
        m_dup_acks = 0;
        if (m_cwnd < m_ssthresh) m_cwnd += min<u32>(acked, mss);  // slow start (RFC 5681 3.1, RFC 3465 L=1)
        else m_cwnd += max<u32>(1, u32(u64(mss) * mss / m_cwnd));  // congestion avoidance
    }
    // RFC 6298 5.2/5.3: stop the timer when all is acknowledged, else
    // restart it.
    if (flight() == 0) m_rto_at = kNoDeadline;
    else m_rto_at = now() + m_rto;
    if (m_probe_episode && m_snd_una.at_or_after(m_probe_high)) {
        m_probe_episode = false;
        if (m_probe_resent && !m_in_recovery) {
            m_ssthresh = max<u32>(m_cwnd / 2, 2 * mss);
            m_cwnd = m_ssthresh;
        }
    }
    schedule_probe();
    if (bytes) notify();  // room to write
}

void TcpConnection::process_data(const TcpSegment& s, Seq seq, ReadonlyBytes data, bool fin) {
    (void)s;
    const bool takes_data =
        m_state == TcpState::Established || m_state == TcpState::FinWait1 || m_state == TcpState::FinWait2;
    if (!takes_data) {
        // The peer has sent its FIN already; anything more is a duplicate
        // (its FIN again, most likely), which earns an ACK.
        if (!data.empty() || fin) m_ack_now = true;
        return;
    }
    bool readable = false;
    if (!data.empty()) {
        if (seq == m_rcv_nxt) {
            const bool had_hole = !m_reassembly.empty();
            m_receive.write_at(m_receive.size(), data);
            const Seq old = m_rcv_nxt;
            m_rcv_nxt = m_reassembly.advance(m_rcv_nxt + u32(data.size()));
            const u32 got = m_rcv_nxt - old;
            m_receive.commit(got);
            m_stats.bytes_in += got;
            readable = true;
            if (had_hole) {
                m_ack_now = true;  // a filled hole is acknowledged at once
            } else if (++m_unacked_segments >= 2) {
                // Every second segment is acknowledged (RFC 5681 4.2): at
                // once, or inside a receive batch at its end, one ACK for
                // the batch (Tcp::begin_batch).
                if (m_tcp.in_batch() && m_unacked_segments < kBatchAckSegments) {
                    if (!m_batch_ack) {
                        m_batch_ack = true;
                        m_tcp.owe_batch_ack();
                    }
                } else {
                    m_ack_now = true;
                }
            } else if (m_delack_at == kNoDeadline) {
                // A lone one waits for the delayed-ACK timer or for data of
                // ours to ride on.
                m_delack_at = now() + kDelayedAck;
            }
        } else {
            // Past a hole: kept in place, reported by SACK, and a duplicate
            // ACK goes out at once so the sender's fast retransmit can start.
            const u32 offset = seq - m_rcv_nxt;
            if (m_reassembly.add(seq, seq + u32(data.size()))) {
                m_receive.write_at(m_receive.size() + offset, data);
                ++m_stats.out_of_order;
                m_tcp.counters.out_of_order++;
            } else {
                ++m_stats.out_of_order_full;
                m_tcp.counters.out_of_order_full++;
                fin = false;
            }
            m_ack_now = true;
        }
    }
    if (fin) {
        m_fin_pending = true;
        m_fin_seq = seq + u32(data.size());
    }
    if (m_fin_pending && m_fin_seq == m_rcv_nxt) {
        process_fin();
        return;
    }
    if (readable) notify();
}

void TcpConnection::process_fin() {
    m_fin_pending = false;
    m_fin_received = true;
    m_rcv_nxt += 1;
    m_ack_now = true;
    switch (m_state) {
    case TcpState::Established: enter(TcpState::CloseWait); break;
    case TcpState::FinWait1:
        if (!fin_acked()) {
            enter(TcpState::Closing);  // simultaneous close
            break;
        }
        [[fallthrough]];
    case TcpState::FinWait2:
        send_ack();
        m_tcp.enter_time_wait(*this);
        finish();
        return;
    default: break;
    }
    notify();
}

}  // namespace mote
