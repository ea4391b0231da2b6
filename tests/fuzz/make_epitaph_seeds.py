#!/usr/bin/env python3
"""Seeds for epitaph_fuzz: valid records in each state (core/epitaph_record.hpp's
layout, version 1, 4024 bytes, CRC32C with the checksum field zero), and
one of each near miss (a torn record, a wrong size, an unterminated log).
Usage: make_epitaph_seeds.py OUT_DIR"""
import os
import struct
import sys

FORMAT = "<QHHIIBBHQQQQQIHHHHHH16s24s160s32s320s40Q3072s"
MAGIC = 0x3149504545544F4D
SIZE = 4024
assert struct.calcsize(FORMAT) == SIZE


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def record(state, kind, cause=b"", log=b"", registers=(), process=None, size=SIZE, seal=True):
    names = b"".join(n.ljust(8, b"\0") for n, _ in registers).ljust(320, b"\0")
    values = [v for _, v in registers] + [0] * (40 - len(registers))
    flags = 4 if process else 0
    fields = [MAGIC, 1, 0, size, 0, state, kind, flags, 3, 1_500_000_000, 0x80201234, 0, 0,
              process[1] if process else 0, len(registers), len(cause), len(process[0]) if process else 0,
              len(log), 7, 12, b"riscv64", b"abcdef123456", cause, process[0] if process else b"", names,
              *values, log]
    data = bytearray(struct.pack(FORMAT, *fields))
    if seal:
        struct.pack_into("<I", data, 16, crc32c(bytes(data)))
    return bytes(data)


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
