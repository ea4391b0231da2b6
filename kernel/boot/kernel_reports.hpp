// Reports about the running kernel that the /sys tree shows (and the
// self-tests print): written once, line by line into a sink.
#pragma once

#include "boot/machine.hpp"

namespace mote {

class Kernel;

// Uptime, the boot timeline and the loop's counters (`uptime`, sys/uptime).
void write_uptime_report(Kernel& kernel, MachineLineSink sink, void* context);
// The log ring, oldest first; the last `count` lines (`log`, sys/log).
void write_log_report(u64 count, MachineLineSink sink, void* context);
// Physical memory: the machine's report, else the allocator's (`mem`, sys/memory).
Result<void> write_machine_memory(Machine& machine, MachineLineSink sink, void* context);

}  // namespace mote
