// riscv64 trap handling: interrupts go to the platform (which only posts
// them to the loop), exceptions become a crash report unless a
// catch_fault() is waiting for them.
#include "arch/arch.hpp"
#include "core/loop.hpp"

extern "C" {
struct TryContext {
    mote::u64 ra, sp, s[12];
};
int arch_try(void (*body)(void*), void* context, TryContext* saved);
extern char arch_try_landing[];
}

namespace mote {

namespace {
arch::TrapStats g_stats;
TryContext* g_try = nullptr;
arch::FaultInfo* g_try_fault = nullptr;
const char* g_panic_message = nullptr;

void handle_interrupt(riscv::TrapFrame& frame) {
    ++interrupt_depth();
    switch (frame.scause & ~riscv::kCauseInterrupt) {
    case riscv::kIntTimer:
        // The timer only wakes the loop, which fires whatever is due on
        // its next turn and re-arms for the next deadline. Disarm it, or
        // the level-triggered STIP would trap again at once.
        ++g_stats.timer_interrupts;
        Arch::set_timer(kTimerNever);
        break;
    case riscv::kIntExternal:
        ++g_stats.external_interrupts;
        platform_interrupt();
        break;
    case riscv::kIntSoftware:
        MOTE_CSR_CLEAR(sip, u64(1) << riscv::kIntSoftware);
        ++g_stats.weird_interrupts;
        break;
    default: ++g_stats.weird_interrupts; break;
    }
    --interrupt_depth();
}
}  // namespace

arch::TrapStats& arch::trap_stats() { return g_stats; }

extern "C" void trap_handler(riscv::TrapFrame& frame) {
    if (frame.scause & riscv::kCauseInterrupt) {
        handle_interrupt(frame);
        return;
    }
    if (g_try) {
        // Resume in arch_try as if it returned 1 (see entry.S).
        *g_try_fault = {frame.scause, frame.stval, frame.sepc, riscv::exception_name(frame.scause)};
        frame.sepc = reinterpret_cast<u64>(arch_try_landing);
        frame.x[10] = 1;
        frame.x[12] = reinterpret_cast<u64>(g_try);
        g_try = nullptr;
        ++g_stats.caught_faults;
        return;
    }
    const char* message = nullptr;
    if (frame.scause == u64(riscv::Exception::Breakpoint) && g_panic_message) message = g_panic_message;
    platform_crash(frame, message);
}

bool Arch::catch_fault(void (*body)(void*), void* context, arch::FaultInfo& fault) {
    VERIFY_MSG(!g_try, "catch_fault does not nest");
    TryContext saved;
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
    asm volatile("ebreak" ::: "memory");
    halt();
}

}  // namespace mote
