// aarch64 exception handling: IRQs go to the platform (which only posts
// them to the loop), synchronous exceptions become a crash report unless a
// catch_fault() is waiting for them.
#include "arch/arch.hpp"
#include "core/loop.hpp"

extern "C" {
struct TryContext {
    mote::u64 x19_x30[12];
    mote::u64 sp;
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
    if (kind == kSync && g_try) {
        u64 ec = frame.esr >> 26;
        *g_try_fault = {ec, frame.far, frame.elr, aarch64::exception_class_name(ec)};
        frame.elr = reinterpret_cast<u64>(arch_try_landing);
        frame.x[0] = 1;
        frame.x[2] = reinterpret_cast<u64>(g_try);
        g_try = nullptr;
        ++g_stats.caught_faults;
        return;
    }
    const char* message = nullptr;
    if (kind == kSync && (frame.esr >> 26) == kEcBrk && g_panic_message) message = g_panic_message;
    else if (kind == kSError) message = "SError (asynchronous abort)";
    else if (kind == kUnexpected) message = "exception from an unexpected vector (SP_EL0 or a lower EL)";
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
    g_panic_message = message ? message : "panic";
    g_try = nullptr;
    asm volatile("brk #0xf000" ::: "memory");
    halt();
}

}  // namespace mote
