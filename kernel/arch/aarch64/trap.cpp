// aarch64 exception handling: IRQs go to the platform (which only posts
// them to the loop), synchronous exceptions become a crash report unless a
// catch_fault() is waiting for them.
#include "arch/arch.hpp"
#include "arch/fault_catch.hpp"
#include "core/loop.hpp"

namespace mote {

namespace {
arch::TrapStats g_stats;

// The `kind` entry.S passes: which vector was taken.
enum Kind : u64 { kSync = 0, kIrq = 1, kFiq = 2, kSError = 3, kUnexpected = 4 };
constexpr u64 kEcBrk = 0x3c;
}  // namespace

arch::TrapStats& arch::trap_stats() { return g_stats; }

extern "C" void trap_handler(aarch64::TrapFrame& frame, u64 kind) {
    if (kind == kIrq) {
        ++interrupt_depth();
        ++g_stats.external_interrupts;
        platform_interrupt();
        --interrupt_depth();
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
    else if (kind == kUnexpected) message = "exception from an unexpected vector (SP_EL0 or a lower EL)";
    platform_crash(frame, message);
}

}  // namespace mote
