#!/usr/bin/env python3
"""Writes the seeds of tcp_fuzz (see tests/fuzz/tcp_fuzz.cpp for the record
format): handshakes, data, FIN and RST from the peer, an active open
answered with SYN-ACK, and time passing for the timers."""
import os
import struct
import sys

SYN, FIN, RST, PSH, ACK = 0x02, 0x01, 0x04, 0x08, 0x10


def segment(flags, seq, ack=0, sport=40000, dport=80, options=b"", payload=b""):
    while len(options) % 4:
        options += b"\x00"
    header = struct.pack(">HHIIBBHHH", sport, dport, seq, ack, (20 + len(options)) // 4 << 4, flags, 65535, 0, 0)
    body = header + options + payload
    while len(body) % 5:  # a segment record's length is five times its length byte
        body += b"\x00"
    return bytes([0, len(body) // 5]) + body


def op(code, data=b""):
    return bytes([code, len(data)]) + data


SYN_OPTIONS = bytes([2, 4, 5, 0xB4, 4, 2, 8, 10, 0, 0, 0, 7, 0, 0, 0, 0, 1, 3, 3, 7])

SEEDS = {
    "handshake_data_fin": segment(SYN, 1000, options=SYN_OPTIONS) + op(1, b"\x01")
    + segment(ACK, 1001, 0) + segment(ACK | PSH, 1001, 0, payload=b"hello tcp")
    + op(3) + op(2, b"reply") + segment(ACK | FIN, 1010, 0) + op(4) + op(1, b"\x64"),
    "syn_then_rst": segment(SYN, 5000) + segment(RST, 5001) + op(1, b"\x05"),
    "active_open": op(5) + segment(SYN | ACK, 9000, 0, sport=80, dport=50000, options=SYN_OPTIONS)
    + op(2, b"data") + op(1, b"\x10") + op(6) + segment(ACK | FIN, 9001, 0, sport=80, dport=50000),
    "timers": op(5) + op(1, b"\xff") * 8,
    "out_of_order": segment(SYN, 100, options=bytes([4, 2])) + segment(ACK, 101, 0)
    + segment(ACK, 111, 0, payload=b"0123456789") + segment(ACK, 101, 0, payload=b"abcdefghij") + op(3),
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "seeds", "tcp_fuzz")
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
