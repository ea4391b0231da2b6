// riscv64 trap handling: interrupts go to the platform (which only posts
// them to the loop), exceptions become a crash report unless a
// catch_fault() is waiting for them.
#include "arch/arch.hpp"
#include "arch/fault_catch.hpp"
#include "core/loop.hpp"

namespace mote {

namespace {
arch::TrapStats g_stats;

void handle_interrupt(riscv::TrapFrame& frame, bool from_user) {
    ++interrupt_depth();
    switch (frame.scause & ~riscv::kCauseInterrupt) {
    case riscv::kIntTimer:
        // The timer only wakes the loop, which fires whatever is due on
        // its next turn and re-arms for the next deadline. Disarm it, or
        // the level-triggered STIP would trap again at once.
        ++g_stats.timer_interrupts;
        Arch::set_timer(kTimerNever);
        platform_timer_interrupt(frame, from_user);
        break;
    case riscv::kIntExternal:
        ++g_stats.external_interrupts;
        platform_interrupt(frame, from_user);
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

extern "C" void arch_enter_user(riscv::TrapFrame* frame);

void Arch::user_frame_init(TrapFrame& frame, u64 entry, u64 sp, u64 argument) {
    frame = {};
    frame.sepc = entry;
    frame.x[2] = sp;
    frame.x[10] = argument;
    // sret to U-mode (SPP clear) with interrupts on there (SPIE). SUM stays
    // clear: the kernel never touches user pages directly (it copies through
    // the direct map), so a stray kernel access to a user address faults.
    // FS is Initial, never Off: the program may use F and D, and the hart's
    // FS (which this value becomes on sret, and stays on the way back to the
    // kernel) must let Arch::fp_save run.
    frame.sstatus = (MOTE_CSR_READ(sstatus) & ~(riscv::kStatusSpp | riscv::kStatusSie | riscv::kStatusSum |
                                               riscv::kStatusFs)) |
                    riscv::kStatusSpie | riscv::kStatusFsInitial;
}

void Arch::enter_user(TrapFrame& frame) { arch_enter_user(&frame); }

// The syscall path of a user thread (entry.S user_syscall_entry, which has
// already stepped sepc past the ecall). Returns 0 to resume the thread, 1
// to leave to the loop.
extern "C" u64 user_syscall_handler(riscv::TrapFrame& frame) {
    return platform_user_syscall(frame) == arch::UserTrapAction::Resume ? 0 : 1;
}

// Every other trap from a user thread (entry.S user_trap_entry): an
// interrupt or a fault. Same return values.
extern "C" u64 user_trap_handler(riscv::TrapFrame& frame) {
    // Whatever the thread did to its sstatus copy, it returns to U-mode
    // with interrupts on.
    frame.sstatus = (frame.sstatus & ~(riscv::kStatusSpp | riscv::kStatusSie)) | riscv::kStatusSpie;
    if (frame.scause & riscv::kCauseInterrupt) {
        handle_interrupt(frame, true);
        platform_user_trap(frame, arch::UserTrapKind::Interrupt, {});
        return 1;
    }
    arch::FaultInfo fault {frame.scause, frame.stval, frame.sepc, riscv::exception_name(frame.scause)};
    // Resume: the platform brought in a lazy page (first touch of the stack).
    return platform_user_trap(frame, arch::UserTrapKind::Fault, fault) == arch::UserTrapAction::Resume ? 0 : 1;
}

extern "C" void trap_handler(riscv::TrapFrame& frame) {
    if (frame.scause & riscv::kCauseInterrupt) {
        handle_interrupt(frame, false);
        return;
    }
    if (arch::catch_pending_fault(frame, {frame.scause, frame.stval, frame.sepc, riscv::exception_name(frame.scause)}))
        return;
    const char* message = nullptr;
    if (frame.scause == u64(riscv::Exception::Breakpoint)) message = arch::panic_message();
    platform_crash(frame, message);
}

}  // namespace mote
