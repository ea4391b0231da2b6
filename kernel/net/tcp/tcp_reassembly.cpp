#include "net/tcp/tcp_reassembly.hpp"

namespace mote {

void TcpReassembly::remove(usize i) {
    for (usize j = i + 1; j < m_count; ++j) m_ranges[j - 1] = m_ranges[j];
    --m_count;
}

bool TcpReassembly::add(Seq left, Seq right) {
    if (!left.before(right)) return true;  // nothing to record
    // Ranges the new one overlaps or touches are folded into it.
    usize first = 0;
    while (first < m_count && m_ranges[first].right.before(left)) ++first;
    usize last = first;  // one past the last range to merge
    while (last < m_count && m_ranges[last].left.at_or_before(right)) ++last;
    if (first == last) {
        if (m_count == kMaxRanges) return false;
        for (usize j = m_count; j > first; --j) m_ranges[j] = m_ranges[j - 1];
        m_ranges[first] = {left, right};
        ++m_count;
    } else {
        Range merged {seq_min(left, m_ranges[first].left), seq_max(right, m_ranges[last - 1].right)};
        m_ranges[first] = merged;
        for (usize k = last; k < m_count; ++k) m_ranges[first + 1 + (k - last)] = m_ranges[k];
        m_count -= (last - first - 1);
    }
    m_latest = left;
    return true;
}

Seq TcpReassembly::advance(Seq next) {
    while (m_count && m_ranges[0].left.at_or_before(next)) {
        if (m_ranges[0].right.after(next)) next = m_ranges[0].right;
        remove(0);
    }
    return next;
}

void TcpReassembly::sack_blocks(TcpOptions& options, usize limit) const {
    options.sack_count = 0;
    if (limit > TcpOptions::kMaxSackBlocks) limit = TcpOptions::kMaxSackBlocks;
    usize latest = m_count;
    for (usize i = 0; i < m_count; ++i)
        if (seq_in(m_latest, m_ranges[i].left, m_ranges[i].right)) latest = i;
    auto put = [&](usize i) {
        if (options.sack_count < limit) options.sack[options.sack_count++] = {m_ranges[i].left.value, m_ranges[i].right.value};
    };
    if (latest < m_count) put(latest);
    for (usize i = 0; i < m_count; ++i)
        if (i != latest) put(i);
}

}  // namespace mote
