// How every bare-metal platform_main ends (virt and PVH): with the
// machine set up, run the kernel on it, then reboot or power off as the
// kernel asks.
#pragma once

#include "base/result.hpp"
#include "boot/machine.hpp"

namespace mote {

// `setup` is what the machine's init returned; if it failed, panics with
// "<name> machine setup failed: <error>" (without a console there is nobody
// to tell; with one, say why).
[[noreturn]] void run_machine(Machine& machine, const Result<void>& setup, StringView name);

}  // namespace mote
