// Arch::catch_fault and Arch::breakpoint_panic for every bare-metal port,
// around each port's arch_try (entry.S) and the hooks of fault_catch.hpp.
#include "arch/fault_catch.hpp"
#include "base/verify.hpp"

extern "C" {
int arch_try(void (*body)(void*), void* context, mote::Arch::FaultCatch::TryContext* saved);
extern char arch_try_landing[];
}

namespace mote {

namespace {
Arch::FaultCatch::TryContext* g_try = nullptr;
arch::FaultInfo* g_try_fault = nullptr;
const char* g_panic_message = nullptr;
}  // namespace

bool arch::catch_pending_fault(Arch::TrapFrame& frame, const FaultInfo& fault) {
    if (!g_try) return false;
    // Resume in arch_try as if it returned 1 (see entry.S).
    *g_try_fault = fault;
    Arch::FaultCatch::resume_in_try(frame, reinterpret_cast<uptr>(arch_try_landing), g_try);
    g_try = nullptr;
    ++trap_stats().caught_faults;
    return true;
}

const char* arch::panic_message() { return g_panic_message; }

bool Arch::catch_fault(void (*body)(void*), void* context, arch::FaultInfo& fault) {
    VERIFY_MSG(!g_try, "catch_fault does not nest");
    FaultCatch::TryContext saved;
    g_try_fault = &fault;
    g_try = &saved;
    int faulted = arch_try(body, context, &saved);
    g_try = nullptr;
    return faulted != 0;
}

void Arch::breakpoint_panic(const char* message) {
    // The breakpoint trap captures every register in a TrapFrame, so a panic
    // produces exactly the report an unexpected exception does.
    g_panic_message = message ? message : "panic";
    g_try = nullptr;
    FaultCatch::breakpoint();
    halt();
}

}  // namespace mote
