// A shell command: its name, how to call it, one line of help, and the
// function that runs it. The table of every command is in command_table.cpp.
#pragma once

#include "base/span.hpp"
#include "shell/arguments.hpp"

namespace mote {

class Shell;

struct Command {
    StringView name;
    StringView usage;    // "blk read LBA [COUNT]"
    StringView summary;  // one line for `help`
    void (*run)(Shell& shell, const Arguments& args);
};

Span<const Command> shell_commands();
const Command* find_command(StringView name);

// The commands, by group (one file each).
void command_help(Shell&, const Arguments&);
void command_version(Shell&, const Arguments&);
void command_uptime(Shell&, const Arguments&);
void command_log(Shell&, const Arguments&);
void command_poweroff(Shell&, const Arguments&);
void command_random(Shell&, const Arguments&);
void command_blk(Shell&, const Arguments&);
void command_blk_bench(Shell&, const Arguments&);
void command_mem(Shell&, const Arguments&);
void command_layout(Shell&, const Arguments&);
void command_devices(Shell&, const Arguments&);
void command_panic(Shell&, const Arguments&);
void command_reboot(Shell&, const Arguments&);
void command_net(Shell&, const Arguments&);
void command_net_link(Shell&, const Arguments&);
void command_ping(Shell&, const Arguments&);

}  // namespace mote
