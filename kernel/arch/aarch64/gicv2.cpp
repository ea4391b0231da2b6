#include "arch/aarch64/gic.hpp"
#include "arch/arch.hpp"

namespace mote::aarch64 {

namespace {
// Distributor and CPU interface registers (IHI 0048B, 4.1.2 and 4.1.3).
constexpr u64 kDistCtlr = 0x000, kDistTyper = 0x004, kDistIsEnabler = 0x100, kDistIcEnabler = 0x180;
constexpr u64 kDistIpriorityr = 0x400, kDistItargetsr = 0x800;
constexpr u64 kCpuCtlr = 0x00, kCpuPmr = 0x04, kCpuIar = 0x0c, kCpuEoir = 0x10;
}  // namespace

Result<void> GicV2::init(const fdt::Fdt&, fdt::Node node) {
    fdt::Reg dist_reg = TRY(node.reg(0));
    fdt::Reg cpu_if = TRY(node.reg(1));
    m_dist = TRY(Arch::map_device(dist_reg.base, 0x1000));
    m_cpu = TRY(Arch::map_device(cpu_if.base, 0x2000));
    // GICD_TYPER.ITLinesNumber: 32 * (N + 1) lines.
    m_lines = 32 * ((dist(kDistTyper) & 0x1f) + 1);
    if (m_lines > 1020) m_lines = 1020;
    dist(kDistCtlr) = 0;
    for (u32 i = 0; i < m_lines / 32; ++i) dist(kDistIcEnabler + 4 * i) = ~u32(0);
    dist(kDistCtlr) = 3;    // forward group 0 and group 1
    cpu(kCpuPmr) = 0xff;    // let every priority through
    cpu(kCpuCtlr) = 3;      // signal group 0 and group 1
    return {};
}

Result<void> GicV2::enable(u32 source) {
    if (source >= m_lines) return Error::OutOfRange;
    reinterpret_cast<volatile u8*>(m_dist + kDistIpriorityr)[source] = 0xa0;
    // SPIs go to CPU 0; SGI/PPI target registers are read-only.
    if (source >= 32) reinterpret_cast<volatile u8*>(m_dist + kDistItargetsr)[source] = 1;
    unmask(source);
    return {};
}

void GicV2::mask(u32 source) {
    if (source < m_lines) dist(kDistIcEnabler + 4 * (source / 32)) = u32(1) << (source % 32);
}

void GicV2::unmask(u32 source) {
    if (source < m_lines) dist(kDistIsEnabler + 4 * (source / 32)) = u32(1) << (source % 32);
}

u32 GicV2::claim() {
    u32 iar = cpu(kCpuIar);
    u32 id = iar & 0x3ff;
    if (id >= kSpurious - 3) return kNone;
    return id;
}

// Writing the INTID to EOIR drops priority and deactivates (GICC_CTLR.EOImode 0).
void GicV2::complete(u32 source) { cpu(kCpuEoir) = source; }

Result<u32> gic_decode(const u32* cells, u32 count, u32 max_intid) {
    if (count < 3) return Error::Malformed;
    u32 id;
    if (cells[0] == 0) id = 32 + cells[1];       // SPI
    else if (cells[0] == 1) id = 16 + cells[1];  // PPI
    else return Error::Unsupported;
    if (id >= max_intid || id >= 1020) return Error::OutOfRange;
    return id;
}

}  // namespace mote::aarch64
