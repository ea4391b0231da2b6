#!/usr/bin/env python3
"""The epitaph's copy on disk (mote.dump=vda:2048), judged from the disk
image's bytes and across cold boots: each boot is a new QEMU process, so RAM
keeps nothing and only the disk can tell.

1. A zeroed area is taken. `+power crash secret HEX` panics holding HEX as
   the CSPRNG's key; mote.panic=poweroff ends QEMU. The report says the
   record went to "vda sectors 2048..2055"; the image then holds, there, a
   record this test decodes itself (tools/epitaph_format.py: magic, version, size, CRC32C, state
   crashed, kind panic, the cause, registers withheld), the sectors around
   the area are untouched and the secret is nowhere in the image.
2. The next boot (cold) prints "previous boot ended in a crash: <cause> ...
   (from vda sectors 2048..2055)", sys/epitaph names the place, and its
   boot number follows the disk's. `poweroff` leaves a Clean record there.
3. The next boot says "ended cleanly"; then QEMU is killed (a power cut):
   the image holds that boot's Running record, and the boot after says
   "ended without an epitaph".
4. An area holding anything else (here, a pattern) is refused with a log
   line and is byte for byte the same after a boot and a crash."""
import os
import sys
import tempfile

import qemu_harness
import machines  # noqa: E402 (qemu_harness put tools/ on the path)
from epitaph_format import WITHHELD, decode  # noqa: E402

SECTOR = 2048
AREA = 8 * 512
CAUSE = "crash requested through sys/power (holding a secret)"


class Disk:
    def __init__(self, path):
        self.path = path

    def area(self):
        with open(self.path, "rb") as f:
            f.seek(SECTOR * 512)
            return f.read(AREA)

    def record(self, q):
        r = decode(self.area())
        if isinstance(r, str):
            q.fail(f"the dump area holds no valid epitaph: {r}")
        return r

    def around(self):
        with open(self.path, "rb") as f:
            f.seek((SECTOR - 8) * 512)
            before = f.read(8 * 512)
            f.seek((SECTOR + 8) * 512)
            return before, f.read(8 * 512)


def boot(args, disk, extra_append=""):
    ns = type("Options", (), {})()
    ns.disk = disk.path
    ns.no_net = True
    ns.machine = getattr(args, "machine", None)
    ns.transport = getattr(args, "transport", None)
    append = f"mote.dump=vda:{SECTOR} mote.panic=poweroff {extra_append}".strip()
    return qemu_harness.Qemu(args, initrd=True, append=append, devices=machines.device_args(args.arch, ns))


def secret_forms(key):
    forms = [key.hex().encode()]
    for i in range(0, 32, 8):
        forms += [key[i:i + 8], key[i:i + 8][::-1]]
    return forms


def main():
    args = qemu_harness.parse_args(__doc__, timeout=300)
    fd, path = tempfile.mkstemp(prefix="mote-dump-", suffix=".img")
    os.close(fd)
    q = None
    try:
        # A 4 MiB disk of zeros but for a pattern just around the area.
        with open(path, "wb") as f:
            f.truncate(4 << 20)
            f.seek((SECTOR - 8) * 512)
            f.write(b"\xc3" * 8 * 512)
            f.seek((SECTOR + 8) * 512)
            f.write(b"\x3c" * 8 * 512)
        disk = Disk(path)
        guards = disk.around()

        # 1: a crash holding a secret; QEMU powers off by itself.
        q = boot(args, disk)
        q.expect("a crash leaves its epitaph in vda sectors 2048..2055 too", timeout=90)
        qemu_harness.Shell(q, timeout=60)
        key = os.urandom(32)
        at = len(q.text())
        q.send(f"+power crash secret {key.hex()}\r")
        q.expect("MOTE-PANIC", at, timeout=60, panic_ok=True)
        q.wait_exit()
        report = q.text()[at:]
        if "on disk: vda sectors 2048..2055" not in report:
            q.fail("the crash report does not say the record went to vda sectors 2048..2055")
        r = disk.record(q)
        if r["state"] != "crashed" or r["kind"] != "panic" or r["cause"] != CAUSE or not r["flags"] & WITHHELD:
            q.fail(f"the dump area's record is not this crash's (panic, registers withheld): {r}")
        first_boot = r["boot"]
        if disk.around() != guards:
            q.fail("the sectors around the dump area changed")
        image = open(path, "rb").read()
        for form in secret_forms(key):
            if form in image:
                q.fail("the disk image holds the secret")
        print(f"OK: crash {first_boot} on disk: {r['cause']}")

        # 2: a cold boot learns of it from the disk.
        q = boot(args, disk)
        q.expect("RAM held no record; the previous boot's is in vda sectors 2048..2055", timeout=90)
        q.expect(f"previous boot ended in a crash: {CAUSE} (panic, pc 0x", timeout=30)
        line = q.text()[q.text().find("previous boot ended in a crash"):]
        line = line[:line.find("\n")]
        if f"boot {first_boot}, pid " not in line:
            q.fail(f"the boot line does not name the crashed boot and its process: {line!r}")
        shell = qemu_harness.Shell(q, timeout=60)
        out = shell.run("cat sys/epitaph")
        for needle in ("state: crashed", f"boot: {first_boot}", "place: vda sectors 2048..2055",
                       "registers: withheld"):
            if needle not in out:
                q.fail(f"sys/epitaph lacks {needle!r}: {out!r}")
        q.send("poweroff\r")
        q.wait_exit()
        r = disk.record(q)
        if r["state"] != "clean" or r["boot"] != first_boot + 1:
            q.fail(f"after poweroff the area should hold boot {first_boot + 1}'s clean record: {r}")
        print(f"OK: boot {first_boot + 1} told of the crash from the disk and ended cleanly")

        # 3: clean, then a power cut.
        q = boot(args, disk)
        q.expect("RAM held no record; the previous boot's is in vda sectors 2048..2055", timeout=90)
        q.expect(f"previous boot ({first_boot + 1}) ended cleanly", timeout=30)
        q.expect("a crash leaves its epitaph in vda sectors 2048..2055 too", timeout=30)
        qemu_harness.Shell(q, timeout=60)
        q.kill()
        r = disk.record(q)
        if r["state"] != "running" or r["boot"] != first_boot + 2:
            q.fail(f"after a power cut the area should hold boot {first_boot + 2}'s running record: {r}")
        q = boot(args, disk)
        q.expect(f"previous boot ({first_boot + 2}) ended without an epitaph", timeout=90)
        qemu_harness.Shell(q, timeout=60)
        q.kill()
        print(f"OK: boot {first_boot + 2} was told of as clean; after a power cut its running record was found")

        # 4: an area that is not ours is left alone, even by a crash.
        pattern = bytes((i * 7 + 1) & 0xff for i in range(AREA))
        with open(path, "r+b") as f:
            f.seek(SECTOR * 512)
            f.write(pattern)
        q = boot(args, disk)
        q.expect("mote.dump: vda sectors 2048..2055: it holds data that is not an epitaph (BadMagic", timeout=90)
        qemu_harness.Shell(q, timeout=60)
        at = len(q.text())
        q.send("+power crash panic\r")
        q.expect("MOTE-PANIC", at, timeout=60, panic_ok=True)
        q.wait_exit()
        if "on disk: none (the dump area is not armed)" not in q.text()[at:]:
            q.fail("the crash report does not say the refused area was not written")
        if disk.area() != pattern or disk.around() != guards:
            q.fail("a refused dump area (or its neighbours) was written")
        print("OK: an area holding other data was refused and left byte for byte as it was")
    finally:
        if q:
            q.kill()
        os.unlink(path)


if __name__ == "__main__":
    sys.exit(main())
