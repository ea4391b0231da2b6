// What the loop is doing right now, for the kernel watchdog: which step of
// the turn, which handler (a function address the crash report
// symbolizes) and, for an interrupt, its source. `beats` counts every
// handler the loop starts and every wait, so a watchdog that sees the same
// count twice, far enough apart, while the loop is inside a handler knows
// that handler has not returned.
//
// Written only by the loop (plain stores before each indirect call, which
// the compiler must make before the call), read by the timer interrupt on
// the same CPU.
#pragma once

#include "base/types.hpp"

namespace mote {

enum class LoopStep : u8 {
    Outside,     // the loop is not running (boot, shutdown)
    Timer,       // step 1: a timer's callback
    Interrupt,   // step 2: an interrupt source's handler
    Completion,  // step 3: a request's callback
    Deferred,    // step 4: a deferred call
    User,        // step 5: user threads, and the syscalls they make
    Waiting,     // step 5: waiting in the platform for an event
};

const char* loop_step_name(LoopStep step);

struct LoopActivity {
    u64 beats = 0;
    uptr handler = 0;
    u32 source = 0;
    LoopStep step = LoopStep::Outside;

    void enter(LoopStep next, uptr function, u32 irq_source = 0) {
        ++beats;
        step = next;
        handler = function;
        source = irq_source;
    }
};

template <typename F>
uptr handler_address(F* function) {
    return reinterpret_cast<uptr>(function);
}

}  // namespace mote
