#!/usr/bin/env python3
"""Turn a console log of `mote.acpidump=1` into one file per table.

    qemu-system-x86_64 -M q35 -m 128M -nographic -nodefaults -serial stdio \\
        -kernel build/x86_64/mote.elf -append mote.acpidump=1 > q35.log   # then type poweroff
    tests/data/acpi/undump.py q35.log tests/data/acpi/qemu-q35

writes <dir>/<SIG>@<phys>.bin for the RSDP and every table, as the kernel
found them in guest memory.
"""
import os
import re
import sys


def main():
    log, out = sys.argv[1], sys.argv[2]
    tables = {}
    for line in open(log, errors="replace"):
        m = re.search(r"ACPIDUMP (\S{4}) (0x[0-9a-f]+) (0x[0-9a-f]+) ([0-9a-f]*)", line)
        if not m:
            continue
        key = (m.group(1), int(m.group(2), 16))
        chunk = bytes.fromhex(m.group(4))
        buf = tables.setdefault(key, bytearray())
        offset = int(m.group(3), 16)
        if len(buf) != offset:
            raise SystemExit(f"{key}: chunk at {offset} but have {len(buf)} bytes")
        buf += chunk
    os.makedirs(out, exist_ok=True)
    for (sig, phys), data in tables.items():
        with open(os.path.join(out, f"{sig}@{phys:x}.bin"), "wb") as f:
            f.write(data)
        print(f"{sig} at {phys:#x}: {len(data)} bytes")


if __name__ == "__main__":
    main()
