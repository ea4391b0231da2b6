#include "arch/aarch64/gic.hpp"
#include "arch/arch.hpp"

namespace mote::aarch64 {

namespace {
// What v3 adds to the shared distributor (IHI 0069, chapter 12): SPI
// routing, the register-write-pending bit, the redistributor.
constexpr u64 kDistIrouter = 0x6000;
constexpr u32 kCtlrRwp = u32(1) << 31;
constexpr u32 kCtlrAre = 1 << 4, kCtlrGrp1 = 1 << 1;
constexpr u64 kRedistWaker = 0x0014;
constexpr u32 kWakerProcessorSleep = 1 << 1, kWakerChildrenAsleep = 1 << 2;
constexpr u64 kSgiIgroupr0 = 0x0080, kSgiIsEnabler0 = 0x0100, kSgiIcEnabler0 = 0x0180, kSgiIpriorityr = 0x0400;
constexpr u32 kSpinLimit = 1000000;  // a GIC that never settles is reported, not waited on forever
}  // namespace

void GicV3::wait_for_distributor() {
    for (u32 i = 0; i < kSpinLimit && (m_dist.control() & kCtlrRwp); ++i) {
    }
}

Result<void> GicV3::init(const fdt::Fdt&, fdt::Node node) {
    fdt::Reg dist_reg = TRY(node.reg(0));
    fdt::Reg redist_reg = TRY(node.reg(1));
    TRY(m_dist.map(dist_reg.base, 0x10000));
    // The boot CPU's redistributor is the first one: 2 x 64 KiB frames
    // (RD_base, SGI_base). Mote runs on one CPU.
    m_redist = TRY(Arch::map_device(redist_reg.base, 0x20000));

    // SGIs and PPIs live in the redistributor (below); SPIs from 32 up,
    // all in non-secure group 1.
    m_dist.set_control(0);
    wait_for_distributor();
    m_dist.disable_lines(32, true);
    m_dist.set_control(kCtlrAre | kCtlrGrp1);
    wait_for_distributor();

    // Wake the redistributor (12.11.42, GICR_WAKER).
    auto& waker = *reinterpret_cast<volatile u32*>(m_redist + kRedistWaker);
    waker = waker & ~kWakerProcessorSleep;
    for (u32 i = 0; i < kSpinLimit && (waker & kWakerChildrenAsleep); ++i) {
    }
    if (waker & kWakerChildrenAsleep) return Error::Timeout;
    sgi(kSgiIcEnabler0) = ~u32(0);
    sgi(kSgiIgroupr0) = ~u32(0);

    // The CPU interface through system registers: enable them
    // (ICC_SRE_EL1.SRE), accept every priority, enable group 1.
    u64 sre;
    asm volatile("mrs %0, S3_0_C12_C12_5" : "=r"(sre));
    asm volatile("msr S3_0_C12_C12_5, %0\n isb" ::"r"(sre | 1));
    asm volatile("msr S3_0_C4_C6_0, %0" ::"r"(u64(0xff)));   // ICC_PMR_EL1
    asm volatile("msr S3_0_C12_C12_7, %0\n isb" ::"r"(u64(1)));  // ICC_IGRPEN1_EL1
    return {};
}

Result<void> GicV3::enable(u32 source) {
    if (source >= m_dist.lines()) return Error::OutOfRange;
    if (source < 32) {
        reinterpret_cast<volatile u8*>(m_redist + 0x10000 + kSgiIpriorityr)[source] = GicDistributor::kPriority;
    } else {
        m_dist.set_priority(source);
        dist64(kDistIrouter + 8 * u64(source)) = 0;  // affinity 0.0.0.0: the boot CPU
    }
    unmask(source);
    return {};
}

void GicV3::mask(u32 source) {
    if (source < 32) sgi(kSgiIcEnabler0) = u32(1) << source;
    else if (source < m_dist.lines()) m_dist.mask(source);
}

void GicV3::unmask(u32 source) {
    if (source < 32) sgi(kSgiIsEnabler0) = u32(1) << source;
    else if (source < m_dist.lines()) m_dist.unmask(source);
}

u32 GicV3::claim() {
    u64 iar;
    asm volatile("mrs %0, S3_0_C12_C12_0" : "=r"(iar));  // ICC_IAR1_EL1
    u32 id = u32(iar & 0xffffff);
    if (id >= kSpurious - 3 && id <= kSpurious) return kNone;
    return id;
}

void GicV3::complete(u32 source) {
    asm volatile("msr S3_0_C12_C12_1, %0" ::"r"(u64(source)));  // ICC_EOIR1_EL1
}

}  // namespace mote::aarch64

namespace mote {

Result<IrqController*> Arch::irq_controller(const fdt::Fdt& fdt, fdt::Node node) {
    static aarch64::GicV2 v2;
    static aarch64::GicV3 v3;
    if (node.is_compatible("arm,gic-v3")) {
        TRY(v3.init(fdt, node));
        return static_cast<IrqController*>(&v3);
    }
    if (node.is_compatible("arm,cortex-a15-gic") || node.is_compatible("arm,gic-400")) {
        TRY(v2.init(fdt, node));
        return static_cast<IrqController*>(&v2);
    }
    return Error::NotFound;
}

}  // namespace mote
