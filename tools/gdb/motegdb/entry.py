"""Stopping at the kernel's first instruction: `mote-entry`.

QEMU started with -S halts before the firmware (OpenSBI on riscv64, QEMU's
boot stub on aarch64, SeaBIOS or qboot on x86_64). The kernel's entry is
reached later, with the MMU off, at the address the image was loaded at:
the physical address of the ELF entry point (p_paddr of its segment). The
symbols, though, are at the link (virtual) addresses in the top 2 GiB,
where everything from kernel_main on runs; only the first few hundred
instructions (entry.S, riscv64's boot_early) run at physical addresses.

The stop uses a temporary hardware breakpoint: there is no mapping of the
kernel yet to write a software breakpoint through (and under KVM the
loader's copy may still be written after gdb inserts it), while a hardware
breakpoint just compares the pc. `break kernel_main` afterwards is a
normal breakpoint at the link address: QEMU's TCG matches the pc without
touching memory; under KVM use `hbreak kernel_main` for the same reason.
"""
import gdb

from . import elf
from . import kernel_data


class EntryCommand(gdb.Command):
    """Run to the kernel's entry point: mote-entry.
Continues until the CPU reaches the image's entry (its load address, MMU
off) with a temporary hardware breakpoint."""

    def __init__(self):
        super().__init__("mote-entry", gdb.COMMAND_RUNNING)

    def invoke(self, argument, from_tty):
        kernel = gdb.current_progspace().filename
        if not kernel:
            raise gdb.GdbError("mote-entry: load the kernel first (file build/<arch>/mote.elf)")
        address = elf.entry_load_address(kernel)
        entry, _ = elf.read(kernel)
        gdb.execute(f"thbreak *{address:#x}", to_string=True)
        gdb.execute("continue")
        gdb.write(f"mote: at the kernel entry {kernel_data.symbol_at(entry)}, load address {address:#x} "
                  f"(linked at {entry:#x}); MMU off.\n"
                  f"mote: try: break kernel_main, continue, bt, info registers; mote-ps, mote-threads,\n"
                  f"mote: mote-loop, mote-maps once user space runs; mote-user PROGRAM for a program's symbols.\n")


def register():
    EntryCommand()
