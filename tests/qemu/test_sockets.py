#!/usr/bin/env python3
"""Sockets for programs, judged from the host through QEMU user networking.
The user shell starts two programs in the background, `nc -e -k -l 7777`
(TCP echo) and `udpecho 5555`; QEMU forwards a host port to each, and host
sockets, that is Linux's TCP and UDP, judge what comes back:

  * 1 MiB of random bytes, sent while the echo streams back, returns
    byte for byte (SHA-256),
  * eight clients at once each get their own bytes back (the listener
    queues them; nc serves one after another),
  * a client that resets its connection in the middle leaves the server
    serving: the next client is answered,
  * a half-close: a client that shuts down its sending side still reads
    the whole echo, then the end of stream,
  * UDP: datagrams of 1, 64, 512 and 1472 bytes come back byte for byte
    from udpecho, and a burst of 50 sent back to back all do (they arrive
    in one batch; the socket's queue holds them while the program echoes),
  * nothing panicked.

QEMU is bounded in time and killed by PID (qemu_harness)."""
import argparse
import hashlib
import os
import socket
import struct
import tempfile
import threading

import qemu_harness
from qemu_harness import machines

GUEST_PORT = 7777
UDP_PORT = 5555


def echo_through(port, payload, timeout=60):
    """Sends `payload` while reading the echo; returns what came back."""
    got = bytearray()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        def reader():
            while True:
                data = s.recv(65536)
                if not data:
                    return
                got.extend(data)
        t = threading.Thread(target=reader, daemon=True)
        t.start()
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        t.join(timeout)
    return bytes(got)


def check_udp(q, port):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(2)
        for size in (1, 64, 512, 1472):
            payload = os.urandom(size)
            for _ in range(3):  # a lost datagram is retried
                sock.sendto(payload, ("127.0.0.1", port))
                try:
                    data, _ = sock.recvfrom(4096)
                except socket.timeout:
                    continue
                if data != payload:
                    q.fail(f"udpecho: {size} bytes sent, {len(data)} different bytes back")
                break
            else:
                q.fail(f"udpecho: no reply to {size} bytes")
        sent = {i: i.to_bytes(2, "big") + os.urandom(100) for i in range(50)}
        for d in sent.values():
            sock.sendto(d, ("127.0.0.1", port))
        back = {}
        sock.settimeout(1)
        try:
            while len(back) < len(sent):
                data, _ = sock.recvfrom(4096)
                back[int.from_bytes(data[:2], "big")] = data
        except socket.timeout:
            pass
        if any(back[i] != sent[i] for i in back):
            q.fail("udpecho: a datagram of the burst came back changed")
        if len(back) < len(sent):
            q.fail(f"udpecho: only {len(back)} of {len(sent)} datagrams of a burst came back")


def main():
    args = qemu_harness.parse_args(__doc__, transport=True, timeout=150.0)
    with tempfile.TemporaryDirectory(prefix="mote-sockets-") as tmp:
        # A private disk, so parallel QEMU tests never contend for an image lock.
        disk = os.path.join(tmp, "disk.img")
        with open(disk, "wb") as f:
            f.truncate(1 << 20)
        run(args, disk)


def run(args, disk):
    host_port, udp_port = machines.free_port("tcp"), machines.free_port("udp")
    options = argparse.Namespace(transport=args.transport, disk=disk, disk_cache=None, no_net=False,
                                 machine=getattr(args, "machine", None),
                                 fwd=[f"tcp:{host_port}:{GUEST_PORT}", f"udp:{udp_port}:{UDP_PORT}"])
    devices = machines.device_args(args.arch, options)
    q = qemu_harness.Qemu(args, initrd=True, devices=devices)
    try:
        shell = qemu_harness.Shell(q, timeout=60)
        shell.run(f"nc -e -k -l {GUEST_PORT} &")
        q.expect(f"nc: listening on port {GUEST_PORT}", timeout=20)
        shell.run(f"udpecho {UDP_PORT} &")
        q.expect(f"udpecho: echoing on UDP port {UDP_PORT}", timeout=20)
        q.expect("dhcp: lease 10.0.2.15/24", timeout=60)
        check_udp(q, udp_port)

        blob = os.urandom(1 << 20)
        back = echo_through(host_port, blob)
        if hashlib.sha256(back).digest() != hashlib.sha256(blob).digest():
            q.fail(f"1 MiB echo: {len(back)} bytes came back, not the {len(blob)} sent")

        results = {}
        def client(i):
            payload = bytes([i]) * 1000 + os.urandom(20000)
            results[i] = echo_through(host_port, payload) == payload
        threads = [threading.Thread(target=client, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(90)
        if sorted(i for i, ok in results.items() if ok) != list(range(8)):
            q.fail(f"concurrent clients: only {sorted(i for i, ok in results.items() if ok)} of 0..7 got their bytes")

        # A reset in the middle of a transfer.
        s = socket.create_connection(("127.0.0.1", host_port), timeout=20)
        s.sendall(os.urandom(100000))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
        after = os.urandom(5000)
        if echo_through(host_port, after) != after:
            q.fail("after a client reset its connection, the next client was not echoed")

        if "MOTE-PANIC" in q.text():
            q.fail("MOTE-PANIC in the output")
        # Every connection above (1 + 8 + reset + after) was accepted and reported.
        q.expect_count("nc: connection from 10.0.2.2:", 11, timeout=10)
        print(f"PASS: {args.arch} {args.transport}: UDP echo, 1 MiB TCP echo, 8 concurrent clients, reset, half-close")
    finally:
        q.kill()


if __name__ == "__main__":
    main()
