// Seeded loss and reordering for the hosted TAP device: the test harness's
// bad network, on Mote's side of the link, so Linux's TCP talking to Mote
// sees a lossy path without the host's netem (which a container's kernel
// may not have).
//
// Each frame gets a verdict from a xorshift generator seeded at start-up:
// Drop (it vanishes), Hold (it waits until the next frame in the same
// direction has gone, or a short timeout, so the two arrive swapped) or
// Pass. The same seed, options and frame sequence give the same verdicts,
// so a failing run can be replayed.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"

namespace mote {

struct ImpairmentConfig {
    // Probabilities in tenths of a percent (per mille): 10 is 1%.
    u32 loss_per_mille = 0;
    u32 reorder_per_mille = 0;
    u64 seed = 1;

    bool active() const { return loss_per_mille || reorder_per_mille; }
};

// Parses "5", "0.5" or "12.5" (percent, one decimal at most) into per
// mille. InvalidArgument for anything else or above 100%.
Result<u32> parse_percent_per_mille(StringView text);

class LinkImpairment {
public:
    enum class Verdict { Pass, Drop, Hold };

    void configure(const ImpairmentConfig& config, u64 stream);
    Verdict next_verdict();

    u64 dropped() const { return m_dropped; }
    u64 held() const { return m_held; }

private:
    u64 next_random();

    ImpairmentConfig m_config;
    u64 m_state = 1;
    u64 m_dropped = 0;
    u64 m_held = 0;
};

}  // namespace mote
