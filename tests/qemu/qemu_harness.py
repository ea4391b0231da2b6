"""Drive a Mote kernel under QEMU over its serial console.

Every QEMU started here is bounded in time and killed by PID when the test
ends, whatever happens. A test exits 77 (CTest: skipped) when the kernel
image or QEMU is missing, so a host-only build does not fail on them.
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import machines  # noqa: E402
from process_output import ProcessOutput, WaitFailed  # noqa: E402

# Each test's default disk is its own: two QEMUs of one ISA (ctest -j2)
# cannot share build/<arch>/scratch.img's write lock.
machines.use_private_scratch()

SKIP = 77


def parse_args(description, transport=False, timeout=60.0):
    """The options every QEMU test takes; `transport` adds --transport for
    tests that attach virtio devices."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--arch", required=True)
    p.add_argument("--kernel", required=True, help="build/<arch>/mote.elf")
    p.add_argument("--gic", default=None)
    p.add_argument("--cpu", default=None)
    p.add_argument("--machine", default=None, help="x86_64: q35, pc or microvm")
    p.add_argument("--memory", default="128M")
    p.add_argument("--timeout", type=float, default=timeout)
    p.add_argument("--profile", default="full", choices=["full", "minimal"], help="the image's profile")
    if transport:
        p.add_argument("--transport", default=None, choices=machines.TRANSPORTS,
                       help="default: the machine's own (pci on q35 and pc, mmio elsewhere)")
    args = p.parse_args()
    if transport and args.transport is None:
        args.transport = machines.default_transport(args.arch, args.machine)
    return args


class Qemu:
    def __init__(self, args, append=None, memory=None, devices=(), initrd=False, extra=()):
        """`initrd`: boot with the build's initramfs (next to the kernel), so
        that init and the user shell run instead of the kernel's shell; a
        path: boot with that archive instead.
        `extra`: QEMU arguments after all the others (-rtc base=..., -machine
        rtc=off)."""
        kernel = machines.kernel_from_elf(args.arch, args.kernel)
        if not os.path.exists(kernel):
            print(f"SKIP: {kernel} is not built (./mote build {args.arch})")
            sys.exit(SKIP)
        initramfs = None
        if isinstance(initrd, str):
            initramfs = initrd
        elif initrd:
            initramfs = machines.initramfs_path(os.path.dirname(os.path.abspath(args.kernel)))
            if not os.path.exists(initramfs):
                print(f"FAIL: {initramfs} is not built")
                sys.exit(1)
        self.argv = machines.qemu_argv(args.arch, kernel, memory=memory or args.memory, append=append,
                                       cpu=args.cpu, gic=args.gic, devices=devices,
                                       machine=getattr(args, "machine", None), initrd=initramfs, extra=extra)
        if not shutil.which(self.argv[0]):
            print(f"SKIP: {self.argv[0]} is not installed")
            sys.exit(SKIP)
        self.deadline = time.monotonic() + args.timeout
        print("QEMU:", " ".join(self.argv), flush=True)
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.output = ProcessOutput(self.proc)

    def text(self):
        return self.output.text()

    def expect(self, needle, start=0, timeout=None, panic_ok=False):
        """Waits until `needle` appears in the output after offset `start`;
        returns the offset just past it. Fails on timeout, on QEMU's exit and
        on a MOTE-PANIC anywhere in the output unless `panic_ok` (a test
        that crashes the kernel on purpose)."""
        limit = min(self.deadline, time.monotonic() + (timeout or 1e9))
        crashed = None if panic_ok else (lambda text: "MOTE-PANIC" in text and "the kernel panicked")
        try:
            return self.output.wait_for(needle, start, limit, crashed)
        except WaitFailed as e:
            self.fail(str(e))

    def expect_count(self, needle, count, timeout=None):
        """Waits until `needle` has appeared `count` times: a guest's console
        line can reach the serial port after the network reply it printed
        about has reached the host, so a count taken at once can be short."""
        limit = min(self.deadline, time.monotonic() + (timeout or 1e9))
        while True:
            seen = self.text().count(needle)
            if seen >= count:
                return
            if time.monotonic() > limit:
                self.fail(f"saw {needle!r} {seen} times, not {count}")
            if self.output.ended():
                self.fail(f"QEMU exited while waiting for {count} of {needle!r}")
            time.sleep(0.01)

    def send(self, data):
        self.proc.stdin.write(data if isinstance(data, bytes) else data.encode())
        self.proc.stdin.flush()

    def wait_exit(self):
        """QEMU's exit status, once it has exited and its output has been
        read to the end: the process can be gone while its last lines are
        still in the pipe, and a check of text() would then miss them."""
        remaining = max(0.1, self.deadline - time.monotonic())
        try:
            status = self.proc.wait(timeout=remaining)
        except subprocess.TimeoutExpired:
            self.fail("timed out waiting for QEMU to exit")
        if not self.output.join(max(0.1, self.deadline - time.monotonic())):
            self.fail("QEMU exited but its output did not end")
        return status

    def kill(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, 9)
            self.proc.wait()
        self.output.join(2)

    def fail(self, why):
        self.kill()
        sys.stdout.write(self.text())
        print(f"\nFAIL: {why}")
        sys.exit(1)


class Shell:
    """The user shell at its `$ ` prompt: run(line) types a line and returns
    what the machine printed up to the next prompt (the echoed line first).
    `start`: the first prompt after this output offset (a later boot of the
    same QEMU); `panic_ok`: an earlier boot's MOTE-PANIC in the output is
    expected (tests that crash on purpose)."""

    def __init__(self, q, timeout=30, start=0, panic_ok=False):
        self.q = q
        self.panic_ok = panic_ok
        self.at = q.expect("$ ", start=start, timeout=timeout, panic_ok=panic_ok)

    def run(self, line, timeout=20):
        self.q.send(line + "\r")
        end = self.q.expect("$ ", start=self.at + len(line), timeout=timeout, panic_ok=self.panic_ok)
        out = self.q.text()[self.at:end]
        self.at = end
        return out
