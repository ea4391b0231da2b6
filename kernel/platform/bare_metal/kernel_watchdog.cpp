#include "platform/bare_metal/kernel_watchdog.hpp"

#include "base/parse_number.hpp"
#include "boot/boot_args.hpp"
#include "core/log.hpp"
#include "core/loop_watchdog.hpp"
#include "platform/bare_metal/crash.hpp"
#include "platform/bare_metal/symbols.hpp"

namespace mote {

namespace {

LoopWatchdog g_watchdog;
Loop* g_loop = nullptr;
const TickClock* g_clock = nullptr;
void (*g_pet)(void*) = nullptr;
Timer g_pet_timer;
// One watchdog period in counter ticks, so that every entry to user mode
// (kernel_watchdog_clamp) adds it to the counter instead of converting to
// nanoseconds and back.
u64 g_period_ticks = 0;

Nanoseconds now() { return g_clock->to_ns(Arch::counter()); }

void arm_tick() { Arch::set_timer(g_clock->counter_at(g_watchdog.tick_deadline(kNoDeadline, now()))); }

// "watchdog: the loop has run deferred call Foo::bar+0x10 for 10 s without a beat"
void describe(FixedString<200>& cause, const LoopActivity& activity, Nanoseconds stuck) {
    cause.appendf("watchdog: the loop has run its {} ", loop_step_name(activity.step));
    if (activity.step == LoopStep::Interrupt) cause.appendf("(source {}) ", activity.source);
    Symbol symbol;
    if (activity.handler && symbolize(activity.handler, symbol)) {
        if (symbol.scope.empty()) cause.appendf("{} ", symbol.name);
        else cause.appendf("{}::{} ", symbol.scope, symbol.name);
    } else if (activity.handler) {
        cause.appendf("{:#x} ", activity.handler);
    } else if (activity.step == LoopStep::User) {
        cause.append("(a syscall or a trap of one) ");
    }
    u64 ms = stuck / kMillisecond;
    cause.appendf("for {}.{:03} s without returning", ms / 1000, ms % 1000);
}

}  // namespace

Nanoseconds kernel_watchdog_bound(StringView command_line) {
    StringView text;
    if (!BootArgs(command_line).get("mote.watchdog", text)) return LoopWatchdog::kDefaultBound;
    auto seconds = parse_u64(text);
    if (seconds.is_error() || seconds.value() > 3600) {
        log_warn("watchdog", "mote.watchdog={}: want 0 (off) to 3600 seconds; using {} s", text,
                 LoopWatchdog::kDefaultBound / kSecond);
        return LoopWatchdog::kDefaultBound;
    }
    return seconds.value() * kSecond;
}

void kernel_watchdog_start(Loop& loop, const TickClock& clock, Nanoseconds bound) {
    g_clock = &clock;
    g_loop = &loop;
    g_watchdog.start(bound, now());
    g_period_ticks = clock.counter_at(g_watchdog.period()) - clock.counter_at(0);
    if (!g_watchdog.enabled()) {
        log_info("watchdog", "kernel watchdog off (mote.watchdog=0)");
        return;
    }
    log_info("watchdog", "kernel watchdog: a handler that runs {} s without returning resets the machine",
             bound / kSecond);
    arm_tick();
}

u64 kernel_watchdog_clamp(u64 requested) {
    if (!g_loop || !g_watchdog.enabled()) return requested;
    u64 tick = Arch::counter() + g_period_ticks;
    return tick < requested ? tick : requested;
}

bool kernel_watchdog_enabled() { return g_loop && g_watchdog.enabled(); }

u32 kernel_watchdog_device_seconds() {
    if (!kernel_watchdog_enabled()) return 0;
    Nanoseconds bound = g_watchdog.bound();
    return u32((bound + bound / 2 + kSecond - 1) / kSecond);
}

void kernel_watchdog_add_device(void (*pet)(void*), void* context) {
    if (!kernel_watchdog_enabled() || g_pet) return;
    g_pet = pet;
    g_pet_timer.set_callback([](Timer& timer) { g_pet(timer.context()); }, context);
    g_loop->arm_after(g_pet_timer, g_watchdog.period(), g_watchdog.period());
}

void kernel_watchdog_after_wait() {
    if (g_loop && g_watchdog.enabled()) arm_tick();
}

void platform_timer_interrupt(const Arch::TrapFrame& frame, bool from_user) {
    if (!g_loop || !g_watchdog.enabled()) return;
    const LoopActivity& activity = g_loop->activity();
    Nanoseconds at = now();
    if (g_watchdog.check(activity, at, from_user)) {
        FixedString<200> cause;
        describe(cause, activity, at - g_watchdog.stuck_since());
        crash_watchdog(frame, cause.c_str());
    }
    // Whatever was interrupted re-arms the timer for what it waits for when
    // it next waits; until then, the next tick.
    if (activity.step != LoopStep::Waiting) arm_tick();
}

}  // namespace mote
