// The crash report: what an unexpected exception, a failed VERIFY, a
// panic asked for through sys/power or the kernel watchdog leave on the serial console before
// the machine stops, and the epitaph they leave for the next boot.
//
//   MOTE CRASH: <cause>
//     pc <address> <function+offset>, fault address <address>
//     registers (all of them, less any that held a secret)
//     backtrace (frame pointers, symbolized from the embedded table)
//     epitaph: where the machine-readable record went
//   MOTE-PANIC: <cause>              <- the one line test harnesses look for
//
// Secrets are scrubbed, the cause is kept: a register equal to 8 bytes of a
// registered secret (crypto/secret_areas.hpp) is shown and recorded as
// scrubbed, a crash in code that holds secrets (the CSPRNG, the entropy
// pool, ChaCha20, BLAKE2s, the copies to and from user memory) withholds
// every register, and the secret areas are wiped before the machine stops.
// Nothing else of memory (no stack, no user buffer) is ever printed.
//
// Then the CPU halts, powers off (mote.panic=poweroff, so an unattended
// QEMU exits) or resets (mote.panic=reboot, and always after the
// watchdog), which keeps RAM and so the epitaph.
#pragma once

#include "arch/arch.hpp"
#include "core/epitaph_record.hpp"
#include "core/timer.hpp"
#include "dev/uart/uart.hpp"

namespace mote {

enum class CrashAction : u8 { Halt, PowerOff, Reboot };

// mote.panic=halt|poweroff|reboot (halt if absent or unknown).
CrashAction crash_action_from(StringView command_line);

// Where the report goes, what to do after it, and the clock for the
// epitaph's uptime.
void crash_configure(Uart* output, CrashAction action, Nanoseconds (*clock)());

// A second place for the epitaph (mote.dump=, core/epitaph_record.hpp's
// EpitaphWriter), written after the RAM page.
void crash_set_dump(EpitaphWriter writer, void* context);

// The kernel watchdog found the loop wedged: report with the interrupted
// frame, leave the epitaph, reset.
[[noreturn]] void crash_watchdog(const Arch::TrapFrame& frame, const char* cause);

}  // namespace mote
