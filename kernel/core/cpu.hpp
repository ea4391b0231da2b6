// The per-CPU structure: what the kernel keeps once per processor. Mote
// runs one CPU today; everything that would differ between CPUs (the loop,
// the thread running in user mode, the interrupt nesting depth) lives here
// already, so a second CPU adds an array, not a hunt for globals.
#pragma once

#include "base/types.hpp"

namespace mote {

class FrameSource;
class Loop;
class Thread;

struct Cpu {
    u32 id = 0;
    // Incremented by the arch trap entry while an interrupt handler runs;
    // Loop::complete and friends VERIFY that it is zero.
    u32 interrupt_depth = 0;
    Loop* loop = nullptr;
    // The user thread this CPU is running or last returned from; nullptr
    // while only the loop runs.
    Thread* current_thread = nullptr;
    // Where this CPU's coroutine frames come from (core/task.hpp); set at
    // boot once memory is up. nullptr: every coroutine fails with NoMemory.
    FrameSource* frames = nullptr;
};

Cpu& this_cpu();

}  // namespace mote
