// The portable half of Arch::catch_fault and Arch::breakpoint_panic, one
// implementation for every bare-metal port (kernel/arch/fault_catch.cpp).
//
// A port supplies only what differs, as Arch::FaultCatch (checked below):
// the registers its arch_try saves (entry.S), how a trap frame resumes in
// arch_try's landing, and its breakpoint instruction. Its trap handler
// offers every synchronous exception to catch_pending_fault() before
// reporting a crash, and names a breakpoint trap's cause by panic_message().
#pragma once

#include "arch/arch.hpp"

namespace mote::arch {

template <typename P>
concept FaultCatchPort = requires(Arch::TrapFrame& frame, uptr landing, typename P::TryContext* saved) {
    // Point `frame` at arch_try_landing so that the trap's exit path returns
    // from arch_try with 1, restoring the registers in `saved` (entry.S).
    { P::resume_in_try(frame, landing, saved) } -> SameAs<void>;
    // Trap into the crash report, which breakpoint_panic() relies on.
    { P::breakpoint() } -> SameAs<void>;
};
static_assert(FaultCatchPort<Arch::FaultCatch>, "kernel/arch/<isa>/cpu.hpp does not provide the fault-catch hooks");

// If a catch_fault() is waiting, records `fault`, makes `frame` resume in
// arch_try as if it returned 1, counts the fault and returns true; false
// otherwise (the caller reports a crash).
bool catch_pending_fault(Arch::TrapFrame& frame, const FaultInfo& fault);

// The message breakpoint_panic() left for its breakpoint trap; nullptr if
// no panic is in progress.
const char* panic_message();

}  // namespace mote::arch
