#!/usr/bin/env python3
"""Seeds for acpi_fuzz: QEMU's tables (tests/data/acpi/qemu-*) relocated
into one memory image starting at physical 0x1000, as the fuzz target reads
its input: the RSDP first, then each table 16-byte aligned, with the root
table's entries and the FADT's DSDT pointers rewritten and every checksum
fixed. Run from the repository root:

    tests/fuzz/make_acpi_seeds.py
"""
import os
import struct

BASE = 0x1000
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def checksum(buf, at, length):
    buf[at] = 0
    buf[at] = (-sum(buf[:length])) & 0xff


def load(dump):
    tables = {}
    rsdp = None
    for name in sorted(os.listdir(dump)):
        sig, phys = name[:4], int(name[5:-4], 16)
        data = bytearray(open(os.path.join(dump, name), "rb").read())
        if sig == "RSDP":
            rsdp = (phys, data)
        else:
            tables[phys] = (sig, data)
    return rsdp, tables


def relocate(dump):
    (_, rsdp), tables = load(dump)
    layout = {}
    at = BASE + ((len(rsdp) + 15) & ~15)
    for phys in sorted(tables):
        layout[phys] = at
        at += (len(tables[phys][1]) + 15) & ~15
    image = bytearray(at - BASE)
    for phys, (sig, data) in tables.items():
        data = bytearray(data)
        if sig in ("RSDT", "XSDT"):
            size = 4 if sig == "RSDT" else 8
            fmt = "<I" if size == 4 else "<Q"
            for off in range(36, len(data), size):
                old = struct.unpack_from(fmt, data, off)[0]
                struct.pack_into(fmt, data, off, layout.get(old, old))
        if sig == "FACP":
            dsdt = struct.unpack_from("<I", data, 40)[0]
            struct.pack_into("<I", data, 40, layout.get(dsdt, dsdt))
            if len(data) >= 148:
                x = struct.unpack_from("<Q", data, 140)[0]
                if x:
                    struct.pack_into("<Q", data, 140, layout.get(x, x))
        checksum(data, 9, len(data))
        start = layout[phys] - BASE
        image[start:start + len(data)] = data
    rsdp = bytearray(rsdp)
    rsdt = struct.unpack_from("<I", rsdp, 16)[0]
    struct.pack_into("<I", rsdp, 16, layout.get(rsdt, rsdt))
    checksum(rsdp, 8, 20)
    if rsdp[15] >= 2:
        xsdt = struct.unpack_from("<Q", rsdp, 24)[0]
        struct.pack_into("<Q", rsdp, 24, layout.get(xsdt, xsdt))
        checksum(rsdp, 32, 36)
    image[0:len(rsdp)] = rsdp
    return bytes(image)


def main():
    out = os.path.join(ROOT, "tests", "fuzz", "seeds", "acpi_fuzz")
    os.makedirs(out, exist_ok=True)
    for machine in ("q35", "microvm"):
        image = relocate(os.path.join(ROOT, "tests", "data", "acpi", f"qemu-{machine}"))
        with open(os.path.join(out, f"qemu-{machine}.img"), "wb") as f:
            f.write(image)
        print(f"qemu-{machine}.img: {len(image)} bytes")


if __name__ == "__main__":
    main()
