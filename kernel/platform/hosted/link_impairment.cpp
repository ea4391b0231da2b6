#include "platform/hosted/link_impairment.hpp"

namespace mote {

Result<u32> parse_percent_per_mille(StringView text) {
    u32 whole = 0;
    usize i = 0;
    usize digits = 0;
    for (; i < text.length() && text[i] >= '0' && text[i] <= '9'; ++i, ++digits) {
        whole = whole * 10 + u32(text[i] - '0');
        if (whole > 100) return Error::InvalidArgument;
    }
    if (!digits) return Error::InvalidArgument;
    u32 tenths = 0;
    if (i < text.length()) {
        if (text[i] != '.' || i + 2 != text.length() || text[i + 1] < '0' || text[i + 1] > '9')
            return Error::InvalidArgument;
        tenths = u32(text[i + 1] - '0');
    }
    u32 per_mille = whole * 10 + tenths;
    if (per_mille > 1000) return Error::InvalidArgument;
    return per_mille;
}

void LinkImpairment::configure(const ImpairmentConfig& config, u64 stream) {
    m_config = config;
    // Two directions from one seed: distinct, never-zero xorshift states.
    m_state = (config.seed ^ (stream * 0x9e3779b97f4a7c15ull)) | 1;
    m_dropped = 0;
    m_held = 0;
}

u64 LinkImpairment::next_random() {
    // xorshift64* (Marsaglia; Vigna's multiplier): fast, good enough to
    // pick which frames to disturb, and reproducible from the seed.
    m_state ^= m_state >> 12;
    m_state ^= m_state << 25;
    m_state ^= m_state >> 27;
    return m_state * 0x2545f4914f6cdd1dull;
}

LinkImpairment::Verdict LinkImpairment::next_verdict() {
    if (!m_config.active()) return Verdict::Pass;
    u32 roll = u32((next_random() >> 32) % 1000);
    if (roll < m_config.loss_per_mille) {
        ++m_dropped;
        return Verdict::Drop;
    }
    if (roll < m_config.loss_per_mille + m_config.reorder_per_mille) {
        ++m_held;
        return Verdict::Hold;
    }
    return Verdict::Pass;
}

}  // namespace mote
