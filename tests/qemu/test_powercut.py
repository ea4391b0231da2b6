#!/usr/bin/env python3
"""Power cuts: QEMU is killed (SIGKILL) at a random moment while
bin/synctest writes, renames and unlinks files on the ext3 disk at /mnt,
fsyncing after each operation and printing what it made durable. Then the
machine boots again (the mount replays the journal) and powers off, and
from the host: e2fsck -fn finds the image clean, and every operation
synctest reported done is there (content compared byte for byte with
debugfs rdump); the one in flight is either done or not, never half.

A killed QEMU loses the requests still in its virtio queues and those it
had not yet handed to the host; what it had written stays in the image
file (no host crash is simulated).

Usage: test_powercut.py --arch ARCH --kernel ELF [--machine M] [--kills N] [--seed S]
Prints one line per kill and POWERCUT kills=N ops=M (ops reported durable).
"""
import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

import qemu_harness
import machines  # noqa: E402 (qemu_harness put tools/ on the path)

MAX_FILE = 40000


def file_size(n):
    return 1 + (n * 2654435761) % MAX_FILE  # u64 arithmetic in synctest, no wrap below 2^32 files


def content(n, size):
    return bytes((n * 131 + k * 7 + k // 251) & 0xFF for k in range(size))


def parse_args():
    # qemu_harness.parse_args, plus this test's own options.
    extra = sys.argv[1:]
    p = argparse.ArgumentParser(description=__doc__, add_help=False)
    p.add_argument("--kills", type=int, default=3)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--max-delay", type=float, default=1.5, help="seconds after the first durable op")
    ours, rest = p.parse_known_args(extra)
    sys.argv = [sys.argv[0]] + rest
    args = qemu_harness.parse_args(__doc__, timeout=60)
    return ours, args


def model_from(text):
    """Applies synctest's DO/OK lines: the names that must exist (name ->
    file number), the operation in flight (or None), and how many ops were
    reported durable."""
    names = {}
    pending = None
    done = 0
    # The last line may have been cut off by the kill: only whole lines count.
    for line in text.split("\n")[:-1]:
        line = line.strip()
        if line.startswith("DO "):
            pending = line.split()[1:]
        elif line == "OK" and pending:
            op = pending
            if op[0] == "write":
                names[op[1]] = int(op[1][1:])
            elif op[0] == "rename":
                names[op[2]] = names.pop(op[1])
            elif op[0] == "unlink":
                names.pop(op[1])
            pending = None
            done += 1
    return names, pending, done


def check_dir(dump, names, pending, fail):
    present = set(os.listdir(dump)) if os.path.isdir(dump) else set()
    loose = set()
    if pending:
        loose = set(pending[1:2] if pending[0] != "rename" else pending[1:3])
    def read(name):
        with open(os.path.join(dump, name), "rb") as f:
            return f.read()
    for name, n in names.items():
        if name in loose:
            continue
        if name not in present:
            fail(f"{name} was reported durable but is missing")
        want = content(n, file_size(n))
        got = read(name)
        if got != want:
            fail(f"{name}: {len(got)} bytes, want {len(want)}; first difference at "
                 f"{next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))}")
    for name in present - set(names) - loose:
        fail(f"{name} exists but no reported operation left it there")
    if pending:
        op = pending
        if op[0] == "write" and op[1] in present:
            n = int(op[1][1:])
            got = read(op[1])
            want = content(n, file_size(n))
            if got != want[:len(got)]:
                fail(f"{op[1]} (write in flight) holds bytes it was never given")
        elif op[0] == "rename":
            there = [x for x in op[1:3] if x in present]
            if len(there) != 1:
                fail(f"rename in flight {op[1]} -> {op[2]}: found {there}")
            n = names[op[1]]
            if read(there[0]) != content(n, file_size(n)):
                fail(f"rename in flight: {there[0]} has the wrong content")
        elif op[0] == "unlink" and op[1] in present:
            n = names[op[1]]
            if read(op[1]) != content(n, file_size(n)):
                fail(f"unlink in flight: {op[1]} has the wrong content")


def main():
    ours, args = parse_args()
    if not shutil.which("mke2fs") or not shutil.which("e2fsck") or not shutil.which("debugfs"):
        print("SKIP: e2fsprogs not installed")
        return 77
    seed = ours.seed if ours.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    print(f"seed {seed} (--seed {seed} repeats these kill times)")
    tmp = tempfile.mkdtemp()
    total_ops = 0
    try:
        image = os.path.join(tmp, "disk.img")
        options = argparse.Namespace(disk=image, no_net=True, machine=getattr(args, "machine", None))
        devices = machines.device_args(args.arch, options)
        for round_ in range(ours.kills):
            # Up to five cuts on one image (each in its own directory, so
            # later rounds recover a volume earlier ones left behind), then
            # a fresh one before it fills up.
            if round_ % 5 == 0:
                with open(image, "wb") as f:
                    f.truncate(0)
                    f.truncate(128 << 20)
                subprocess.run(["mke2fs", "-q", "-F", "-t", "ext3", "-b", "1024", image], check=True)
            delay = rng.uniform(0, ours.max_delay)
            q = qemu_harness.Qemu(args, initrd=True, devices=devices,
                                  append=f"mote.init=bin/synctest,mnt/run{round_}")
            try:
                q.expect("\nOK", timeout=30)
                time.sleep(delay)
                if "SYNCTEST-" in q.text():
                    q.fail("synctest ended before the power cut (make the disk larger)")
            finally:
                q.kill()
            text = q.text()
            names, pending, done = model_from(text)
            total_ops += done
            # Boot again: the mount replays the journal; init (bin/true)
            # ends at once and the kernel unmounts and powers off.
            q = qemu_harness.Qemu(args, initrd=True, devices=devices, append="mote.init=bin/true")
            try:
                if q.wait_exit() != 0:
                    q.fail("the second boot did not power off with status 0")
                after = q.text()
                if "MOTE-PANIC" in after or "vda: unmounted cleanly" not in after:
                    q.fail("the second boot did not mount and unmount the disk cleanly")
            finally:
                q.kill()
            r = subprocess.run(["e2fsck", "-fn", image], capture_output=True, text=True)
            if r.returncode != 0:
                print(r.stdout + r.stderr)
                print(f"FAIL: e2fsck -fn after power cut {round_} (seed {seed})")
                return 1
            dump = os.path.join(tmp, f"dump{round_}")
            os.makedirs(dump)
            subprocess.run(["debugfs", "-R", f"rdump /run{round_} {dump}", image], capture_output=True, check=True)

            def fail(why):
                print(text[-2000:])
                print(f"FAIL: power cut {round_} (seed {seed}, {delay:.3f} s): {why}")
                sys.exit(1)
            check_dir(os.path.join(dump, f"run{round_}"), names, pending, fail)
            print(f"cut {round_}: killed {delay:.3f} s after the first fsync; {done} operations durable, "
                  f"{len(names)} files checked, in flight: {' '.join(pending) if pending else 'nothing'}; "
                  "e2fsck clean")
        print(f"POWERCUT kills={ours.kills} ops={total_ops}")
        print(f"OK: {ours.kills} power cuts during synctest: replayed, e2fsck -fn clean, every fsync'd operation kept")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
