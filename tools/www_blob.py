#!/usr/bin/env python3
"""www/blob.bin: 1 MiB of pseudo-random bytes, the same on every build, for
httpd's download test and benchmark. The host side of a test computes the
same bytes with blob() and compares.

    www_blob.py OUT"""
import hashlib
import sys

SIZE = 1 << 20


def blob(size=SIZE):
    """SHA-256 in counter mode over a fixed label: deterministic, and no
    byte pattern a buggy server could fake by repeating a block."""
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(b"mote www blob %d" % counter).digest()
        counter += 1
    return bytes(out[:size])


if __name__ == "__main__":
    with open(sys.argv[1], "wb") as f:
        f.write(blob())
