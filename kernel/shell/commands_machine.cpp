// mem, layout, devices, panic, reboot: the commands that ask the machine.
// Machines without the information (the hosted build has no physical
// memory map) answer "not available on this machine".
#include "boot/kernel.hpp"
#include "boot/kernel_reports.hpp"
#include "mm/memory_stats.hpp"
#include "shell/command.hpp"
#include "shell/shell.hpp"

namespace mote {

namespace {

void print_line(StringView line, void* context) {
    auto* shell = static_cast<Shell*>(context);
    shell->write(line);
    shell->write("\n");
}

void report(Shell& shell, MachineReport what, StringView name) {
    auto r = shell.kernel().machine().describe(what, print_line, &shell);
    if (r.is_error() && r.error() == Error::Unsupported) shell.error("{}: not available on this machine", name);
    else if (r.is_error()) shell.error("{}: {}", name, r.error());
}

}  // namespace

void command_mem(Shell& shell, const Arguments&) {
    if (write_machine_memory(shell.kernel().machine(), print_line, &shell).is_error())
        shell.error("mem: not available on this machine");
}

void command_layout(Shell& shell, const Arguments&) { report(shell, MachineReport::Layout, "layout"); }

void command_devices(Shell& shell, const Arguments&) { report(shell, MachineReport::Devices, "devices"); }

void command_panic(Shell& shell, const Arguments&) {
    shell.kernel().machine().crash_on_request("panic requested from the shell");
}

void command_reboot(Shell& shell, const Arguments&) { shell.kernel().request_power(PowerAction::Reboot); }

}  // namespace mote
