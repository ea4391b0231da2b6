// An interrupt controller (PLIC, GICv2, GICv3): the hardware side of the
// interrupt -> loop hand-off.
//
// In interrupt context the platform calls claim() until it returns nothing;
// for each claimed source it masks the source, completes it and posts it to
// the loop. The loop-side handler services the device and then unmasks the
// source. Masking before completing is what keeps a level-triggered device
// that still asserts its line from trapping again and again before the loop
// had a chance to service it.
//
// The contract of unmask(): a source that became pending while masked
// interrupts right away, not at the controller's next unrelated event
// (QEMU's PLIC needs a nudge for that, riscv64/plic.cpp). A controller that
// would drop an edge while masked must not mask edge-triggered sources
// (the x86 I/O APIC, x86_64/apic.cpp). The self-test checks it with the
// UART's interrupt raised while masked.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"

namespace mote {

class IrqController {
public:
    static constexpr u32 kNone = ~u32(0);

    virtual StringView name() const = 0;
    // Lets `source` interrupt this CPU (priority, routing, enable bit).
    virtual Result<void> enable(u32 source) = 0;
    virtual void mask(u32 source) = 0;
    // Loop context, interrupts on. See the contract above.
    virtual void unmask(u32 source) = 0;
    // Interrupt context: the highest-priority pending source, or kNone.
    virtual u32 claim() = 0;
    virtual void complete(u32 source) = 0;
    // Decodes an interrupt specifier from the devicetree (the cells of an
    // `interrupts` entry whose parent is this controller) into a source.
    virtual Result<u32> decode(const u32* cells, u32 count) const = 0;

protected:
    ~IrqController() = default;
};

}  // namespace mote
