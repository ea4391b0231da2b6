#!/usr/bin/env python3
"""Writes the seed inputs of net_rx_fuzz (valid ARP/ICMP/UDP/DHCP frames in
the fuzzer's input format: a flags byte, then u16-length-prefixed frames)."""
import os
import struct
import sys

OUR_MAC = bytes.fromhex("525400123456")
PEER_MAC = bytes.fromhex("525400000002")
OUR_IP = bytes([10, 0, 2, 15])
PEER_IP = bytes([10, 0, 2, 2])


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def eth(dst, typ, payload):
    frame = dst + PEER_MAC + struct.pack("!H", typ) + payload
    return frame + b"\0" * max(0, 60 - len(frame))


def ipv4(proto, payload, src=PEER_IP, dst=OUR_IP, frag=0):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, frag, 64, proto, 0, src, dst)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def udp(sport, dport, payload, src=PEER_IP, dst=OUR_IP):
    length = 8 + len(payload)
    pseudo = src + dst + struct.pack("!BBH", 0, 17, length)
    u = struct.pack("!HHHH", sport, dport, length, 0) + payload
    c = csum(pseudo + u) or 0xFFFF
    return u[:6] + struct.pack("!H", c) + u[8:]


def arp(op, sha, spa, tha, tpa):
    return struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, op, sha, spa, tha, tpa)


def icmp_echo(ident, seq, data):
    m = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + data
    return m[:2] + struct.pack("!H", csum(m)) + m[4:]


def dhcp(msgtype, xid=0x12345678, yiaddr=OUR_IP, extra=b""):
    m = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 2, 1, 6, 0, xid, 0, 0, b"\0" * 4, yiaddr, PEER_IP,
                    b"\0" * 4, OUR_MAC + b"\0" * 10, b"", b"")
    m += bytes([99, 130, 83, 99])
    m += bytes([53, 1, msgtype, 54, 4]) + PEER_IP + bytes([51, 4, 0, 0, 0x0E, 0x10, 1, 4, 255, 255, 255, 0,
                                                          3, 4]) + PEER_IP + extra + bytes([255])
    return udp(67, 68, m, PEER_IP, bytes([255, 255, 255, 255]))


def pack(flags, frames):
    out = bytes([flags])
    for f in frames:
        out += struct.pack("!H", len(f)) + f
    return out


BCAST = b"\xff" * 6
seeds = {
    "arp_request": pack(0, [eth(BCAST, 0x0806, arp(1, PEER_MAC, PEER_IP, b"\0" * 6, OUR_IP))]),
    "arp_reply": pack(0, [eth(OUR_MAC, 0x0806, arp(2, PEER_MAC, PEER_IP, OUR_MAC, OUR_IP))]),
    "icmp_echo": pack(0, [eth(OUR_MAC, 0x0800, ipv4(1, icmp_echo(0x42, 1, bytes(range(56)))))]),
    "udp_echo7": pack(0, [eth(OUR_MAC, 0x0800, ipv4(17, udp(40000, 7, b"hello mote")))]),
    "udp_echo_burst": pack(2, [eth(OUR_MAC, 0x0800, ipv4(17, udp(40000 + i, 5555, bytes([i]) * (i * 7))))
                               for i in range(20)]),
    "udp_closed_port": pack(0, [eth(OUR_MAC, 0x0800, ipv4(17, udp(40000, 9999, b"x" * 12)))]),
    "ip_fragment": pack(0, [eth(OUR_MAC, 0x0800, ipv4(17, udp(40000, 7, b"frag" * 8), frag=0x2000))]),
    "dhcp_offer": pack(1, [eth(BCAST, 0x0800, ipv4(17, dhcp(2), dst=b"\xff" * 4))]),
    "dhcp_ack": pack(5, [eth(BCAST, 0x0800, ipv4(17, dhcp(5), dst=b"\xff" * 4)),
                         eth(OUR_MAC, 0x0800, ipv4(17, udp(40000, 7, b"after lease")))]),
    "mixed_busy": pack(14, [eth(BCAST, 0x0806, arp(1, PEER_MAC, PEER_IP, b"\0" * 6, OUR_IP)),
                            eth(OUR_MAC, 0x0800, ipv4(1, icmp_echo(7, 2, b"ping"))),
                            eth(OUR_MAC, 0x0800, ipv4(17, udp(1234, 7, b"echo")))]),
}

out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "seeds", "net_rx_fuzz")
os.makedirs(out_dir, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out_dir, name), "wb") as f:
        f.write(data)
