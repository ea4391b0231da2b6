#include "base/config.hpp"
#include "shell/command.hpp"

namespace mote {

namespace {
const Command kCommands[] = {
    {"help", "help [COMMAND]", "list commands, or explain one", command_help},
    {"version", "version", "kernel version, revision and machine", command_version},
    {"uptime", "uptime", "time since boot and event loop counters", command_uptime},
    {"log", "log [COUNT | level LEVEL]", "show the kernel log, or set the console log level", command_log},
    {"random", "random N", "N bytes from the kernel CSPRNG, in hex (N <= 1024)", command_random},
#if MOTE_HAVE_DRIVERS
    {"blk", "blk info | read LBA [COUNT] | write LBA PATTERN | flush | bench [seq|rand] [read|write] [SIZE] [DEPTH]",
     "block devices: list, hex-dump sectors, fill a sector (PATTERN: 0xNN byte or text), flush, benchmark", command_blk},
#endif
    {"mem", "mem", "physical memory: RAM, reservations and why, page allocator and slab caches", command_mem},
    {"layout", "layout", "kernel address space and physical memory map", command_layout},
    {"devices", "devices", "every devicetree device: compatible, address, IRQ, driver", command_devices},
#if MOTE_HAVE_DRIVERS
    {"net", "net [link]", "network: addresses, routes, DHCP lease, ARP cache, device and per-protocol counters; link: MAC, link state, device counters", command_net},
    {"ping", "ping HOST [COUNT]", "ICMP echo to an IPv4 address, one a second (default 4), with round-trip times", command_ping},
#endif
    {"poweroff", "poweroff", "flush block devices and power off", command_poweroff},
    {"reboot", "reboot", "restart the machine", command_reboot},
    {"panic", "panic", "stop the kernel with a crash report (on purpose)", command_panic},
};
}  // namespace

Span<const Command> shell_commands() { return Span<const Command>(kCommands); }

const Command* find_command(StringView name) {
    for (const Command& c : shell_commands())
        if (c.name == name) return &c;
    return nullptr;
}

}  // namespace mote
