#include "core/boot_timeline.hpp"

#include "base/verify.hpp"

namespace mote {

void BootTimeline::mark(StringView name, Nanoseconds end) {
    if (m_count == kMaxSteps) {
        ++m_dropped;
        return;
    }
    if (end < total()) end = total();
    m_steps[m_count++] = {name, end};
}

Nanoseconds BootTimeline::duration(usize index) const {
    VERIFY(index < m_count);
    return m_steps[index].end - (index ? m_steps[index - 1].end : 0);
}

}  // namespace mote
