"""A user program's symbols, and breakpoints that stop only in its process:
`mote-user [PROGRAM]` and the `$_mote_current(NAME)` function.

Every program is linked at the same user address (0x400000, user/user.ld)
and every process has its own address space, so one address means
different code in different processes, and gdb can hold only one
program's symbols there at a time. `mote-user echo` loads
build/<arch>/user/echo (the linked program, with its full debug info; the
initramfs has a copy without it) in place of the last one loaded. From
then on, a breakpoint set in that program's code gets the condition
`$_mote_current("echo")`: it stops only when the process on the CPU runs
echo (the kernel's name for a process is its program's file name), and
is passed over silently in every other process that reaches the same
address.

Use `hbreak` for user code. Under QEMU's TCG (what `./mote debug` and the
tests use) `break` works too: QEMU compares the pc with its breakpoint list
and patches nothing. Elsewhere (KVM, a hardware probe) a software
breakpoint is an instruction written into memory through the translation
in force when gdb resumes: that is one process's private copy of its text
(or no mapping at all), not "the program", so it would miss or land in
another process. A hardware breakpoint compares the pc in whatever address
space is current, which is what the process condition needs.
"""
import os

import gdb

from . import elf
from . import kernel_view
from . import processes

_loaded = {"name": None, "path": None}


def _condition(name):
    return f'$_mote_current("{name}")'


def loaded_name():
    """The program whose symbols are loaded at the user addresses, or None."""
    return _loaded["name"]


def user_dir():
    """build/<arch>/user/, next to the kernel ELF gdb was given."""
    kernel = gdb.current_progspace().filename
    if not kernel:
        raise gdb.GdbError("mote-user: load the kernel first (file build/<arch>/mote.elf)")
    return os.path.join(os.path.dirname(os.path.abspath(kernel)), "user")


def load(name):
    path = os.path.join(user_dir(), name)
    if not os.path.isfile(path):
        raise gdb.GdbError(f"mote-user: no program {path} (build it: ./mote build <arch>)")
    previous = _loaded["name"]
    if _loaded["path"]:
        gdb.execute(f"remove-symbol-file {_loaded['path']}", to_string=True)
    # No address: the program is ET_EXEC, its sections are where it runs.
    gdb.execute(f"add-symbol-file {path}", to_string=True)
    _loaded.update(name=name, path=path)
    # Breakpoints already conditioned on the previous program were re-set
    # in this one's symbols: they now belong to this program.
    if previous and previous != name:
        for bp in gdb.breakpoints():
            if bp.condition == _condition(previous):
                bp.condition = _condition(name)
    gdb.write(f"mote: symbols of {name} loaded from {path}; breakpoints in its code stop only in its process "
              f"(use hbreak, see `help mote-user`)\n")


class UserCommand(gdb.Command):
    """Load a user program's symbols: mote-user [PROGRAM].
PROGRAM is a name under build/<arch>/user/ (echo, sh, ls, ...); without it,
the program of the process on the CPU. Breakpoints then set in its code
(e.g. `hbreak main`) stop only while a process running PROGRAM is current.

Use hbreak for user code: under QEMU's TCG `break` also works, but a
software breakpoint elsewhere (KVM, hardware) is written into one
process's memory, while a hardware breakpoint matches the pc in every
address space and the process condition picks the right one."""

    def __init__(self):
        super().__init__("mote-user", gdb.COMMAND_FILES)

    def invoke(self, argument, from_tty):
        name = argument.strip()
        if not name:
            with kernel_view.kernel_view():
                process = processes.current_process()
                name = processes.name_of(process) if process is not None else None
            if name is None:
                raise gdb.GdbError("mote-user: no process is on the CPU; name the program")
        load(name)


class CurrentFunction(gdb.Function):
    """$_mote_current(NAME): 1 if the process on the CPU runs program NAME, else 0."""

    def __init__(self):
        super().__init__("_mote_current")

    @kernel_view.reads_kernel
    def invoke(self, name):
        try:
            process = processes.current_process()
        except (gdb.error, gdb.GdbError):
            return 0  # no user space yet, or its memory not readable now
        return int(process is not None and processes.name_of(process) == name.string())


def _on_breakpoint_created(bp):
    """Gives a new breakpoint in the loaded program's code its process condition."""
    name, path = _loaded["name"], _loaded["path"]
    if not name or bp.condition or bp.type not in (gdb.BP_BREAKPOINT, gdb.BP_HARDWARE_BREAKPOINT):
        return
    if not hasattr(bp, "locations"):  # gdb before 13: add the condition by hand
        return
    locations = [loc.address for loc in bp.locations if loc.address is not None]
    if not locations or not all(elf.holds(path, address) for address in locations):
        return
    bp.condition = _condition(name)
    gdb.write(f"mote: breakpoint {bp.number} stops only in {name}'s process ({_condition(name)})\n")


def register():
    UserCommand()
    CurrentFunction()
    gdb.events.breakpoint_created.connect(_on_breakpoint_created)
