// In-kernel self-tests on the real machine (command line mote.test=all):
// the page allocator on the live RAM, deliberate faults that must be caught
// (bad address, the stack guard, W^X, illegal instruction, breakpoint),
// timers on the real clock, and interrupt delivery through the interrupt
// controller. Prints one PASS/FAIL line per check, then
// "N passed, N failed", then powers off.
#pragma once

#include "base/span.hpp"

namespace mote {

class IrqController;
class Kernel;
class PageAllocator;
class Uart;

// `pages` is the machine's page allocator; `uart` the console, whose own
// interrupt (`uart_irq` at `irq`) is raised once, while masked, to watch it
// travel through the controller once unmasked.
void start_selftest(Kernel& kernel, PageAllocator& pages, Uart& uart, IrqController& irq, u32 uart_irq,
                    StringView which);

}  // namespace mote
