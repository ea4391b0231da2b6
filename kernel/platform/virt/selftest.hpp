// In-kernel self-tests on the real machine (command line mote.test=all):
// the page allocator on the live RAM, deliberate faults that must be caught
// (bad address, the stack guard, W^X, illegal instruction, breakpoint),
// timers on the real clock, and interrupt delivery through the interrupt
// controller. Prints one PASS/FAIL line per check, then
// "N passed, N failed", then powers off.
#pragma once

#include "base/span.hpp"

namespace mote {

class Kernel;
class VirtMachine;

void start_selftest(Kernel& kernel, VirtMachine& machine, StringView which);

}  // namespace mote
