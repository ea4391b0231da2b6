// The RISC-V Platform-Level Interrupt Controller (RISC-V PLIC Specification
// v1.0.0): per-source priorities, and per "context" (one privilege mode of
// one hart) an enable bitmap, a priority threshold and a claim/complete
// register. Mote uses one context: S-mode of the boot hart.
#pragma once

#include "firmware/fdt.hpp"
#include "dev/irq_controller.hpp"

namespace mote::riscv {

class Plic final : public IrqController {
public:
    // Finds the S-mode context of hart `hart` in the node's
    // interrupts-extended, maps the registers, masks every source.
    Result<void> init(const fdt::Fdt& fdt, fdt::Node node, u32 hart);

    StringView name() const override { return "PLIC"; }
    Result<void> enable(u32 source) override;
    void mask(u32 source) override;
    void unmask(u32 source) override;
    u32 claim() override;
    void complete(u32 source) override;
    Result<u32> decode(const u32* cells, u32 count) const override;

private:
    volatile u32* reg(u64 offset) const { return reinterpret_cast<volatile u32*>(m_base + offset); }
    void set_enabled(u32 source, bool on);

    volatile u8* m_base = nullptr;
    u32 m_sources = 0;  // riscv,ndev: valid sources are 1..m_sources
    u32 m_context = 0;
};

}  // namespace mote::riscv
