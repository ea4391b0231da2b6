// The kernel watchdog on bare metal: the timer-interrupt half of
// core/loop_watchdog.hpp. While the loop works, the one-shot timer is kept
// armed at most one period ahead; each tick asks the LoopWatchdog, and a
// loop stuck in one handler for the bound (mote.watchdog=SECONDS, default
// 10, 0 off) gets a crash report naming the handler (its step, its
// symbolized address, the interrupted pc and backtrace), an epitaph, and a
// reset. A kernel wedged with interrupts off is out of its reach: that is
// what a watchdog device is for (dev/watchdog/).
#pragma once

#include "arch/arch.hpp"
#include "core/loop.hpp"
#include "core/tick_clock.hpp"

namespace mote {

// Starts watching `loop` (bound 0: never). From attach_devices, before the
// loop runs.
void kernel_watchdog_start(Loop& loop, const TickClock& clock, Nanoseconds bound);
// The bound from the command line: mote.watchdog=SECONDS.
Nanoseconds kernel_watchdog_bound(StringView command_line);
// The counter value to arm the one-shot timer with when the loop is about
// to run user threads until `requested` (a counter value, or kTimerNever).
u64 kernel_watchdog_clamp(u64 requested);
// After a wait: the loop is about to work, so a tick must come.
void kernel_watchdog_after_wait();
// Whether it watches (started with a bound other than 0).
bool kernel_watchdog_enabled();
// How long a watchdog device should wait for a pet: half again the bound,
// so that with interrupts on the kernel watchdog, which names the handler,
// fires first (0 when the kernel watchdog is off: leave the device off).
u32 kernel_watchdog_device_seconds();
// A watchdog device to pet from the loop (a periodic timer, every quarter
// of the bound): while the loop turns, the device never fires. One device.
void kernel_watchdog_add_device(void (*pet)(void*), void* context);

}  // namespace mote
