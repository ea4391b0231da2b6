#!/usr/bin/env python3
"""virtio under QEMU, judged from outside: boots the kernel with
mote.virtio_test=1 on a scratch image and checks

  * the kernel read back exactly the pattern this script wrote to LBAs
    1000..1063 before boot (its FNV-1a hash of the 32 KiB equals ours),
  * the pattern the kernel wrote to LBAs 2000..2063 and flushed is in the
    image file after QEMU exited,
  * the 16 random bytes differ between two boots (virtio-rng seeds the CSPRNG),
  * virtio-net sent an ARP request for 10.0.2.2 and saw QEMU's reply,
  * every self-test line passed, QEMU exited 0 and nothing panicked.

--transport picks virtio-mmio version 2 (mmio), version 1 (mmio-legacy) or
virtio-pci (pci)."""
import argparse
import os
import re
import sys
import tempfile

import qemu_harness
from qemu_harness import machines

SECTOR = 512
READ_LBA, WRITE_LBA, SECTORS = 1000, 2000, 64


def host_pattern(lba, i):  # kernel/platform/bare_metal/virtio_selftest.hpp
    return (lba * 31 + i * 7 + 0xA5) & 0xFF


def kernel_pattern(lba, i):
    return (lba * 13 + i * 3 + 0x3C) & 0xFF


def fnv1a(data):
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def pattern(fn, first):
    return bytes(fn(first + s, i) for s in range(SECTORS) for i in range(SECTOR))


# How each PC machine must reach PCI configuration space (pvh_pci.cpp): q35
# has an MCFG, pc (i440fx) has none and uses ports 0xcf8/0xcfc.
PCI_MECHANISM = {"q35": "pci: ECAM at", "pc": "pci: no MCFG: configuration mechanism #1"}


def boot(args, image):
    options = argparse.Namespace(transport=args.transport, disk=image, disk_cache=None, no_net=False)
    q = qemu_harness.Qemu(args, append="mote.virtio_test=1", devices=machines.device_args(args.arch, options))
    try:
        q.expect("vtest: ", timeout=40)
        at = q.expect(" passed, ", timeout=40)
        status = q.wait_exit()
        text = q.text()
        if "MOTE-PANIC" in text:
            q.fail("MOTE-PANIC in the output")
        if status != 0:
            q.fail(f"QEMU exit status {status}")
        mechanism = PCI_MECHANISM.get(args.machine or machines.DEFAULT_X86_MACHINE) if args.arch == "x86_64" else None
        if mechanism and mechanism not in text:
            q.fail(f"no '{mechanism}' in the boot log")
        m = re.search(r"vtest: (\d+) passed, (\d+) failed", text)
        if not m or m.group(2) != "0" or int(m.group(1)) < 5:
            q.fail(f"self-test summary: {m.group(0) if m else 'missing'}")
        return q, text
    except BaseException:
        q.kill()
        raise


def main():
    args = qemu_harness.parse_args(__doc__, transport=True)

    with tempfile.TemporaryDirectory(prefix="mote-virtio-") as tmp:
        image = os.path.join(tmp, "disk.img")
        with open(image, "wb") as f:
            f.truncate(16 << 20)
            f.seek(READ_LBA * SECTOR)
            f.write(pattern(host_pattern, READ_LBA))
        expected_hash = fnv1a(pattern(host_pattern, READ_LBA))

        randoms = []
        for attempt in range(2):
            q, text = boot(args, image)
            m = re.search(r"PASS blk: read back the host's pattern: .* fnv1a 0x([0-9a-f]{16})", text)
            if not m:
                q.fail("no read-back line")
            if int(m.group(1), 16) != expected_hash:
                q.fail(f"kernel's hash {m.group(1)} != host's {expected_hash:016x}")
            if "PASS blk: write pattern" not in text or "PASS blk: flush" not in text:
                q.fail("write or flush did not pass")
            m = re.search(r"PASS rng: CSPRNG seeded from virtio-rng: random ([0-9a-f]{32})", text)
            if not m:
                q.fail("no random line")
            randoms.append(m.group(1))
            m = re.search(r"PASS net: ARP reply from 10.0.2.2: is-at (52:55:0a:00:02:02)", text)
            if not m:
                q.fail("no ARP reply from QEMU's gateway 10.0.2.2 (52:55:0a:00:02:02)")
            transport = {"mmio": "mmio v2", "mmio-legacy": "mmio v1 (legacy)", "pci": "pci"}[args.transport]
            if f"virtio-blk vda on {transport}" not in text:
                q.fail(f"virtio-blk was not attached over {transport}")
            with open(image, "rb") as f:
                f.seek(WRITE_LBA * SECTOR)
                written = f.read(SECTORS * SECTOR)
            if written != pattern(kernel_pattern, WRITE_LBA):
                bad = next(i for i in range(len(written)) if written[i] != pattern(kernel_pattern, WRITE_LBA)[i])
                q.fail(f"image bytes at LBA {WRITE_LBA} differ from the kernel's pattern (first at +{bad})")
            q.kill()
            # The second boot must not see the first one's writes as ours.
            with open(image, "r+b") as f:
                f.seek(WRITE_LBA * SECTOR)
                f.write(bytes(SECTORS * SECTOR))
        if randoms[0] == randoms[1]:
            print(f"FAIL: random bytes identical across boots: {randoms[0]}")
            return 1
    print(f"OK: {args.arch} {args.transport}: read-back hash {expected_hash:016x}, "
          f"write+flush checked in the image, random {randoms[0]} != {randoms[1]}, ARP reply from 10.0.2.2")
    return 0


if __name__ == "__main__":
    sys.exit(main())
