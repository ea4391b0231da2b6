#!/usr/bin/env python3
"""Where the guest's time goes, by kernel function: a sampling profiler over
QEMU's gdbstub.

    tools/pc_sample.py ARCH [--machine M] [--append ARGS] [--disk]
                       [--until TEXT] [--shell CMD] [--period S]

Boots build/ARCH/mote.elf (with its initramfs) with `-gdb`, then every
PERIOD seconds interrupts the CPU, reads its program counter (and, on
x86_64, the return address above the frame pointer) and lets it run on,
until TEXT appears on the console. A sample is a moment of wall time, so
this shows what instruction counts cannot: time spent waiting
(`...::wait`), in helpers TCG runs slowly (timer and device accesses), or
translating code. Samples are grouped by the last console line that
starts with --split (default "FSBENCH op=": fsbench's steps), so the group
named "after op=X" is the step after X.

  --disk       attach a fresh 256 MiB ext3 image (mke2fs -t ext3) as vda
  --shell CMD  type CMD at the user shell's first prompt (then --until
               decides when to stop; the default TEXT is then "$ " again)

Sampling stops the CPU for a few tens of microseconds each time, so the
guest runs slower than without it: compare shares, not absolute figures.
QEMU is started and stopped by this script, bounded by --timeout."""
import argparse
import collections
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import machines  # noqa: E402
from bench_guest import _Console  # noqa: E402
from icount_profile import Symbols  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The pc's register number in QEMU's gdbstub, and for x86_64 the frame
# pointer's (read from the 'g' packet: 16 eight-byte GPRs, then rip).
PC_REGISTER = {"riscv64": 32, "aarch64": 32}


class GdbStub:
    """Just enough of the GDB remote protocol: interrupt, read, continue."""

    def __init__(self, port):
        end = time.monotonic() + 10
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                if time.monotonic() > end:
                    raise
                time.sleep(0.05)
        # Small packets both ways: without this each exchange waits for a
        # delayed ACK.
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.pending = b""
        self.sock.sendall(b"+")
        self.send("?")  # answered by a stop report
        self.packet()

    def packet(self):
        while True:
            start = self.pending.find(b"$")
            end = self.pending.find(b"#", start + 1) if start >= 0 else -1
            if start >= 0 and end >= 0 and len(self.pending) >= end + 3:
                body = self.pending[start + 1:end]
                self.pending = self.pending[end + 3:]
                self.sock.sendall(b"+")
                return body
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("gdbstub closed")
            self.pending += data

    def send(self, command):
        data = command.encode()
        self.sock.sendall(b"$" + data + b"#%02x" % (sum(data) & 0xFF))

    def request(self, command):
        """The reply to `command`, skipping stop reports that arrive late."""
        self.send(command)
        reply = self.packet()
        while reply[:1] in (b"T", b"S"):
            reply = self.packet()
        return reply

    def stop(self):
        self.sock.sendall(b"\x03")
        while self.packet()[:1] not in (b"T", b"S"):
            pass

    def close(self):
        try:
            self.send("D")
            self.sock.close()
        except OSError:
            pass


def word(hex_text):
    return int.from_bytes(bytes.fromhex(hex_text.decode()), "little")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("arch", choices=["riscv64", "aarch64", "x86_64"])
    parser.add_argument("--machine")
    parser.add_argument("--transport", default="mmio")
    parser.add_argument("--append", default="")
    parser.add_argument("--disk", action="store_true")
    parser.add_argument("--shell")
    parser.add_argument("--until")
    parser.add_argument("--split", default="FSBENCH op=")
    parser.add_argument("--period", type=float, default=0.0003)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    until = args.until or ("$ " if args.shell else "FSBENCH-DONE")

    folder = os.path.join(ROOT, "build", args.arch)
    kernel = machines.kernel_path(args.arch, folder)
    tmp = tempfile.mkdtemp(prefix="mote-pc-sample-")
    image = None
    if args.disk:
        image = os.path.join(tmp, "fs.img")
        with open(image, "wb") as f:
            f.truncate(256 << 20)
        subprocess.run(["mke2fs", "-q", "-F", "-t", "ext3", image], check=True)
    opts = type("Options", (), {"transport": args.transport, "disk": image, "disk_cache": "none" if image else None,
                                "no_net": not args.shell, "fwd": [], "machine": args.machine})()
    gdb_port = machines.free_port("tcp")
    argv = machines.qemu_argv(args.arch, kernel, extra=["-smp", "1", "-gdb", f"tcp:127.0.0.1:{gdb_port}"],
                              machine=args.machine, devices=machines.device_args(args.arch, opts),
                              initrd=machines.initramfs_path(folder), append=args.append or None)
    print(f"$ {' '.join(argv)}", flush=True)
    console = _Console(argv)
    stub = None
    samples = collections.defaultdict(collections.Counter)
    callers = collections.Counter()
    try:
        at = 0
        if args.shell:
            found = console.wait_for("$ ", 0, 120)
            if not found:
                raise SystemExit("pc_sample: the shell never prompted")
            at = found[1]
        stub = GdbStub(gdb_port)
        stub.send("c")
        if args.shell:
            console.send(args.shell)
        deadline = time.monotonic() + args.timeout
        group = "start"
        seen = at
        while time.monotonic() < deadline and console.proc.poll() is None:
            time.sleep(args.period)
            text = console.text()
            if until in text[seen:]:
                break
            for line in text[seen:text.rfind("\n") + 1].splitlines():
                if line.startswith(args.split):
                    group = "after " + line[len(args.split):].split()[0]
            seen = max(seen, text.rfind("\n") + 1)
            stub.stop()
            if args.arch == "x86_64":
                regs = stub.request("g")
                pc = word(regs[16 * 16:17 * 16])
                rbp = word(regs[6 * 16:7 * 16])
                ret = stub.request("m%x,8" % (rbp + 8))
                if not ret.startswith(b"E"):
                    callers[(pc, word(ret))] += 1
            else:
                pc = word(stub.request("p%x" % PC_REGISTER[args.arch]))
            samples[group][pc] += 1
            stub.send("c")
    finally:
        if stub:
            stub.close()
        console.stop()
        if image:
            os.unlink(image)
        os.rmdir(tmp)

    symbols = Symbols(kernel)
    for group, counts in samples.items():
        by_function = collections.Counter()
        for pc, n in counts.items():
            by_function[symbols.name(pc)] += n
        total = sum(by_function.values())
        print(f"== {group}: {total} samples")
        for name, n in by_function.most_common(args.top):
            print(f"  {100 * n / total:5.1f}% {n:6d} {name[:110]}")
    if callers:
        print("== callers of the five busiest functions (x86_64: the return address above rbp)")
        totals = collections.Counter()
        for (pc, _), n in callers.items():
            totals[symbols.name(pc)] += n
        for name, _ in totals.most_common(5):
            by_caller = collections.Counter()
            for (pc, ret), n in callers.items():
                if symbols.name(pc) == name:
                    by_caller[symbols.name(ret)] += n
            print(f"  {name[:100]}")
            for caller, n in by_caller.most_common(4):
                print(f"    {n:6d} {caller[:100]}")
    for line in console.text().splitlines():
        if line.startswith(args.split):
            print(line)


if __name__ == "__main__":
    main()
