// Crashing on purpose, for the tests of what a crash leaves behind: the
// privileged sys/power file takes these besides "off" and "reboot".
//
//   panic        a kernel panic from inside the write (its process is current)
//   hang         a deferred call that never returns: the kernel watchdog
//                must find it, name it, leave an epitaph and reset
//   hang-irqoff  the same with interrupts off: only a watchdog device
//                (the i6300esb on q35) can reset that
//   secret HEX   makes the 32 bytes HEX (64 hex digits) the CSPRNG's key and
//                panics from inside the generator with them in registers:
//                the report and the epitaph must not show them
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"

namespace mote {

class Kernel;

// InvalidArgument if `text` is none of the above. "hang" returns (the
// wedge starts on the loop's next turn); the others do not return.
Result<void> request_crash(Kernel& kernel, StringView text);

}  // namespace mote
