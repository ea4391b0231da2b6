#include "arch/aarch64/gic_distributor.hpp"

#include "arch/arch.hpp"

namespace mote::aarch64 {

Result<void> GicDistributor::map(u64 base, u64 size) {
    m_base = TRY(Arch::map_device(base, size));
    // GICD_TYPER.ITLinesNumber: 32 * (N + 1) lines; INTIDs 1020 and up are
    // special, never lines.
    m_lines = min(32 * ((reg(kTyper) & 0x1f) + 1), u32(1020));
    return {};
}

void GicDistributor::disable_lines(u32 first_line, bool group1) {
    for (u32 word = first_line / 32; word < m_lines / 32; ++word) {
        reg(kIcenabler + 4 * word) = ~u32(0);
        if (group1) reg(kIgroupr + 4 * word) = ~u32(0);
    }
}

}  // namespace mote::aarch64
