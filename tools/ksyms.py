#!/usr/bin/env python3
"""Fill a kernel image's reserved .ksyms section with its symbol table.

Post-link step of the bare-metal build (cmake/freestanding.cmake). Reads the
function symbols with llvm-nm, writes the table in the layout that
kernel/platform/virt/symbols.hpp documents, and replaces the section's
contents in place with llvm-objcopy --update-section. The section has a
fixed size, so no address in the image moves; a table that does not fit is
an error that names the size to raise (kKsymsBytes).
"""
import argparse
import os
import re
import struct
import subprocess
import sys
import tempfile

MAGIC = 0x4D59534B  # "KSYM"


def short_name(name):
    """'mote::Loop::turn(bool)' -> 'Loop::turn': no namespace, no arguments."""
    name = name.replace("(anonymous namespace)::", "")
    if name.startswith("mote::"):
        name = name[len("mote::"):]
    # Drop every parenthesised group (argument lists, also of enclosing
    # functions of lambdas) but keep "operator()".
    out = []
    depth = 0
    i = 0
    while i < len(name):
        if name.startswith("operator()", i) and depth == 0:
            out.append("operator()")
            i += len("operator()")
            continue
        c = name[i]
        if c == "(":
            depth += 1
        elif c == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(c)
        i += 1
    name = "".join(out).strip()
    return name[:80]


def read_symbols(nm, elf):
    out = subprocess.run([nm, "-n", "--defined-only", "-C", elf], check=True, stdout=subprocess.PIPE, text=True).stdout
    symbols = []
    for line in out.splitlines():
        parts = line.split(" ", 2)
        if len(parts) != 3 or parts[1] not in ("t", "T", "W", "w"):
            continue
        address = int(parts[0], 16)
        name = parts[2]
        if name.startswith(".L") or name.startswith("$"):
            continue
        symbols.append((address, short_name(name)))
    return symbols


def build_table(symbols, capacity):
    symbols = sorted(set(symbols))
    # One entry per address (aliases keep the first name).
    unique = []
    for address, name in symbols:
        if unique and unique[-1][0] == address:
            continue
        unique.append((address, name))
    base = unique[0][0] if unique else 0
    names = bytearray()
    name_offsets = {}
    header_size = 16 + 8 * len(unique)
    entries = bytearray()
    for address, name in unique:
        if name not in name_offsets:
            name_offsets[name] = header_size + len(names)
            names += name.encode() + b"\0"
        entries += struct.pack("<II", address - base, name_offsets[name])
    blob = struct.pack("<IIQ", MAGIC, len(unique), base) + entries + names
    if len(blob) > capacity:
        sys.exit(f"ksyms: the symbol table needs {len(blob)} bytes but .ksyms has {capacity}; "
                 f"raise kKsymsBytes in kernel/platform/virt/ksyms_section.cpp")
    return blob + bytes(capacity - len(blob)), len(unique)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nm", default="llvm-nm-19")
    parser.add_argument("--objcopy", default="llvm-objcopy-19")
    parser.add_argument("elf")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        current = os.path.join(tmp, "current")
        subprocess.run([args.objcopy, "--dump-section", f".ksyms={current}", args.elf], check=True)
        capacity = os.path.getsize(current)
        blob, count = build_table(read_symbols(args.nm, args.elf), capacity)
        table = os.path.join(tmp, "table")
        with open(table, "wb") as f:
            f.write(blob)
        subprocess.run([args.objcopy, "--update-section", f".ksyms={table}", args.elf], check=True)


if __name__ == "__main__":
    main()
