#!/usr/bin/env python3
"""Checks a linked user program the way the kernel's loader will see it:
ET_EXEC, only PT_LOAD segments (plus the GNU stack note), each page-aligned,
none both writable and executable, and the entry point inside an executable
segment. Run after every link (user/CMakeLists.txt); exits 1 on a problem."""
import re
import subprocess
import sys


def main() -> int:
    readelf, program = sys.argv[1], sys.argv[2]
    text = subprocess.run([readelf, "-lh", "-W", program], capture_output=True, text=True, check=True).stdout
    problems = []
    kind = re.search(r"Type:\s+(\S+)", text).group(1)
    if kind != "EXEC":
        problems.append(f"type {kind}, not EXEC")
    entry = int(re.search(r"Entry point address:\s+(0x[0-9a-fA-F]+)", text).group(1), 16)
    entry_ok = False
    for line in text.splitlines():
        fields = line.split()
        if not fields or fields[0] in ("GNU_STACK",):
            continue
        if fields[0] in ("INTERP", "DYNAMIC", "TLS", "GNU_RELRO"):
            problems.append(f"unexpected {fields[0]} segment")
        if fields[0] != "LOAD":
            continue
        vaddr, memsz = int(fields[2], 16), int(fields[5], 16)
        flags = "".join(fields[6:-1])
        if "W" in flags and "E" in flags:
            problems.append(f"segment at {vaddr:#x} is writable and executable")
        if vaddr % 4096:
            problems.append(f"segment at {vaddr:#x} is not page-aligned")
        if "E" in flags and vaddr <= entry < vaddr + memsz:
            entry_ok = True
    if not entry_ok:
        problems.append(f"entry {entry:#x} is not in an executable segment")
    for problem in problems:
        print(f"{program}: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
