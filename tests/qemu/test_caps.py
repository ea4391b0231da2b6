#!/usr/bin/env python3
"""Capabilities and channels under QEMU (issue 12), end to end.

- escape as init (the kernel hands init every capability, the audit ring's
  among them): each attempt to reach what it was not given gets the error
  this file expects for it, and every denial shows in the audit ring.
- chantest as init: channel semantics between processes, one verdict per
  case, and a deliberate deadlock that sys/waits and the kernel log name.
- The user shell: `ls bin | cat` lists the initramfs, `cat sys/audit` is
  refused (the shell's root lacks the privileged right) and `audit`, which
  etc/caps gives the audit capability, prints the ring with that refusal.

The expectations are written here, from the ABI and the issue, not taken
from the programs: a program that stopped trying an attempt, or changed
what it expects, fails the test."""
import argparse
import os
import re
import sys

import qemu_harness
import machines  # noqa: E402 (qemu_harness put tools/ on the path)
from test_user import boot_init  # noqa: E402

# (attempt, error, denial): a denial must leave an audit record.
ESCAPES = [
    ("dotdot", "Escapes", True),
    ("dotdot-deep", "Escapes", True),
    ("absolute", "Escapes", True),
    ("forged", "BadHandle", True),
    ("forged-slot", "BadHandle", True),
    ("reused", "BadHandle", True),
    ("close-reused", "BadHandle", True),
    ("write-dup-ro", "AccessDenied", True),
    ("write-open-ro", "AccessDenied", True),
    ("dup-more", "AccessDenied", True),
    ("dup-nodup", "AccessDenied", True),
    ("sys-audit", "AccessDenied", True),
    ("sys-log", "AccessDenied", True),
    ("sys-power", "AccessDenied", True),
    ("dev-vda", "AccessDenied", True),
    ("send-notransfer", "AccessDenied", True),
    ("spawn-notransfer", "AccessDenied", True),
    ("handle-table", "TooMany", True),
    ("flood", "WouldBlock", True),
    ("signal-waitonly", "AccessDenied", True),
    ("cancel-waitonly", "AccessDenied", True),
    ("map-wx", "InvalidArgument", False),
]

CHANNEL_CASES = ["order", "whole", "bounded", "timeout", "cancel", "closed-queued", "closed-recv", "closed-send",
                 "transfer", "atomic", "deadlock", "call"]


def check_escape_output(text, fail):
    """The escape suite's lines against ESCAPES; `fail(why)` does not return."""
    lines = [line.rstrip("\r") for line in text.splitlines() if line.startswith("escape ")]
    failures = [line for line in lines if "FAIL" in line]
    if failures:
        fail("escape attempts went wrong:\n" + "\n".join(failures))
    for name, error, _ in ESCAPES:
        if f"escape {name} {error}" not in lines:
            fail(f"escape: no 'escape {name} {error}' line")
    denials = sum(1 for _, _, denial in ESCAPES if denial)
    audited = re.search(r"^escape audited (\d+)/(\d+)$", "\n".join(lines), re.M)
    if not audited:
        fail("escape did not read the audit ring (no 'escape audited' line)")
    if (int(audited.group(1)), int(audited.group(2))) != (denials, denials):
        fail(f"escape: {audited.group(0)!r}, want {denials}/{denials}: every denial audited, and no more")
    records = re.search(r"^escape audit-records (\d+)/(\d+)", "\n".join(lines), re.M)
    if not records or int(records.group(1)) != denials:
        fail(f"escape: the ring holds {records.group(1) if records else 'no'} deny records, want {denials}")
    if f"escape done {len(ESCAPES)} attempts {denials} denials 0 failures" not in lines:
        fail("escape did not finish with every attempt counted")
    return denials


def boot_with_disk(args, init, timeout):
    """Boots `init` with a disk attached (dev/vda must exist to be refused)."""
    options = argparse.Namespace(disk=None, no_net=True, machine=getattr(args, "machine", None))
    q = qemu_harness.Qemu(args, append=f"mote.init={init}", initrd=True,
                          devices=machines.device_args(args.arch, options))
    try:
        q.expect("init ended:", timeout=timeout)
        q.wait_exit()
        return q, q.text()
    finally:
        q.kill()


def check_escape(args):
    q, text = boot_with_disk(args, "bin/escape", timeout=90)
    denials = check_escape_output(text, q.fail)
    if "init ended: reason 1 status 0" not in text:
        q.fail("escape did not exit 0")
    print(f"OK: {len(ESCAPES)} escape attempts each got their named error; {denials}/{denials} denials audited")


def check_channel_output(text, fail):
    lines = [line.rstrip("\r") for line in text.splitlines() if line.startswith("chantest ")]
    for case in CHANNEL_CASES:
        if f"chantest {case} ok" not in lines:
            verdict = [line for line in lines if line.startswith(f"chantest {case} ")]
            fail(f"chantest {case}: {verdict[-1] if verdict else 'no verdict'}")
    cycle = re.search(r"^chantest deadlock pids (\d+) (\d+) cycle: (.*)$", "\n".join(lines), re.M)
    if not cycle:
        fail("chantest: no cycle line from sys/waits")
    a, b = cycle.group(1), cycle.group(2)
    for pid in (a, b):
        if f"pid {pid} (chantest)" not in cycle.group(3):
            fail(f"the cycle line does not name pid {pid}: {cycle.group(0)!r}")
    if f"chantest done {len(CHANNEL_CASES)} passed, 0 failed" not in lines:
        fail("chantest did not pass every case")
    return a, b


def check_channels(args):
    q, text = boot_init(args, "bin/chantest", timeout=120)
    a, b = check_channel_output(text, q.fail)
    # The kernel's own report, once: the whole cycle.
    logged = re.findall(r"proc: deadlock: (pid \d+ \(chantest\) -> )+pid \d+ \(chantest\)", text)
    deadlock_lines = [line for line in text.splitlines() if "proc: deadlock:" in line]
    if len(deadlock_lines) != 1 or not logged:
        q.fail(f"the kernel logged the deadlock {len(deadlock_lines)} times, want once")
    if f"pid {a} " not in deadlock_lines[0] or f"pid {b} " not in deadlock_lines[0]:
        q.fail(f"the kernel's deadlock line does not name pids {a} and {b}: {deadlock_lines[0]!r}")
    if "init ended: reason 1 status 0" not in text:
        q.fail("chantest did not exit 0")
    print(f"OK: {len(CHANNEL_CASES)} channel cases; the deadlock of pids {a} and {b} is in sys/waits and logged once")


def check_shell(args):
    q = qemu_harness.Qemu(args, initrd=True)
    try:
        run = qemu_harness.Shell(q).run

        tree = os.path.join(os.path.dirname(os.path.abspath(args.kernel)), "initramfs", "bin")
        expected = sorted(os.listdir(tree))
        listed = [w.strip() for w in run("ls bin | cat").splitlines()[1:-1] if w.strip()]
        if listed != expected:
            q.fail(f"ls bin | cat gave {listed}, the initramfs has {expected}")
        out = run("cat sys/audit")
        if "AccessDenied" not in out:
            q.fail(f"cat sys/audit was not refused with AccessDenied: {out!r}")
        if re.search(r"records \d+ denials", out):
            q.fail("cat sys/audit printed the audit ring")
        out = run("audit")
        header = re.search(r"records (\d+) denials (\d+) lost (\d+)", out)
        if not header:
            q.fail(f"audit printed no header: {out!r}")
        if int(header.group(1)) == 0 or int(header.group(2)) == 0:
            q.fail(f"audit: {header.group(0)!r}: the refusal of cat is not counted")
        if not re.search(r"pid \d+ cat deny syscall \d+ .*AccessDenied", out):
            q.fail("audit does not show cat's refused open")
        if not re.search(r" inherit ", out):
            q.fail("audit does not show the handles sh passed to its children")
        # Spawning without limits is a capability: a program's tree holds
        # 16 processes (storm and 15 children), the 16th child is refused
        # with TooMany and audited; with +spawn all 40 start.
        out = run("storm limit 40", timeout=60)
        if "STORM limit started=15 error=TooMany" not in out:
            q.fail(f"storm limit without the spawn capability: {out!r}")
        out = run("+spawn storm limit 40", timeout=60)
        if "STORM limit started=40 error=none" not in out:
            q.fail(f"storm limit with +spawn: {out!r}")
        out = run("audit")
        if not re.search(r"pid \d+ storm deny syscall \d+ capability #\d+ .*TooMany", out):
            q.fail(f"audit does not show storm's refused spawn: {out!r}")
        q.send("poweroff\r")
        if q.wait_exit() != 0:
            q.fail("poweroff did not end QEMU with status 0")
        print("OK: the shell pipes ls into cat, cat sys/audit is refused, audit shows the refusal; "
              "a program's tree is limited to 16 processes without the spawn capability")
    finally:
        q.kill()


def main():
    args = qemu_harness.parse_args(__doc__, timeout=300)
    check_escape(args)
    check_channels(args)
    check_shell(args)


if __name__ == "__main__":
    sys.exit(main())
