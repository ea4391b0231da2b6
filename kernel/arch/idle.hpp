// How a bare-metal loop sleeps: the one implementation of LoopHost::wait
// for every port, written against the arch facade.
#pragma once

#include "arch/arch.hpp"
#include "core/loop.hpp"
#include "core/tick_clock.hpp"

namespace mote {

inline void arch_idle(Loop& loop, const TickClock& clock, Nanoseconds deadline) {
    // Interrupts off between the last look at the interrupt ring and the
    // sleep: an interrupt arriving in that window stays pending and ends the
    // sleep at once (wfi, or x86's "sti; hlt"), instead of being taken just
    // before it and waiting for the next event.
    Arch::disable_interrupts();
    if (!loop.irq_pending()) {
        // Tick-less: with nothing due the timer stays disarmed.
        Arch::set_timer(deadline == kNoDeadline ? kTimerNever : clock.counter_at(deadline));
        Arch::wait_for_interrupt();
    }
    Arch::enable_interrupts();
}

}  // namespace mote
