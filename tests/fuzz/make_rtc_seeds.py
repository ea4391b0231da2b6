#!/usr/bin/env python3
"""Seeds for rtc_fuzz: the register values QEMU's clocks give for
2026-12-05 10:11:12 UTC (CMOS in BCD and binary, 24- and 12-hour, with and
without a century register; Goldfish nanoseconds; PL031 seconds and its
identification bytes from hw/rtc/pl031.c), a CMOS chip script that is busy
for a while and ticks between passes, and a few near misses (a chip that is
not there, a torn BCD digit). Layout: see tests/fuzz/rtc_fuzz.cpp. Run from
anywhere:

    tests/fuzz/make_rtc_seeds.py
"""
import calendar
import os
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fuzz", "seeds", "rtc_fuzz")
WHEN = calendar.timegm((2026, 12, 5, 10, 11, 12, 0, 0, 0))
PL031_ID = bytes([0x31, 0x10, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1])


def bcd(n):
    return (n // 10) << 4 | n % 10


def cmos_fields(binary, hours24, century):
    enc = (lambda n: n) if binary else bcd
    hour = enc(10) if hours24 else enc(10) | 0x80  # 10:11 or 10:11 PM
    status_b = (0x04 if binary else 0) | (0x02 if hours24 else 0)
    return bytes([status_b, enc(12), enc(11), hour, enc(5), enc(12), enc(26), enc(20), 1 if century else 0])


def chip_script(status_b, busy, tick):
    """Status A, B, D, then passes: each a status A read (not busy) and the
    seven time registers; `busy` status A reads with the update flag first,
    and a tick of the seconds between the first and second pass."""
    script = [0x26, status_b, 0x80] + [0xA6] * busy
    for second in ([0x12, 0x13, 0x13] if tick else [0x12, 0x12]):
        script += [0x26, second, 0x11, 0x10, 0x05, 0x12, 0x26, 0x20]
    return bytes(script)


def seed(cmos, goldfish_ns, pl031_seconds, pl031_control, pl031_id, civil, century_index, script):
    return (cmos + struct.pack("<Q", goldfish_ns) + struct.pack("<II", pl031_seconds, pl031_control) + pl031_id
            + struct.pack("<q", civil) + bytes([century_index]) + script)


def main():
    os.makedirs(OUT, exist_ok=True)
    ns = WHEN * 1_000_000_000 + 250_000_000
    seeds = {
        "qemu-bcd24-century": seed(cmos_fields(False, True, True), ns, WHEN, 1, PL031_ID, WHEN, 0x32,
                                   chip_script(0x02, 0, False)),
        "binary24": seed(cmos_fields(True, True, False), ns, WHEN, 1, PL031_ID, 0, 0, chip_script(0x06, 3, False)),
        "bcd12-busy-tick": seed(cmos_fields(False, False, True), 0, 0, 0, PL031_ID, 253402300799, 0x32,
                                chip_script(0x00, 40, True)),
        "binary12": seed(cmos_fields(True, False, True), 2**64 - 1, 2**32 - 1, 1, bytes(8), -1, 0x05,
                         chip_script(0x04, 1, False)),
        "absent": seed(bytes([0xFF] * 9), 2**64 - 1, 0, 0, bytes([0xFF] * 8), 4102444799, 0x32, bytes([0xFF] * 24)),
        "torn-bcd": seed(bytes([0x02, 0x5A, 0x11, 0x24, 0x31, 0x04, 0x26, 0x20, 1]), ns, WHEN, 1, PL031_ID,
                         946684799, 0x32, chip_script(0x02, 0, True)[:12]),
    }
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    print(f"{len(seeds)} seeds in {OUT}")


if __name__ == "__main__":
    main()
