// Loss recovery and the round-trip estimate of a TcpConnection: what a
// duplicate ACK means (RFC 5681, 6582, 6675 with the scoreboard), early
// retransmit (RFC 5827), the tail loss probe (RFC 8985 7), resending one
// segment, and the RTO from round-trip samples (RFC 6298). Arrivals are in
// tcp_input.cpp; new_ack() there calls into this on every cumulative ACK.
#include "net/tcp/tcp.hpp"
#include "net/tcp/tcp_connection.hpp"

namespace mote {

void TcpConnection::duplicate_ack() {
    ++m_dup_acks;
    const u32 mss = m_send_mss;
    if (m_in_recovery) {
        m_cwnd += mss;  // each duplicate means a segment left the network
        retransmit_lost_hole();
        return;
    }
    // Three duplicates (RFC 5681 3.2), or a scoreboard that already shows
    // snd_una lost (RFC 6675 5 (C)/(4)): enough arrived past it.
    const u32 threshold = loss_threshold();
    const bool lost = m_dup_acks >= threshold || (m_sack_on && m_scoreboard.is_lost(m_snd_una, mss, threshold));
    if (!lost) return;
    // RFC 6582 4.1: only a loss after the last recovery's end starts a new
    // one, so one window's losses cost one halving.
    if (m_snd_una.before(m_recover)) return;
    m_ssthresh = max<u32>(flight() / 2, 2 * mss);
    m_recover = m_snd_max;
    m_in_recovery = true;
    m_rexmit_next = m_snd_una;
    m_probe_episode = false;  // the recovery answers for the window now
    m_probe_at = kNoDeadline;
    (void)retransmit(m_snd_una, true);
    m_timing = false;
    m_cwnd = m_ssthresh + 3 * mss;
}

u32 TcpConnection::loss_threshold() const {
    const u32 mss = m_send_mss;
    const u32 outstanding = (flight() + mss - 1) / mss;
    if (outstanding >= TcpScoreboard::kDupThresh + 1 || outstanding < 2) return TcpScoreboard::kDupThresh;
    const u32 window = min<u32>(m_snd_wnd, m_cwnd);
    const bool more_to_send = data_end().after(m_snd_nxt) && window >= flight() + mss;
    return more_to_send ? TcpScoreboard::kDupThresh : outstanding - 1;
}

void TcpConnection::schedule_probe() {
    m_probe_at = kNoDeadline;
    // SACK shows what the probe's ACK found; more than one segment out,
    // or the peer's delayed ACK (up to 200 ms, RFC 8985 7.2) would make
    // the probe no sooner than the RTO.
    if (!m_sack_on || !m_rtt_valid || m_in_recovery || m_probe_episode || flight() <= m_send_mss) return;
    if (m_state != TcpState::Established && m_state != TcpState::CloseWait) return;
    Nanoseconds timeout = 2 * m_srtt;
    if (timeout < kMinProbeTimeout) timeout = kMinProbeTimeout;
    const Nanoseconds at = now() + timeout;
    if (at < m_rto_at) m_probe_at = at;
}

void TcpConnection::send_probe() {
    const u32 mss = m_send_mss;
    m_probe_episode = true;
    m_probe_resent = false;
    ++m_stats.probes;
    m_tcp.counters.tail_loss_probes++;
    // New data if the peer's window has room for it, whatever cwnd says
    // (RFC 8985 7.3): it probes as well and repairs nothing spuriously.
    const Seq before = m_snd_max;
    if (data_end().after(m_snd_nxt) && m_snd_wnd >= flight() + mss) {
        const u32 length = min<u32>(data_end() - m_snd_nxt, segment_room());
        (void)send_next(length, m_fin_queued && m_snd_nxt + length == data_end());
    }
    if (m_snd_max == before) {
        // Nothing new went: the last segment sent, again.
        const Seq sent_end = seq_min(m_snd_max, data_end());
        const u32 length = min<u32>(segment_room(), sent_end - m_snd_una);
        m_probe_resent = retransmit(sent_end - length, false);
    }
    m_probe_high = m_snd_max;
}

bool TcpConnection::retransmit(Seq seq, bool fast) {
    const u32 length = min<u32>(segment_room(), data_end() - seq);
    if (!send_data(seq, length, m_fin_queued && seq + length == data_end())) return false;
    if (fast) {
        ++m_stats.fast_retransmits;
        m_tcp.counters.fast_retransmits++;
    } else {
        ++m_stats.retransmits;
        m_tcp.counters.retransmits++;
    }
    if ((seq + length).after(m_rexmit_next)) m_rexmit_next = seq + length;
    return true;
}

void TcpConnection::retransmit_lost_hole() {
    if (!m_sack_on || m_scoreboard.empty()) return;
    Seq left;
    u32 length = 0;
    if (!m_scoreboard.next_hole(seq_max(m_rexmit_next, m_snd_una), &left, &length)) return;
    if (!m_scoreboard.is_lost(left, m_send_mss)) return;
    (void)retransmit(left, false);
}

void TcpConnection::rtt_sample(Nanoseconds rtt) {
    // RFC 6298 2.2 and 2.3, with alpha 1/8 and beta 1/4.
    if (!m_rtt_valid) {
        m_srtt = rtt;
        m_rttvar = rtt / 2;
        m_rtt_valid = true;
    } else {
        const Nanoseconds delta = m_srtt > rtt ? m_srtt - rtt : rtt - m_srtt;
        m_rttvar = (3 * m_rttvar + delta) / 4;
        m_srtt = (7 * m_srtt + rtt) / 8;
    }
    const Nanoseconds variance = 4 * m_rttvar > kMillisecond ? 4 * m_rttvar : kMillisecond;
    m_rto = m_srtt + variance;
    if (m_rto < kMinRto) m_rto = kMinRto;
    if (m_rto > kMaxRto) m_rto = kMaxRto;
}

}  // namespace mote
