// The sender's SACK scoreboard (RFC 6675): which stretches of sequence
// space past snd_una the peer has said it holds (RFC 2018 blocks), so loss
// is seen from what arrived after a hole rather than from counting
// duplicate ACKs alone. That matters when both sides send: the peer's ACKs
// then ride on its data, and RFC 5681's duplicate ACK (no data) never
// comes, but its SACK blocks still grow with every segment past the hole.
//
// Bounded: at most kMaxRanges disjoint ranges, kept in sequence order. A
// block that would need one more range than that is forgotten (the highest
// range goes): forgetting SACK information only costs a retransmission the
// peer did not need, never a wrong one.
//
// SACK is advisory (RFC 2018 8: a receiver may renege), so the connection
// never treats SACKed bytes as acknowledged: they stay in the send ring
// until the cumulative ACK covers them, and the board is cleared on a
// retransmission timeout.
#pragma once

#include "net/tcp/tcp_segment.hpp"
#include "net/tcp/tcp_sequence.hpp"

namespace mote {

class TcpScoreboard {
public:
    static constexpr usize kMaxRanges = 8;
    // RFC 6675's DupThresh: three segments past a hole mean it is lost.
    static constexpr u32 kDupThresh = 3;

    struct Range {
        Seq left;
        Seq right;
    };

    // Takes the blocks of an ACK for [una, sent_end): blocks outside it (a
    // D-SACK below una, a lie past what was sent) and empty or inverted
    // ones are ignored. Returns how many bytes became SACKed that were not.
    u32 update(Seq una, Seq sent_end, const TcpOptions& options);
    // The cumulative ACK reached `una`: forgets what lies before it.
    void advance(Seq una);
    void clear() { m_count = 0; }

    bool empty() const { return m_count == 0; }
    usize count() const { return m_count; }
    const Range& at(usize i) const { return m_ranges[i]; }
    // The end of the highest SACKed range (only if !empty()).
    Seq highest() const { return m_ranges[m_count - 1].right; }
    // Whether `seq` lies in a SACKed range; if so `*end` is that range's end.
    bool sacked(Seq seq, Seq* end = nullptr) const;
    // RFC 6675 IsLost(seq): `threshold` (DupThresh) or more ranges, or more
    // than (threshold - 1) * mss bytes, SACKed past `seq`. The connection
    // lowers the threshold when only a few segments are out (RFC 5827).
    bool is_lost(Seq seq, u32 mss, u32 threshold = kDupThresh) const;
    // The first hole at or after `from` that lies below the highest SACKed
    // byte: [*left, *left + *length). False if there is none.
    bool next_hole(Seq from, Seq* left, u32* length) const;

private:
    bool insert(Seq left, Seq right, u32* added);

    Range m_ranges[kMaxRanges];
    usize m_count = 0;
};

}  // namespace mote
