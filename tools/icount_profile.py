#!/usr/bin/env python3
"""Where a sysbench operation's guest instructions go, by kernel function.

    tools/icount_profile.py ARCH BENCH N1 N2 [--machine M] [--callers FUNC]

Boots build/ARCH/mote.elf twice with `mote.init=bin/sysbench,N,BENCH` under
`-icount shift=0` and QEMU's `-d in_asm,exec,nochain` log: every
translation block executed is logged, and each block's instruction count
is known from its disassembly. A block's instructions are charged to the
function of the kernel's symbol table (mote.elf) that holds its address;
anything outside the kernel's text is `<user>`. The two boots differ only
in the iteration count, so (boot 2 - boot 1) / (N2 - N1) is one
operation's cost, boot and set-up cancelling out. The total is the same
figure sysbench prints under -icount.

--callers FUNC (a prefix of a demangled name, e.g. "memcpy" or
"mote::mem_copy(") also splits FUNC's instructions by the function that
called it (the block executed just before FUNC's entry).

The logs are large (about 100 bytes per block executed): keep N2 - N1
small (1000..3000 null syscalls, 20..60 spawns). Each QEMU is bounded in
time (15 minutes) and its log is removed after reading."""
import argparse
import bisect
import collections
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import machines  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADDRESS = re.compile(r"^0x([0-9a-f]+):")
TRACE = re.compile(r"^Trace \d+: 0x[0-9a-f]+ \[[0-9a-f]+/([0-9a-f]+)/")


class Symbols:
    """The kernel's text symbols, for address -> function."""

    def __init__(self, elf):
        out = subprocess.run(["llvm-nm-19", "-n", "-C", "--defined-only", elf], stdout=subprocess.PIPE,
                             text=True, check=True).stdout
        entries = []
        for line in out.splitlines():
            parts = line.split(" ", 2)
            if len(parts) == 3 and parts[1] in "tTwW":
                entries.append((int(parts[0], 16), parts[2]))
        entries.sort()
        self.addresses = [a for a, _ in entries]
        self.names = [n for _, n in entries]

    def name(self, pc):
        if pc is None:
            return "(entered directly)"
        if pc < self.addresses[0] or pc > self.addresses[-1] + 0x10000:
            return "<user>"
        return self.names[bisect.bisect_right(self.addresses, pc) - 1]

    def range_of(self, prefix):
        """[start, end) of the first function whose name starts with prefix."""
        for i, name in enumerate(self.names):
            if name.startswith(prefix):
                end = self.addresses[i + 1] if i + 1 < len(self.addresses) else self.addresses[i] + 1
                return self.addresses[i], end
        raise SystemExit(f"no function named {prefix}...")


def boot(args, iterations, symbols, watched):
    """(instructions per function, instructions of `watched` per caller) of one boot."""
    folder = os.path.join(ROOT, "build", args.arch)
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "qemu.log")
        argv = machines.qemu_argv(args.arch, machines.kernel_path(args.arch, folder),
                                  append=f"mote.init=bin/sysbench,{iterations},{args.bench}",
                                  extra=["-smp", "1", "-icount", "shift=0", "-d", "in_asm,exec,nochain", "-D", log],
                                  machine=args.machine, initrd=machines.initramfs_path(folder))
        subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=900)
        sizes, counts, by_caller = {}, collections.Counter(), collections.Counter()
        previous, caller = 0, None
        first, n = None, 0
        in_block = False
        with open(log, errors="replace") as f:
            for line in f:
                if line.startswith("IN:"):
                    in_block, first, n = True, None, 0
                    continue
                if in_block:
                    m = ADDRESS.match(line)
                    if m:
                        if first is None:
                            first = int(m.group(1), 16)
                        n += 1
                        continue
                    if line.strip() and not line.startswith(("Trace", "----")):
                        continue  # the block's header lines (Priv:, ...)
                    if first is not None:
                        sizes[first] = n
                    in_block = False
                m = TRACE.match(line)
                if not m:
                    continue
                pc = int(m.group(1), 16)
                counts[pc] += 1
                if watched:
                    start, end = watched
                    if start <= pc < end:
                        if pc == start and not (start <= previous < end):
                            caller = previous
                        by_caller[(caller, pc)] += 1
                    else:
                        caller = None
                previous = pc
    per_function = collections.Counter()
    for pc, count in counts.items():
        per_function[symbols.name(pc)] += count * sizes.get(pc, 0)
    per_caller = collections.Counter()
    for (caller_pc, pc), count in by_caller.items():
        per_caller[symbols.name(caller_pc)] += count * sizes.get(pc, 0)
    return per_function, per_caller


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("arch", choices=["riscv64", "aarch64", "x86_64"])
    parser.add_argument("bench")
    parser.add_argument("n1", type=int)
    parser.add_argument("n2", type=int)
    parser.add_argument("--machine", help="e.g. microvm or q35 for x86_64")
    parser.add_argument("--callers", help="split this function's instructions by caller")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    if args.n2 <= args.n1:
        parser.error("N2 must be larger than N1")
    symbols = Symbols(os.path.join(ROOT, "build", args.arch, "mote.elf"))
    watched = symbols.range_of(args.callers) if args.callers else None
    a, a_callers = boot(args, args.n1, symbols, watched)
    b, b_callers = boot(args, args.n2, symbols, watched)
    span = args.n2 - args.n1
    per_op = {k: (b[k] - a[k]) / span for k in set(a) | set(b)}
    print(f"{args.arch} {args.bench}: {sum(per_op.values()):.0f} guest instructions per operation")
    for name, value in sorted(per_op.items(), key=lambda kv: -kv[1])[:args.top]:
        if abs(value) >= 1:
            print(f"{value:9.0f}  {name[:120]}")
    if watched:
        print(f"{args.callers}... by caller, per operation:")
        callers = {k: (b_callers[k] - a_callers[k]) / span for k in set(a_callers) | set(b_callers)}
        for name, value in sorted(callers.items(), key=lambda kv: -kv[1])[:15]:
            if abs(value) >= 1:
                print(f"{value:9.0f}  {name[:120]}")


if __name__ == "__main__":
    main()
