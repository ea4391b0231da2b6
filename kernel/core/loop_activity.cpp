#include "core/loop_activity.hpp"

namespace mote {

const char* loop_step_name(LoopStep step) {
    switch (step) {
    case LoopStep::Outside: return "outside the loop";
    case LoopStep::Timer: return "timer";
    case LoopStep::Interrupt: return "interrupt handler";
    case LoopStep::Completion: return "completion";
    case LoopStep::Deferred: return "deferred call";
    case LoopStep::User: return "user threads";
    case LoopStep::Waiting: return "waiting";
    }
    return "?";
}

}  // namespace mote
