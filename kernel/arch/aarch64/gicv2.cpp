#include "arch/aarch64/gic.hpp"
#include "arch/arch.hpp"

namespace mote::aarch64 {

namespace {
// What v2 adds to the shared distributor (IHI 0048B, 4.1.2 and 4.1.3): SPI
// targets and the memory-mapped CPU interface.
constexpr u64 kDistItargetsr = 0x800;
constexpr u64 kCpuCtlr = 0x00, kCpuPmr = 0x04, kCpuIar = 0x0c, kCpuEoir = 0x10;
}  // namespace

Result<void> GicV2::init(const fdt::Fdt&, fdt::Node node) {
    fdt::Reg dist_reg = TRY(node.reg(0));
    fdt::Reg cpu_if = TRY(node.reg(1));
    TRY(m_dist.map(dist_reg.base, 0x1000));
    m_cpu = TRY(Arch::map_device(cpu_if.base, 0x2000));
    // SGIs and PPIs are banked per CPU in the distributor: disabled too.
    m_dist.set_control(0);
    m_dist.disable_lines(0, false);
    m_dist.set_control(3);  // forward group 0 and group 1
    cpu(kCpuPmr) = 0xff;    // let every priority through
    cpu(kCpuCtlr) = 3;      // signal group 0 and group 1
    return {};
}

Result<void> GicV2::enable(u32 source) {
    if (source >= m_dist.lines()) return Error::OutOfRange;
    m_dist.set_priority(source);
    // SPIs go to CPU 0; SGI/PPI target registers are read-only.
    if (source >= 32) reinterpret_cast<volatile u8*>(m_dist.base() + kDistItargetsr)[source] = 1;
    unmask(source);
    return {};
}

void GicV2::mask(u32 source) {
    if (source < m_dist.lines()) m_dist.mask(source);
}

void GicV2::unmask(u32 source) {
    if (source < m_dist.lines()) m_dist.unmask(source);
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
