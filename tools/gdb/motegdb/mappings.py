"""A process's address space: `mote-maps [PID]`.

The regions AddressSpace keeps (proc/address_space.hpp): the program's
segments, map() areas and the stack, with their access and how many of
their pages are resident. The same facts as /sys/maps, read from a stopped
machine.
"""
import gdb

from . import kernel_data
from . import kernel_view
from . import processes


def _access(bits):
    letters = ""
    for name, letter in (("mote::kUserRead", "r"), ("mote::kUserWrite", "w"), ("mote::kUserExecute", "x")):
        value = kernel_data.enumerator(name)
        if value is None:
            return f"{bits:#x}"
        letters += letter if bits & value else "-"
    return letters


class MapsCommand(gdb.Command):
    """Show a process's mappings: mote-maps [PID].
Without PID: the process on the CPU."""

    def __init__(self):
        super().__init__("mote-maps", gdb.COMMAND_STATUS)

    @kernel_view.reads_kernel
    def invoke(self, argument, from_tty):
        argument = argument.strip()
        if argument:
            process = processes.find(int(gdb.parse_and_eval(argument)))
        else:
            process = processes.current_process()
            if process is None:
                raise gdb.GdbError("mote-maps: no process is on the CPU; name one: mote-maps PID")
        space = process["m_space"]
        count = int(space["m_count"])
        regions = space["m_regions"]
        capacity = regions.type.strip_typedefs().range()[1] + 1
        gdb.write(f"pid {processes.pid_of(process)} {processes.name_of(process)}: {count} regions, "
                  f"{int(space['m_resident'])} pages resident\n")
        for i in range(min(count, capacity)):
            region = regions[i]
            start, size = int(region["start"]), int(region["size"])
            lazy = " lazy" if bool(region["lazy"]) else ""
            gdb.write(f"  {start:#014x}-{start + size:#014x} {_access(int(region['access']))} "
                      f"{kernel_data.enum_name(region['kind']):8} {size // 1024:7} KiB{lazy}\n")


def register():
    MapsCommand()
