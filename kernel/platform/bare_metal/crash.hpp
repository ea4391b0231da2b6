// The crash report: what an unexpected exception, a failed VERIFY or the
// shell's `panic` leave on the serial console before the machine stops.
//
//   MOTE CRASH: <cause>
//     pc <address> <function+offset>, fault address <address>
//     registers (all of them)
//     backtrace (frame pointers, symbolized from the embedded table)
//   MOTE-PANIC: <cause>              <- the one line test harnesses look for
//
// Then the CPU halts, or powers off if the command line says
// mote.panic=poweroff (so an unattended QEMU exits).
#pragma once

#include "dev/uart/uart.hpp"

namespace mote {

// Where the report goes, and what to do after it.
void crash_configure(Uart* output, bool power_off);

}  // namespace mote
