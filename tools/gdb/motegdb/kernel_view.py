"""Reading kernel memory while a user program is stopped.

QEMU's gdbstub translates a debugger's addresses as the CPU would at its
current privilege. Stopped in user code, the kernel half is mapped (every
process's tables carry it) but marked kernel-only, and on riscv64 and
aarch64 QEMU refuses the read ("Cannot access memory"); x86_64's debug
walk does not check the user bit. So a command or breakpoint condition
that reads kernel structures from a user stop raises the CPU's privilege
for its reads and puts it back before anything runs: riscv64's `priv`
register (QEMU's virtual register: 0 user, 1 supervisor) and aarch64's
PSTATE.EL in `cpsr` (M[3:0] = EL1h). Nothing else changes: no instruction
executes in between, and the registers are restored even when a read
fails.
"""
import contextlib
import functools

import gdb

_EL_MASK = 0xf
_EL1H = 0x5


def _raise_privilege():
    """Returns (register, saved value) if the CPU had to be lifted, else None."""
    arch = gdb.selected_inferior().architecture().name()
    if arch.startswith("riscv"):
        priv = int(gdb.parse_and_eval("$priv"))
        if priv == 0:
            gdb.execute("set $priv = 1", to_string=True)
            return "$priv", priv
    elif arch.startswith("aarch64"):
        cpsr = int(gdb.parse_and_eval("$cpsr")) & 0xffffffff
        if (cpsr >> 2) & 3 == 0:
            gdb.execute(f"set $cpsr = {(cpsr & ~_EL_MASK) | _EL1H:#x}", to_string=True)
            return "$cpsr", cpsr
    return None


@contextlib.contextmanager
def kernel_view():
    """Within: kernel addresses read as the kernel reads them."""
    try:
        saved = _raise_privilege()
    except gdb.error:
        saved = None  # no thread (not connected): nothing to lift
    try:
        yield
    finally:
        if saved:
            gdb.execute(f"set {saved[0]} = {saved[1]:#x}", to_string=True)


def reads_kernel(method):
    """Decorator: the method runs in kernel_view()."""
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        with kernel_view():
            return method(*args, **kwargs)
    return wrapper
