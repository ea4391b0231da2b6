#!/usr/bin/env python3
"""Seeds for jbd2_recovery_fuzz: small jbd2 journals (1024-byte blocks,
block 0 the superblock) that recover to something, so the fuzzer starts
past the superblock checks: plain transactions with an escaped block and a
revoke, the v1 transaction checksum, csum v2 and v3 with 64bit, a log that
wraps round the ring, a clean journal, and a dropped uncommitted
transaction. Trailing zero blocks are left out (the fuzzer reads missing
blocks as zeros). Run from anywhere:

    tests/fuzz/make_jbd2_recovery_fuzz_seeds.py
"""
import os
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fuzz", "seeds", "jbd2_recovery_fuzz")
BS = 1024
MAGIC = 0xC03B3998
UUID = bytes(range(0x40, 0x50))
REVOKE, BIT64, CSUM2, CSUM3 = 0x1, 0x2, 0x8, 0x10


def crc32c(crc, data):
    """Raw reflected CRC-32C register step (no inversions), as jbd2 uses it."""
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc


def crc32_be(crc, data):
    for b in data:
        crc ^= b << 24
        for _ in range(8):
            crc = ((crc << 1) ^ (0x04C11DB7 if crc & 0x80000000 else 0)) & 0xFFFFFFFF
    return crc


class Journal:
    def __init__(self, maxlen, compat=0, incompat=0):
        self.maxlen, self.compat, self.incompat = maxlen, compat, incompat
        self.blocks = [bytearray(BS) for _ in range(maxlen)]
        self.seed = crc32c(0xFFFFFFFF, UUID)

    def csum(self):
        return self.incompat & (CSUM2 | CSUM3)

    def next(self, p):
        return 1 if p + 1 == self.maxlen else p + 1

    def superblock(self, sequence, start):
        b = bytearray(BS)
        # header (magic, type 4, h_sequence 0), blocksize, maxlen, first, sequence, start, errno
        struct.pack_into(">IIIIIIIII", b, 0, MAGIC, 4, 0, BS, self.maxlen, 1, sequence, start, 0)
        struct.pack_into(">III", b, 0x24, self.compat, self.incompat, 0)
        b[0x30:0x40] = UUID
        struct.pack_into(">I", b, 0x40, 1)
        if self.csum():
            b[0x50] = 4
            struct.pack_into(">I", b, 0xFC, crc32c(0xFFFFFFFF, bytes(b)))
        self.blocks[0] = b

    def header(self, kind, sequence):
        b = bytearray(BS)
        struct.pack_into(">III", b, 0, MAGIC, kind, sequence)
        return b

    def tail(self, b):
        if self.csum():
            struct.pack_into(">I", b, BS - 4, crc32c(self.seed, bytes(b[:BS - 4]) + b"\0\0\0\0"))

    def transaction(self, at, sequence, homes, revokes=(), commit=True):
        """Revoke block (if any), descriptor, data, commit from `at`; returns the next position."""
        v1 = 0xFFFFFFFF
        if revokes:
            b = self.header(5, sequence)
            size = 8 if self.incompat & BIT64 else 4
            off = 16
            for r in revokes:
                b[off:off + size] = r.to_bytes(size, "big")
                off += size
            struct.pack_into(">I", b, 12, off)
            self.tail(b)
            self.blocks[at] = b
            at = self.next(at)
        d = self.header(1, sequence)
        desc_at = at
        tag = 16 if self.incompat & CSUM3 else 8 + (4 if self.incompat & BIT64 else 0) + (2 if self.incompat & CSUM2 else 0)
        off = 12
        logged = []
        for i, home in enumerate(homes):
            data = bytearray(((home * 31 + j) & 0xFF) for j in range(BS))
            flags = 0
            if i == 1:  # the second block starts with the magic: escaped
                struct.pack_into(">I", data, 0, MAGIC)
                data[0:4] = b"\0\0\0\0"
                flags |= 1
            if i > 0:
                flags |= 2
            if i == len(homes) - 1:
                flags |= 8
            crc = crc32c(crc32c(self.seed, struct.pack(">I", sequence)), bytes(data))
            struct.pack_into(">I", d, off, home & 0xFFFFFFFF)
            if self.incompat & BIT64:
                struct.pack_into(">I", d, off + 8, home >> 32)
            if self.incompat & CSUM3:
                struct.pack_into(">II", d, off + 4, flags, 0)
                struct.pack_into(">I", d, off + 12, crc)
            else:
                struct.pack_into(">HH", d, off + 4, crc & 0xFFFF if self.csum() else 0, flags)
            off += tag
            if i == 0:
                d[off:off + 16] = UUID
                off += 16
            logged.append(data)
        self.tail(d)
        self.blocks[desc_at] = d
        v1 = crc32_be(v1, bytes(d))
        at = self.next(desc_at)
        for data in logged:
            self.blocks[at] = data
            v1 = crc32_be(v1, bytes(data))
            at = self.next(at)
        if commit:
            c = self.header(2, sequence)
            struct.pack_into(">Q", c, 0x30, 1700000000 + sequence)
            if self.compat & 1:
                c[0x0C], c[0x0D] = 1, 4
                struct.pack_into(">I", c, 0x10, v1)
            elif self.csum():
                struct.pack_into(">I", c, 0x10, crc32c(self.seed, bytes(c)))
            self.blocks[at] = c
            at = self.next(at)
        return at

    def image(self):
        blocks = list(self.blocks)
        while len(blocks) > 1 and not any(blocks[-1]):
            blocks.pop()
        return b"".join(bytes(b) for b in blocks)


def seeds():
    j = Journal(16, incompat=REVOKE)
    j.superblock(1, 1)
    at = j.transaction(1, 1, [10, 11, 12])
    j.transaction(at, 2, [12, 13], revokes=[10])
    yield "plain_two_transactions", j.image()

    j = Journal(16, compat=1)
    j.superblock(5, 1)
    j.transaction(1, 5, [20, 21])
    yield "csum_v1", j.image()

    j = Journal(16, incompat=REVOKE | CSUM3 | BIT64)
    j.superblock(9, 1)
    at = j.transaction(1, 9, [(1 << 32) | 7, 30], revokes=[(1 << 32) | 8])
    j.transaction(at, 10, [31], commit=False)
    yield "csum_v3_64bit_uncommitted", j.image()

    j = Journal(12, incompat=REVOKE | CSUM2)
    j.superblock(0xFFFFFFFF, 9)
    at = j.transaction(9, 0xFFFFFFFF, [40, 41, 42])
    j.transaction(at, 0, [43], revokes=[41])
    yield "csum_v2_wrapping", j.image()

    j = Journal(16)
    j.superblock(3, 0)
    yield "clean", j.image()


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in seeds():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
