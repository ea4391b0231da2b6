// The interrupt path every bare-metal machine shares: claim each pending
// source from the interrupt controller, mask it until the loop has serviced
// its device (dev/irq_controller.hpp: the loop's handler unmasks it),
// complete it and post it to the loop. Interrupt context.
//
// `own(source)` lets the machine keep a source for itself (virt: the arm
// timer's PPI, which only wakes the loop): it handles it and returns true,
// and the source is then completed without being masked or posted.
// Returns whether any source was pending (none: a spurious interrupt).
#pragma once

#include "core/irq_ring.hpp"
#include "core/loop.hpp"
#include "dev/irq_controller.hpp"

namespace mote {

template <typename Own>
bool claim_and_post(IrqController& irq, Loop* loop, Own&& own) {
    bool any = false;
    for (;;) {
        const u32 source = irq.claim();
        if (source == IrqController::kNone) return any;
        any = true;
        if (own(source)) {
            irq.complete(source);
            continue;
        }
        irq.mask(source);
        irq.complete(source);
        // A source the loop has no slot for stays masked (the machines
        // refuse to wire such lines at setup, so this is a stray).
        if (loop && source < kMaxIrqSources) loop->post_irq(source);
    }
}

}  // namespace mote
