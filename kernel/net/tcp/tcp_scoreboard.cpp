#include "net/tcp/tcp_scoreboard.hpp"

namespace mote {

u32 TcpScoreboard::update(Seq una, Seq sent_end, const TcpOptions& options) {
    u32 added = 0;
    for (usize i = 0; i < options.sack_count && i < TcpOptions::kMaxSackBlocks; ++i) {
        Seq left(options.sack[i].left);
        Seq right(options.sack[i].right);
        if (!left.before(right)) continue;
        // Only the part inside what is outstanding means anything.
        if (right.at_or_before(una) || left.after(sent_end) || right.after(sent_end)) continue;
        if (left.before(una)) left = una;
        (void)insert(left, right, &added);
    }
    return added;
}

bool TcpScoreboard::insert(Seq left, Seq right, u32* added) {
    // Find where it goes in sequence order, then merge with every range it
    // touches or overlaps.
    usize at = 0;
    while (at < m_count && m_ranges[at].right.before(left)) ++at;
    usize last = at;
    Seq new_left = left;
    Seq new_right = right;
    u32 covered = 0;  // bytes of [left, right) already SACKed
    while (last < m_count && m_ranges[last].left.at_or_before(right)) {
        const Range& r = m_ranges[last];
        const Seq overlap_left = seq_max(r.left, left);
        const Seq overlap_right = seq_min(r.right, right);
        if (overlap_left.before(overlap_right)) covered += overlap_right - overlap_left;
        new_left = seq_min(new_left, r.left);
        new_right = seq_max(new_right, r.right);
        ++last;
    }
    const usize merged = last - at;  // ranges replaced by one
    if (merged == 0) {
        if (m_count == kMaxRanges) {
            // Full: keep the lower ranges (they decide what is lost first)
            // and forget the highest, or this block if it is the highest.
            if (at == m_count) return false;
            --m_count;
        }
        for (usize i = m_count; i > at; --i) m_ranges[i] = m_ranges[i - 1];
        ++m_count;
    } else {
        for (usize i = at + 1, j = last; j < m_count; ++i, ++j) m_ranges[i] = m_ranges[j];
        m_count -= merged - 1;
    }
    m_ranges[at] = Range {new_left, new_right};
    *added += (right - left) - covered;
    return true;
}

void TcpScoreboard::advance(Seq una) {
    usize drop = 0;
    while (drop < m_count && m_ranges[drop].right.at_or_before(una)) ++drop;
    for (usize i = 0; i + drop < m_count; ++i) m_ranges[i] = m_ranges[i + drop];
    m_count -= drop;
    if (m_count && m_ranges[0].left.before(una)) m_ranges[0].left = una;
}

bool TcpScoreboard::sacked(Seq seq, Seq* end) const {
    for (usize i = 0; i < m_count; ++i) {
        if (seq_in(seq, m_ranges[i].left, m_ranges[i].right)) {
            if (end) *end = m_ranges[i].right;
            return true;
        }
    }
    return false;
}

bool TcpScoreboard::is_lost(Seq seq, u32 mss, u32 threshold) const {
    u32 ranges = 0;
    u64 bytes = 0;
    for (usize i = 0; i < m_count; ++i) {
        const Range& r = m_ranges[i];
        if (r.right.at_or_before(seq)) continue;
        ++ranges;
        bytes += r.right - seq_max(r.left, seq + 1);
    }
    return ranges >= threshold || bytes > u64(threshold - 1) * mss;
}

bool TcpScoreboard::next_hole(Seq from, Seq* left, u32* length) const {
    Seq at = from;
    for (usize i = 0; i < m_count; ++i) {
        const Range& r = m_ranges[i];
        if (r.right.at_or_before(at)) continue;
        if (r.left.after(at)) {
            *left = at;
            *length = r.left - at;
            return true;
        }
        at = r.right;  // `at` was inside this range: the hole starts after it
    }
    return false;
}

}  // namespace mote
