// riscv64 trap handling: interrupts go to the platform (which only posts
// them to the loop), exceptions become a crash report unless a
// catch_fault() is waiting for them.
#include "arch/arch.hpp"
#include "arch/fault_catch.hpp"
#include "core/loop.hpp"

namespace mote {

namespace {
arch::TrapStats g_stats;

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
    if (arch::catch_pending_fault(frame, {frame.scause, frame.stval, frame.sepc, riscv::exception_name(frame.scause)}))
        return;
    const char* message = nullptr;
    if (frame.scause == u64(riscv::Exception::Breakpoint)) message = arch::panic_message();
    platform_crash(frame, message);
}

}  // namespace mote
