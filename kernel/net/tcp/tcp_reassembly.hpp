// The out-of-order bytes a connection holds: up to kMaxRanges disjoint
// [left, right) stretches of sequence space past rcv_nxt, whose bytes sit
// in the receive ring at their final places (ByteRing::write_at). A segment
// that would need one range more is dropped and counted; the sender
// retransmits it. The ranges are also what SACK reports (RFC 2018), the
// most recently changed first.
#pragma once

#include "net/tcp/tcp_segment.hpp"
#include "net/tcp/tcp_sequence.hpp"

namespace mote {

class TcpReassembly {
public:
    static constexpr usize kMaxRanges = 8;

    struct Range {
        Seq left;
        Seq right;
    };

    bool empty() const { return m_count == 0; }
    usize count() const { return m_count; }
    const Range& at(usize i) const { return m_ranges[i]; }

    // Records [left, right) as held. Merges with the ranges it touches.
    // False if that would need more than kMaxRanges ranges (nothing is
    // recorded then, and the caller drops the bytes).
    bool add(Seq left, Seq right);
    // rcv_nxt has reached `next`: drops ranges wholly before it and, if a
    // range starts at or before it, removes that range and returns its end
    // (the new rcv_nxt). Returns `next` when nothing joins.
    Seq advance(Seq next);
    // Fills `options` with up to `limit` SACK blocks, the most recently
    // added range first (RFC 2018 4).
    void sack_blocks(TcpOptions& options, usize limit) const;
    void clear() { m_count = 0; }

private:
    void remove(usize i);

    Range m_ranges[kMaxRanges];  // sorted by left edge
    usize m_count = 0;
    Seq m_latest;  // a sequence number inside the most recently added range
};

}  // namespace mote
