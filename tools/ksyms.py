#!/usr/bin/env python3
"""Measure, then fill, a kernel image's .ksyms section with its symbol table.

Two steps of the bare-metal build (cmake/freestanding.cmake):

  --size-script FILE  after the first link: write "KSYMS_BYTES = N;", the
                      table's exact size, for the linker script to reserve
  (default)           after the second link: write the table into the
                      reserved section in place (llvm-objcopy
                      --update-section), so no address in the image moves

Reads the function symbols with llvm-nm and lays the table out as
kernel/platform/bare_metal/symbols.hpp documents. Both links place every function
at the same address, so the table measured after the first one is the one
that fills the second; a table that does not fit is an error.
"""
import argparse
import os
import re
import struct
import subprocess
import sys
import tempfile

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


MAGIC = 0x3259534B  # "KSY2"
NO_SCOPE = 0xFFFF
ENTRY_BYTES = 7  # u24 address - base, u16 scope, u16 name


def split_scope(name):
    """'VirtMachine::init_console' -> ('VirtMachine', 'init_console').

    The split only decides what is shared: the kernel joins the two parts
    with '::' again, so any split point gives back the same name."""
    cut = name.rfind("::")
    if cut <= 0:
        return None, name
    return name[:cut], name[cut + 2:]


def build_pool(strings):
    """A NUL-terminated string pool in which each string is stored once and a
    string that ends another one ('init' in 'virtio_init') points into its
    tail. Returns the pool and {string: offset}."""
    pool = bytearray()
    offsets = {}
    # Longest first, so a string's tail owner is already placed.
    for text in sorted(set(strings), key=lambda t: (-len(t), t)):
        data = text.encode() + b"\0"
        at = pool.find(data)
        # `data` holds exactly one NUL, its last byte, so a hit can only be
        # a whole string already in the pool or the tail of one.
        if at < 0:
            at = len(pool)
            pool += data
        offsets[text] = at
    return pool, offsets


def build_table(symbols, capacity):
    """The .ksyms layout of kernel/platform/bare_metal/symbols.hpp, padded to
    `capacity`, and the number of bytes it really uses."""
    symbols = sorted(set(symbols))
    # One entry per address (aliases keep the first name).
    unique = []
    for address, name in symbols:
        if unique and unique[-1][0] == address:
            continue
        unique.append((address, name))
    base = unique[0][0] if unique else 0
    parts = [split_scope(name) for _, name in unique]
    scopes = sorted({scope for scope, _ in parts if scope is not None})
    pool, offsets = build_pool([s for s in scopes] + [suffix for _, suffix in parts])
    scope_index = {scope: i for i, scope in enumerate(scopes)}
    if len(unique) > 0xFFFF or len(scopes) >= NO_SCOPE or len(pool) > 0x10000:
        sys.exit(f"ksyms: {len(unique)} symbols, {len(scopes)} scopes and a {len(pool)}-byte pool "
                 f"exceed the 16-bit fields of the table format (symbols.hpp)")
    entries = bytearray()
    for (address, _), (scope, suffix) in zip(unique, parts):
        delta = address - base
        if delta >= 1 << 24:
            sys.exit(f"ksyms: a function lies {delta:#x} bytes past the first; the table's 24-bit offsets "
                     f"cover 16 MiB (symbols.hpp)")
        entries += delta.to_bytes(3, "little")
        entries += struct.pack("<HH", NO_SCOPE if scope is None else scope_index[scope], offsets[suffix])
    scope_table = b"".join(struct.pack("<H", offsets[s]) for s in scopes)
    blob = struct.pack("<IHHQ", MAGIC, len(unique), len(scopes), base) + entries + scope_table + pool
    if capacity is not None and len(blob) > capacity:
        sys.exit(f"ksyms: the symbol table needs {len(blob)} bytes but .ksyms has {capacity}: the two links "
                 f"placed functions differently (cmake/freestanding.cmake)")
    return blob + bytes((capacity or len(blob)) - len(blob)), len(unique), len(blob)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nm", default="llvm-nm-19")
    parser.add_argument("--objcopy", default="llvm-objcopy-19")
    parser.add_argument("--size-script", metavar="FILE",
                        help="write the table's size as a linker script assignment instead of filling the section")
    parser.add_argument("elf")
    args = parser.parse_args()
    if args.size_script:
        _, _, used = build_table(read_symbols(args.nm, args.elf), None)
        os.makedirs(os.path.dirname(os.path.abspath(args.size_script)), exist_ok=True)
        text = f"KSYMS_BYTES = {used};\n"
        # Rewrite only on change, so an unchanged table does not relink.
        old = open(args.size_script).read() if os.path.exists(args.size_script) else None
        if old != text:
            with open(args.size_script, "w") as f:
                f.write(text)
        return
    with tempfile.TemporaryDirectory() as tmp:
        current = os.path.join(tmp, "current")
        subprocess.run([args.objcopy, "--dump-section", f".ksyms={current}", args.elf], check=True)
        capacity = os.path.getsize(current)
        blob, count, used = build_table(read_symbols(args.nm, args.elf), capacity)
        print(f"ksyms: {os.path.basename(os.path.dirname(os.path.abspath(args.elf)))}/{os.path.basename(args.elf)}: "
              f"{count} symbols, {used} bytes in a {capacity}-byte section")
        table = os.path.join(tmp, "table")
        with open(table, "wb") as f:
            f.write(blob)
        subprocess.run([args.objcopy, "--update-section", f".ksyms={table}", args.elf], check=True)


if __name__ == "__main__":
    main()
