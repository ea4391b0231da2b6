// The Arm Generic Interrupt Controller, versions 2 and 3 (GIC architecture
// specification IHI 0048B for v2, IHI 0069 for v3). QEMU virt has either,
// by `-M virt,gic-version=2|3`; the devicetree says which.
//
// Interrupt ids (INTIDs): 0-15 SGIs, 16-31 PPIs (per CPU: the timers),
// 32-1019 SPIs (devices), 1020-1023 special (1023: nothing pending).
#pragma once

#include "arch/aarch64/gic_distributor.hpp"
#include "dev/irq_controller.hpp"
#include "firmware/fdt.hpp"

namespace mote::aarch64 {

inline constexpr u32 kSpurious = 1023;

// The devicetree's 3-cell GIC specifier (binding arm,gic): type (0 SPI,
// 1 PPI), number within the type, flags.
Result<u32> gic_decode(const u32* cells, u32 count, u32 max_intid);

class GicV2 final : public IrqController {
public:
    Result<void> init(const fdt::Fdt& fdt, fdt::Node node);
    StringView name() const override { return "GICv2"; }
    Result<void> enable(u32 source) override;
    void mask(u32 source) override;
    void unmask(u32 source) override;
    u32 claim() override;
    void complete(u32 source) override;
    Result<u32> decode(const u32* cells, u32 count) const override { return gic_decode(cells, count, m_dist.lines()); }

private:
    volatile u32& cpu(u64 offset) const { return *reinterpret_cast<volatile u32*>(m_cpu + offset); }
    GicDistributor m_dist;
    volatile u8* m_cpu = nullptr;
};

class GicV3 final : public IrqController {
public:
    Result<void> init(const fdt::Fdt& fdt, fdt::Node node);
    StringView name() const override { return "GICv3"; }
    Result<void> enable(u32 source) override;
    void mask(u32 source) override;
    void unmask(u32 source) override;
    u32 claim() override;
    void complete(u32 source) override;
    Result<u32> decode(const u32* cells, u32 count) const override { return gic_decode(cells, count, m_dist.lines()); }

private:
    volatile u64& dist64(u64 offset) const { return *reinterpret_cast<volatile u64*>(m_dist.base() + offset); }
    // The redistributor's SGI/PPI frame (the second 64 KiB frame).
    volatile u32& sgi(u64 offset) const { return *reinterpret_cast<volatile u32*>(m_redist + 0x10000 + offset); }
    void wait_for_distributor();
    GicDistributor m_dist;
    volatile u8* m_redist = nullptr;
};

}  // namespace mote::aarch64
