#!/usr/bin/env python3
"""The network stack under QEMU user networking, judged from outside:

  * DHCP gets 10.0.2.15/24 with gateway 10.0.2.2 from QEMU's server,
  * `ping 10.0.2.2 3` gets three replies,
  * a host socket sends datagrams of 1, 64, 512 and 1472 bytes to the echo
    service on port 7 and on the mote.echo= port (both forwarded with
    hostfwd) and gets each back byte for byte,
  * a burst of 200 datagrams sent back to back all come back, intact,
  * nothing panicked, and `net` shows no socket queue drops.

QEMU is bounded in time and killed by PID (qemu_harness)."""
import argparse
import os
import socket
import tempfile
import time

import qemu_harness
from qemu_harness import machines

SECOND_ECHO_PORT = 5555


def echo_once(q, sock, port, payload, tries=3):
    """Sends `payload` and waits for it to come back; retries a lost one."""
    for _ in range(tries):
        sock.sendto(payload, ("127.0.0.1", port))
        try:
            data, _ = sock.recvfrom(4096)
        except socket.timeout:
            continue
        if data != payload:
            q.fail(f"echo on host port {port}: {len(payload)} bytes sent, {len(data)} different bytes back")
        return
    q.fail(f"echo on host port {port}: no reply to {len(payload)} bytes")


def burst(q, sock, port, count=200):
    datagrams = {i: i.to_bytes(2, "big") + os.urandom(62) for i in range(count)}
    for d in datagrams.values():
        sock.sendto(d, ("127.0.0.1", port))
    back = {}
    deadline = time.monotonic() + 15
    while len(back) < count and time.monotonic() < deadline:
        try:
            data, _ = sock.recvfrom(4096)
        except socket.timeout:
            continue
        back[int.from_bytes(data[:2], "big")] = data
    missing = sorted(set(datagrams) - set(back))
    if missing:
        q.fail(f"burst: {len(missing)} of {count} datagrams did not come back (first {missing[:10]})")
    if any(back[i] != datagrams[i] for i in datagrams):
        q.fail("burst: a datagram came back changed")


def main():
    args = qemu_harness.parse_args(__doc__, transport=True, timeout=90.0)

    with tempfile.TemporaryDirectory(prefix="mote-net-") as tmp:
        # A private disk, so parallel QEMU tests never contend for an image lock.
        disk = os.path.join(tmp, "disk.img")
        with open(disk, "wb") as f:
            f.truncate(1 << 20)
        run(args, disk)


def run(args, disk):
    port7, port2 = machines.free_port("udp"), machines.free_port("udp")
    options = argparse.Namespace(transport=args.transport, disk=disk, disk_cache=None, no_net=False,
                                 fwd=[f"udp:{port7}:7", f"udp:{port2}:{SECOND_ECHO_PORT}"])
    devices = machines.device_args(args.arch, options)
    q = qemu_harness.Qemu(args, append=f"mote.echo={SECOND_ECHO_PORT}", devices=devices)
    try:
        q.expect("dhcp: lease 10.0.2.15/24 gateway 10.0.2.2", timeout=40)
        at = q.expect("mote> ", timeout=20)
        q.send("ping 10.0.2.2 3\n")
        at = q.expect("--- 10.0.2.2: 3 sent, 3 received, 0% loss", at, timeout=20)

        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.settimeout(2)
            for port in (port7, port2):
                for size in (1, 64, 512, 1472):
                    echo_once(q, sock, port, os.urandom(size))
            burst(q, sock, port7)

        at = len(q.text())
        q.send("net\n")
        q.expect("dhcp: discovers", at, timeout=10)
        text = q.text()[at:]
        if "socket_queue_full 0" not in text:
            q.fail("net: the echo service dropped datagrams (udp socket_queue_full is not 0)")
        q.send("poweroff\n")
        q.wait_exit()
        if "MOTE-PANIC" in q.text():
            q.fail("MOTE-PANIC in the output")
        print(f"PASS: {args.arch} {args.transport}: dhcp, ping, echo 1..1472 bytes on two ports, 200-datagram burst")
    finally:
        q.kill()


if __name__ == "__main__":
    main()
