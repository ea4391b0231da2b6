"""The epitaph record (kernel/core/epitaph_record.hpp) in Python, for the
tools that make records (the fuzzer's seeds) and the tests that read them
from outside (a disk image's dump area): version 1, 4024 bytes,
little-endian, a CRC32C over the whole with the checksum field zero."""
import struct

FORMAT = "<QHHIIBBHQQQQQIHHHHHH16s24s160s32s320s40Q3072s"
MAGIC = 0x3149504545544F4D  # "MOTEEPI1"
SIZE = 4024
assert struct.calcsize(FORMAT) == SIZE
STATES = {1: "running", 2: "crashed", 3: "clean"}
KINDS = {0: "none", 1: "exception", 2: "panic", 3: "watchdog"}
WITHHELD = 1  # flags: the registers were withheld (a crash in code holding secrets)


def crc32c(data):
    """CRC-32C (Castagnoli, reflected 0x82F63B78)."""
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283  # the standard check value


def encode(state, kind, cause=b"", log=b"", registers=(), process=None, size=SIZE, seal=True):
    """A record; `seal=False` leaves the checksum 0 (a torn one)."""
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


def decode(data):
    """The record at the start of `data`, checked as the kernel checks its
    header and checksum: a dict of its fields, or a string saying what is
    wrong."""
    if len(data) < SIZE:
        return "too short"
    fields = struct.unpack_from(FORMAT, data)
    magic, version, _, size, checksum, state, kind, flags, boot = fields[:9]
    if magic != MAGIC:
        return f"bad magic {data[:8]!r}"
    if version != 1 or size != SIZE:
        return f"version {version} size {size}"
    body = bytearray(data[:SIZE])
    body[16:20] = b"\0\0\0\0"
    if crc32c(bytes(body)) != checksum:
        return "bad checksum"
    cause_length = fields[15]
    if cause_length > 160:
        return "bad cause length"
    return {"state": STATES.get(state, state), "kind": KINDS.get(kind, kind), "flags": flags, "boot": boot,
            "cause": fields[22][:cause_length].decode("ascii", "replace")}
