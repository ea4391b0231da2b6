#!/usr/bin/env python3
"""Seeds for epitaph_fuzz: valid records in each state (core/epitaph_record.hpp's
layout, version 1, 4024 bytes, CRC32C with the checksum field zero), and
one of each near miss (a torn record, a wrong size, an unterminated log).
Usage: make_epitaph_seeds.py OUT_DIR"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from epitaph_format import encode as record  # noqa: E402


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    log = b"[    0.100000] info  boot: Mote\n[    1.200000] warn  watchdog: stuck\n"
    regs = [(b"ra", 0x80200010), (b"sp", 0x80400000), (b"sepc", 0x80201234)]
    seeds = {
        "running": record(1, 0),
        "clean": record(3, 0),
        "panic": record(2, 2, b"crash requested through sys/power", log, regs, (b"crash", 5)),
        "watchdog": record(2, 3, b"watchdog: the loop has run its deferred call", log, regs),
        "torn": record(2, 1, b"Load page fault", log, regs, seal=False),
        "bad-size": record(1, 0, size=4000),
        "log-unterminated": record(2, 2, b"x", b"no newline"),
        "short": record(1, 0)[:100],
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
