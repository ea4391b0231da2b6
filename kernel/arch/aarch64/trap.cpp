// aarch64 exception handling: IRQs go to the platform (which only posts
// them to the loop), synchronous exceptions become a crash report unless a
// catch_fault() is waiting for them. Traps from EL0 (a user thread) go to
// the platform's user-trap hook instead.
#include "arch/arch.hpp"
#include "arch/fault_catch.hpp"
#include "core/loop.hpp"

namespace mote {

namespace {
arch::TrapStats g_stats;

// The `kind` entry.S passes: which vector was taken.
enum Kind : u64 { kSync = 0, kIrq = 1, kFiq = 2, kSError = 3, kUnexpected = 4 };
constexpr u64 kEcSvc64 = 0x15;
constexpr u64 kEcBrk = 0x3c;
// SPSR_EL1 (D19.2.128): the condition flags are all a user thread may carry
// across a trap; M[4:0] = 0 is EL0t (AArch64, EL0) and DAIF clear takes
// interrupts there.
constexpr u64 kSpsrFlags = u64(0xf) << 28;

// FAR_EL1 is UNKNOWN after most exceptions (D19.2.40): only an instruction
// or data abort with a valid address (ISS.FnV clear) and a PC alignment
// fault set it. Elsewhere report 0 rather than a stale address.
uptr fault_address(u64 esr, u64 far) {
    u64 ec = esr >> 26;
    bool abort = ec == 0x20 || ec == 0x21 || ec == 0x24 || ec == 0x25;
    constexpr u64 kIssFnv = u64(1) << 10;
    if ((abort && !(esr & kIssFnv)) || ec == 0x22) return far;
    return 0;
}

// Every IRQ goes through the GIC, the timer's PPI included: the platform
// claims, masks, acknowledges and posts it.
void handle_irq(aarch64::TrapFrame& frame, bool from_user) {
    ++interrupt_depth();
    ++g_stats.external_interrupts;
    platform_interrupt(frame, from_user);
    --interrupt_depth();
}
}  // namespace

arch::TrapStats& arch::trap_stats() { return g_stats; }

extern "C" void arch_enter_user(aarch64::TrapFrame* frame);

void Arch::user_frame_init(TrapFrame& frame, u64 entry, u64 sp, u64 argument) {
    frame = {};
    frame.elr = entry;
    frame.sp = sp;
    frame.x[0] = argument;
    frame.spsr = 0;  // EL0t, flags clear, DAIF clear
}

void Arch::enter_user(TrapFrame& frame) { arch_enter_user(&frame); }

// The trap path of a user thread (entry.S user_trap_common), with the
// thread's registers in `frame` and interrupts masked. Returns 0 to resume
// the thread, 1 to leave to the loop. A trap taken while this runs is a
// kernel trap (trap_handler), as ever.
extern "C" u64 user_trap_handler(aarch64::TrapFrame& frame, u64 kind) {
    // Whatever happened to the thread's SPSR copy, it returns to EL0 with
    // interrupts on.
    frame.spsr &= kSpsrFlags;
    if (kind == kIrq || kind == kFiq) {
        if (kind == kIrq) handle_irq(frame, true);
        else ++g_stats.weird_interrupts;  // nothing routes FIQs here
        platform_user_trap(frame, arch::UserTrapKind::Interrupt, {});
        return 1;
    }
    // An SError is asynchronous: nothing says the thread caused it.
    if (kind != kSync) platform_crash(frame, "SError (asynchronous abort) while a user thread ran");
    u64 ec = frame.esr >> 26;
    // ELR_EL1 already points past the svc (D1.10.1, "Preferred exception
    // return address").
    if (ec == kEcSvc64)
        return platform_user_syscall(frame) == arch::UserTrapAction::Resume ? 0 : 1;
    arch::FaultInfo fault {frame.esr, fault_address(frame.esr, frame.far), frame.elr, aarch64::exception_class_name(ec)};
    // Resume: the platform brought in a lazy page (first touch of the stack).
    return platform_user_trap(frame, arch::UserTrapKind::Fault, fault) == arch::UserTrapAction::Resume ? 0 : 1;
}

extern "C" void trap_handler(aarch64::TrapFrame& frame, u64 kind) {
    if (kind == kIrq) {
        handle_irq(frame, false);
        return;
    }
    if (kind == kFiq) {
        ++g_stats.weird_interrupts;
        return;
    }
    u64 ec = frame.esr >> 26;
    if (kind == kSync && arch::catch_pending_fault(frame, {ec, frame.far, frame.elr, aarch64::exception_class_name(ec)}))
        return;
    const char* message = nullptr;
    if (kind == kSync && ec == kEcBrk) message = arch::panic_message();
    else if (kind == kSError) message = "SError (asynchronous abort)";
    else if (kind == kUnexpected) message = "exception from an unexpected vector (SP_EL0 or AArch32)";
    platform_crash(frame, message);
}

}  // namespace mote
