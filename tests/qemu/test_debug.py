#!/usr/bin/env python3
"""gdb against QEMU's gdbstub, as `./mote debug` sets it up: gdb-multiarch
in batch mode with the kernel's symbols and tools/gdb/mote.py.

QEMU starts halted (-S) with its gdbstub on a free port on 127.0.0.1. gdb
sets a breakpoint on kernel_main, reaches it and reads its argument (the
devicetree's or the PVH start info's physical address), its backtrace and
registers; then loads echo's symbols (mote-user echo) and sets a hardware
breakpoint on its main, which carries the condition "echo's process is on
the CPU". This test types `echo hello-gdb` at the user shell's prompt;
gdb must stop in echo's main (not at the same address in init or sh) and
read argc and argv[1] from the program's own memory, then the helper's
mote-ps, mote-threads, mote-maps and mote-loop run on the stopped machine.

Judged from gdb's output: the values gdb read against what the test knows
(the word it typed, argc 2, a devicetree in RAM or start info below 1 MiB)
and the processes the helper lists against the session's programs.
QEMU and gdb are killed by PID whatever happens; every wait is bounded."""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import qemu_harness
import machines  # noqa: E402 (qemu_harness put tools/ on the path)
from process_output import ProcessOutput, WaitFailed  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GDB = "gdb-multiarch"
PROGRAM = "echo"
WORD = "hello-gdb"
# kernel_main's argument on each ISA (arch/<isa>/boot.cpp) and where it
# must point: the devicetree QEMU puts in RAM (virt: RAM from 0x80000000 on
# riscv64, 0x40000000 on aarch64), or the PVH start info, which QEMU's
# loader places below the kernel's 1 MiB.
KERNEL_ARGUMENT = {
    "riscv64": ("dtb_phys", lambda v: 0x80000000 <= v < 0x80000000 + (128 << 20)),
    "aarch64": ("dtb_phys", lambda v: 0x40000000 <= v < 0x40000000 + (128 << 20)),
    "x86_64": ("start_info_phys", lambda v: 0 < v < 0x100000),
}
PC = {"riscv64": "pc", "aarch64": "pc", "x86_64": "rip"}


def gdb_script(arch, port):
    argument = KERNEL_ARGUMENT[arch][0]
    return f"""set pagination off
set confirm off
set width 0
source {ROOT}/tools/gdb/mote.py
target remote 127.0.0.1:{port}
break kernel_main
continue
echo MOTE-GDB kernel-stop\\n
bt 1
print/x {argument}
info registers {PC[arch]}
delete 1
mote-user {PROGRAM}
hbreak main
continue
echo MOTE-GDB user-stop\\n
print argc
print argv[1]
print $_mote_current("{PROGRAM}")
bt 2
mote-ps
mote-threads
mote-maps
mote-loop
echo MOTE-GDB done\\n
kill
"""


class Gdb:
    """gdb-multiarch in batch mode, its output collected by a thread."""

    def __init__(self, kernel, script_path):
        self.proc = subprocess.Popen([GDB, "-nx", "-batch", "-x", script_path, kernel], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.output = ProcessOutput(self.proc)

    def text(self):
        return self.output.text()

    def wait_for(self, q, needle, deadline):
        try:
            self.output.wait_for(needle, limit=deadline)
        except WaitFailed as e:
            fail(q, self, f"gdb: {e}")

    def kill(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, 9)
            self.proc.wait()
        self.output.join(2)


def fail(q, g, why):
    sys.stdout.write("--- gdb ---\n" + (g.text() if g else "") + "\n--- console ---\n")
    q.fail(why)


def listening(port, q, deadline):
    """Waits until the port is bound, without connecting (the stub takes one
    client, and a connection pauses the machine): true once binding it
    fails while QEMU still runs; false if QEMU exited first (someone else
    took the port, and QEMU could not bind it)."""
    while time.monotonic() < deadline:
        if q.proc.poll() is not None:
            return False
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                time.sleep(0.3)
                return q.proc.poll() is None
        time.sleep(0.05)
    return False


def start_qemu(args):
    """QEMU halted at its first instruction, its gdbstub on a free port.
    The port is free when picked but could be taken before QEMU binds it:
    then QEMU exits at once, and another port is tried."""
    for _ in range(3):
        port = machines.free_port("tcp")
        # No devices: the session needs none, and the default scratch disk
        # could be held by another test's QEMU (image locking).
        q = qemu_harness.Qemu(args, initrd=True, extra=["-gdb", f"tcp:127.0.0.1:{port}", "-S"])
        if listening(port, q, time.monotonic() + 10):
            return q, port
        q.kill()
    print("FAIL: QEMU's gdbstub never listened")
    sys.exit(1)


def values(text):
    """What gdb printed for each `print`, in order ($N = VALUE)."""
    return [m.group(1).strip() for m in re.finditer(r"^\$\d+ = (.*)$", text, re.M)]


def check(args, q, g):
    text = g.text()
    kernel = text[text.find("MOTE-GDB kernel-stop"):text.find("MOTE-GDB user-stop")]
    user = text[text.find("MOTE-GDB user-stop"):text.find("MOTE-GDB done")]
    if not re.search(r"Breakpoint 1, (0x[0-9a-f]+ in )?kernel_main \(", text):
        fail(q, g, "gdb did not stop at kernel_main")
    if not re.search(r"#0\s+(0x[0-9a-f]+ in )?kernel_main \(", kernel):
        fail(q, g, "the backtrace at kernel_main does not start in kernel_main")
    name, plausible = KERNEL_ARGUMENT[args.arch]
    printed = values(kernel)
    if not printed or not printed[0].startswith("0x"):
        fail(q, g, f"gdb printed no value for kernel_main's {name}")
    value = printed[0]
    if not plausible(int(value, 16)):
        fail(q, g, f"kernel_main's {name} = {value} is not where QEMU puts it")
    pc = re.search(rf"^{PC[args.arch]}\s+(0x[0-9a-f]+)", kernel, re.M)
    if not pc or int(pc.group(1), 16) < 0xffffffff80000000:
        fail(q, g, "info registers does not show the pc at kernel_main's link address")
    print(f"OK: stopped at kernel_main ({name} = {value}, pc {pc.group(1)})")

    if f"stops only in {PROGRAM}'s process" not in text:
        fail(q, g, f"the breakpoint in {PROGRAM}'s main did not get its process condition")
    if not re.search(r"Breakpoint 2, (0x[0-9a-f]+ in )?main \(", text):
        fail(q, g, f"gdb did not stop at {PROGRAM}'s main")
    printed = values(user)
    if len(printed) < 3:
        fail(q, g, "gdb printed fewer than three values in the user program")
    argc, argv1, current = printed[:3]
    if argc != "2":
        fail(q, g, f"argc in {PROGRAM}'s main is {argc}, not 2")
    if f'"{WORD}"' not in argv1:
        fail(q, g, f"argv[1] in {PROGRAM}'s main is {argv1}, not \"{WORD}\"")
    if current != "1":
        fail(q, g, f"$_mote_current(\"{PROGRAM}\") is {current} at the breakpoint")
    print(f"OK: stopped in {PROGRAM}'s main: argc = {argc}, argv[1] = {argv1}")

    # The helper's views of the stopped machine: echo is current, with its
    # shell and init listed; echo's address space has its program and stack.
    ps = re.findall(r"^([* ])\s*(\d+)\s+(\d+)\s+(\w+)\s+(\w+)\s+(\d+) (\S+)$", user, re.M)
    names = {row[6]: row for row in ps}
    for expected in ("init", "sh", PROGRAM):
        if expected not in names:
            fail(q, g, f"mote-ps does not list {expected}")
    if names[PROGRAM][0] != "*" or sum(1 for row in ps if row[0] == "*") != 1:
        fail(q, g, f"mote-ps does not mark {PROGRAM} (alone) as current")
    if not re.search(rf"^\*\s*{names[PROGRAM][1]}\s+{PROGRAM}\s+Running\s.*on the CPU", user, re.M):
        fail(q, g, f"mote-threads does not show {PROGRAM}'s thread running on the CPU")
    if not re.search(rf"^pid {names[PROGRAM][1]} {PROGRAM}: \d+ regions", user, re.M):
        fail(q, g, f"mote-maps does not describe {PROGRAM}'s address space")
    for kind, access in (("Program", "r-x"), ("Stack", "rw-")):
        if not re.search(rf"^  0x[0-9a-f]+-0x[0-9a-f]+ {access} {kind}\b", user, re.M):
            fail(q, g, f"mote-maps shows no {access} {kind} region")
    if not re.search(r"^turns \d+, completions \d+", user, re.M) or "timers armed:" not in user:
        fail(q, g, "mote-loop did not describe the loop")
    print(f"OK: mote-ps, mote-threads, mote-maps and mote-loop on the stopped machine ({len(ps)} processes)")


def main():
    args = qemu_harness.parse_args(__doc__, timeout=100)
    if args.arch not in KERNEL_ARGUMENT:
        print(f"SKIP: no debugging support for {args.arch}")
        return qemu_harness.SKIP
    if not shutil.which(GDB):
        print(f"SKIP: {GDB} is not installed (./mote test installs it)")
        return qemu_harness.SKIP
    deadline = time.monotonic() + args.timeout
    q, g = None, None
    with tempfile.TemporaryDirectory() as scratch:
        try:
            q, port = start_qemu(args)
            script = os.path.join(scratch, "session.gdb")
            with open(script, "w") as f:
                f.write(gdb_script(args.arch, port))
            g = Gdb(args.kernel, script)
            g.wait_for(q, "MOTE-GDB kernel-stop", deadline)
            # gdb continues from kernel_main into the boot; at the shell's
            # prompt, run the program whose main has the breakpoint.
            qemu_harness.Shell(q, timeout=max(1, deadline - time.monotonic()))
            q.send(f"{PROGRAM} {WORD}\r")
            g.wait_for(q, "MOTE-GDB done", deadline)
            try:
                g.proc.wait(timeout=max(1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                fail(q, g, "gdb did not exit after its script")
            check(args, q, g)
        finally:
            if g:
                g.kill()
            if q:
                q.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
