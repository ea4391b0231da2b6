// The GIC distributor, the part both GIC versions share: the same register
// block layout for the line count (GICD_TYPER), the enable and disable bits
// (GICD_ISENABLER/ICENABLER), groups (GICD_IGROUPR) and priorities
// (GICD_IPRIORITYR) of the shared interrupts (IHI 0048B 4.3, IHI 0069
// 12.9). GicV2 and GicV3 (gic.hpp) each own one and add what differs: the
// CPU interface (memory-mapped on v2, system registers on v3), v3's
// redistributor for SGIs and PPIs, and how an SPI is routed to the CPU.
#pragma once

#include "base/result.hpp"
#include "base/types.hpp"

namespace mote::aarch64 {

class GicDistributor {
public:
    static constexpr u8 kPriority = 0xa0;  // every enabled source: one level, below the mask

    // Maps `size` bytes at `base` and reads the number of lines.
    Result<void> map(u64 base, u64 size);
    u32 lines() const { return m_lines; }

    // Disables every line from `first_line` (a multiple of 32) up and,
    // with `group1` (v3), puts them in non-secure group 1. Call with
    // forwarding off (set_control(0), settled).
    void disable_lines(u32 first_line, bool group1);
    void set_control(u32 value) { reg(kCtlr) = value; }
    u32 control() const { return reg(kCtlr); }

    void set_priority(u32 source) { reinterpret_cast<volatile u8*>(m_base + kIpriorityr)[source] = kPriority; }
    void mask(u32 source) { reg(kIcenabler + 4 * (source / 32)) = u32(1) << (source % 32); }
    void unmask(u32 source) { reg(kIsenabler + 4 * (source / 32)) = u32(1) << (source % 32); }

    volatile u8* base() const { return m_base; }

private:
    static constexpr u64 kCtlr = 0x000, kTyper = 0x004, kIgroupr = 0x080, kIsenabler = 0x100, kIcenabler = 0x180;
    static constexpr u64 kIpriorityr = 0x400;

    volatile u32& reg(u64 offset) const { return *reinterpret_cast<volatile u32*>(m_base + offset); }

    volatile u8* m_base = nullptr;
    u32 m_lines = 0;
};

}  // namespace mote::aarch64
