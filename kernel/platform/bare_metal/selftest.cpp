#include "platform/bare_metal/selftest.hpp"

#include "boot/kernel.hpp"
#include "core/log.hpp"
#include "mm/allocator_selftest.hpp"
#include "arch/arch.hpp"
#include "dev/irq_controller.hpp"
#include "dev/uart/uart.hpp"
#include "mm/page_allocator.hpp"

namespace mote {

namespace {

// Timer checks: deadlines armed out of order must fire in deadline order,
// never before their deadline, and not much after it (TCG is slow and the
// host may be busy, so the bound is generous; an early or lost timer is
// the bug this looks for).
constexpr Nanoseconds kTimerDelays[] = {30 * kMillisecond, 10 * kMillisecond, 20 * kMillisecond,
                                        5 * kMillisecond, 15 * kMillisecond, 1 * kMillisecond};
constexpr usize kTimerCount = sizeof(kTimerDelays) / sizeof(kTimerDelays[0]);
constexpr Nanoseconds kLatenessBound = 50 * kMillisecond;

struct SelfTest {
    Kernel* kernel = nullptr;
    PageAllocator* pages = nullptr;
    Uart* uart = nullptr;
    IrqController* irq = nullptr;
    u32 uart_irq = 0;
    u32 passed = 0;
    u32 failed = 0;

    Timer timers[kTimerCount];
    Nanoseconds deadlines[kTimerCount] {};
    usize fired_order[kTimerCount] {};
    usize fired = 0;
    bool early = false;
    Nanoseconds worst_lateness = 0;
    u64 timer_irqs_before = 0;
    u64 external_before = 0;
    Timer finish;

    template <typename... Args>
    void check(bool ok, StringView name, StringView fmt = "", const Args&... args) {
        FixedString<160> detail;
        detail.appendf(fmt, args...);
        if (ok) ++passed;
        else ++failed;
        log_info("test", "{} {}{}{}", ok ? "PASS" : "FAIL", name, detail.length() ? ": " : "", detail.view());
    }

    void run_synchronous();
    void start_timers();
    void on_timer(usize index);
    void on_finish();
};

SelfTest g_test;

void allocator_tests(SelfTest& t) {
    AllocatorSelftestResult r = run_allocator_selftest(
        *t.pages, [](StringView check, bool ok, void* ctx) { static_cast<SelfTest*>(ctx)->check(ok, check); }, &t);
    (void)r;
}

// Each body must fault; catch_fault must catch it with the expected class.
struct FaultCase {
    const char* name;
    void (*body)(void*);
    uptr expected_address;  // 0: do not check
};

void fault_tests(SelfTest& t) {
    const arch::BootLayout& l = Arch::boot_layout();
    static uptr target;
    FaultCase cases[] = {
        {"fault: load from an unmapped address",
         [](void*) { (void)*reinterpret_cast<volatile u64*>(target); }, 0},
        {"fault: load from the stack guard page",
         [](void*) { (void)*reinterpret_cast<volatile u64*>(target); }, l.stack_guard + 8},
        {"fault: store into kernel text (W^X)",
         [](void*) { *reinterpret_cast<volatile u32*>(target) = 0; }, l.text_start},
        {"fault: store into rodata",
         [](void*) { *reinterpret_cast<volatile u32*>(target) = 0; }, l.rodata_start},
        {"fault: illegal instruction", [](void*) { asm volatile(
#if defined(__x86_64__)
                                                       "ud2"
#else
                                                       ".4byte 0"
#endif
                                                       ::: "memory"); }, 0},
        {"fault: breakpoint", [](void*) { asm volatile(
#if defined(__riscv)
                                               "ebreak"
#elif defined(__x86_64__)
                                               "int3"
#else
                                               "brk #1"
#endif
                                               ::: "memory"); }, 0},
    };
    uptr targets[] = {uptr(0x10), l.stack_guard + 8, l.text_start, l.rodata_start, 0, 0};
    for (usize i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
        target = targets[i];
        arch::FaultInfo fault;
        bool caught = Arch::catch_fault(cases[i].body, nullptr, fault);
        bool address_ok = cases[i].expected_address == 0 || fault.address == cases[i].expected_address;
        t.check(caught && address_ok, cases[i].name, "{} at {:#x}", caught ? fault.name : "no fault", fault.address);
    }
    // Data is never executable: jumping into the stack must fault.
    static u32 not_code[4] = {};
    target = reinterpret_cast<uptr>(&not_code[0]);
    arch::FaultInfo fault;
    bool caught = Arch::catch_fault([](void*) { reinterpret_cast<void (*)()>(target)(); }, nullptr, fault);
    t.check(caught, "fault: execute from data (W^X)", "{}", caught ? fault.name : "no fault");
    t.check(arch::trap_stats().caught_faults >= 7, "fault: caught faults are counted", "{}",
            arch::trap_stats().caught_faults);
}

void SelfTest::run_synchronous() {
    allocator_tests(*this);
    fault_tests(*this);
}

void SelfTest::start_timers() {
    Loop& loop = kernel->loop();
    timer_irqs_before = arch::trap_stats().timer_interrupts;
    external_before = arch::trap_stats().external_interrupts;
    Nanoseconds now = loop.now();
    for (usize i = 0; i < kTimerCount; ++i) {
        deadlines[i] = now + kTimerDelays[i];
        timers[i].set_callback([](Timer& timer) {
            auto* self = static_cast<SelfTest*>(timer.context());
            self->on_timer(usize(&timer - self->timers));
        }, this);
        loop.arm(timers[i], deadlines[i]);
    }
    // Interrupt delivery through the controller: the UART's own interrupt,
    // raised while its source is masked, as happens whenever a byte arrives
    // while the loop is servicing the console. It must arrive as soon as the
    // source is unmasked, not at the controller's next unrelated event: a
    // controller that does not look again on unmask (QEMU's PLIC, without
    // Plic::unmask's nudge) leaves it pending, and typed input stalls. Each
    // spin is a point where the CPU takes a pending interrupt; nothing else
    // touches the controller meanwhile.
    // (An edge-triggered source is not masked at all; its interrupt may
    // arrive before the unmask, which counts too.)
    const u64 before_mask = arch::trap_stats().external_interrupts;
    irq->mask(uart_irq);
    uart->raise_test_interrupt();
    irq->unmask(uart_irq);
    for (int spin = 0; spin < 10000 && arch::trap_stats().external_interrupts == before_mask; ++spin)
        asm volatile("" ::: "memory");
    u64 taken = arch::trap_stats().external_interrupts - before_mask;
    check(taken >= 1, "interrupt: UART interrupt raised while masked arrives once unmasked", "{}", taken);
}

void SelfTest::on_timer(usize index) {
    Nanoseconds now = kernel->loop().now();
    if (now < deadlines[index]) early = true;
    else worst_lateness = max(worst_lateness, now - deadlines[index]);
    fired_order[fired++] = index;
    if (fired < kTimerCount) return;

    bool ordered = true;
    for (usize i = 1; i < kTimerCount; ++i)
        ordered &= deadlines[fired_order[i - 1]] <= deadlines[fired_order[i]];
    check(ordered, "timer: fire in deadline order");
    check(!early, "timer: none fires early");
    check(worst_lateness <= kLatenessBound, "timer: bounded lateness", "worst {} us", worst_lateness / kMicrosecond);
    u64 timer_irqs = arch::trap_stats().timer_interrupts - timer_irqs_before;
    check(timer_irqs >= 1, "interrupt: timer interrupts delivered", "{}", timer_irqs);
    // Tick-less: at most one timer interrupt per distinct deadline (plus
    // slack for wake-ups that raced a deadline), not a periodic tick.
    check(timer_irqs <= 2 * kTimerCount, "interrupt: no periodic tick", "{} for {} deadlines", timer_irqs, kTimerCount);
    u64 external = arch::trap_stats().external_interrupts - external_before;
    check(external >= 1, "interrupt: UART interrupt through the controller", "{}", external);

    // Idle for 100 ms with one deadline: one wake-up, no ticks in between.
    timer_irqs_before = arch::trap_stats().timer_interrupts;
    finish.set_callback([](Timer& timer) { static_cast<SelfTest*>(timer.context())->on_finish(); }, this);
    kernel->loop().arm_after(finish, 100 * kMillisecond);
}

void SelfTest::on_finish() {
    u64 ticks = arch::trap_stats().timer_interrupts - timer_irqs_before;
    check(ticks >= 1 && ticks <= 2, "timer: tick-less idle", "{} timer interrupts in 100 ms", ticks);
    log_info("test", "{} passed, {} failed", passed, failed);
    kernel->request_power(PowerAction::PowerOff);
}

}  // namespace

void start_selftest(Kernel& kernel, PageAllocator& pages, Uart& uart, IrqController& irq, u32 uart_irq,
                    StringView which) {
    if (which != "all") {
        log_warn("test", "mote.test={}: unknown (only 'all')", which);
        return;
    }
    g_test.kernel = &kernel;
    kernel.self_test_started();
    g_test.pages = &pages;
    g_test.uart = &uart;
    g_test.irq = &irq;
    g_test.uart_irq = uart_irq;
    log_info("test", "running self-tests");
    g_test.run_synchronous();
    g_test.start_timers();
}

}  // namespace mote
