#!/usr/bin/env python3
"""The network stack under QEMU user networking, driven from user space
(the initramfs: init, its services and the user shell), judged from outside:

  * DHCP gets 10.0.2.15/24 with gateway 10.0.2.2 from QEMU's server,
  * `ping -c 3 10.0.2.2` (a ping socket) gets three replies and prints the
    summary; `ping 127.0.0.1 1` (the old syntax) is answered by the stack
    itself over the loopback; Ctrl-C ends a longer ping early, with its
    summary,
  * a host socket sends datagrams of 1, 64, 512 and 1472 bytes to the
    udpecho that init starts on port 7 (etc/services) and to a second one
    the shell starts on SECOND_ECHO_PORT (both forwarded with hostfwd) and
    gets each back byte for byte,
  * 200 datagrams sent back to back, more than virtio-net's 128 receive
    buffers, all come back, intact: the echo's socket queue copies each
    out of the driver's buffer as it arrives, so the burst waits whole,
  * the `net` program shows no UDP socket queue drops (and no ping socket
    drops), nothing panicked, and `poweroff` ends QEMU with status 0.

QEMU is bounded in time and killed by PID (qemu_harness)."""
import argparse
import os
import re
import socket
import tempfile
import time

import qemu_harness
from qemu_harness import machines

SECOND_ECHO_PORT = 5555
BURST = 200


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


def burst(q, sock, port, count=BURST):
    """`count` datagrams of 64 bytes back to back, then their echoes."""
    datagrams = {i: i.to_bytes(2, "big") + os.urandom(62) for i in range(count)}
    back = {}
    for i in range(count):
        sock.sendto(datagrams[i], ("127.0.0.1", port))
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


def check_sockets(q, text):
    """`sockets` (sys/sockets): both echo services' UDP sockets bound on
    our address, nothing waiting or dropped, every byte that came in sent
    back out; and httpd's TCP listener on port 80."""
    rows = [line.split() for line in text.splitlines() if line.startswith(("udp ", "tcp "))]
    for port in (7, SECOND_ECHO_PORT):
        row = next((r for r in rows if r[:3] == ["udp", "bound", f"10.0.2.15:{port}"]), None)
        if not row:
            q.fail(f"sockets: no bound UDP socket on port {port} in {text!r}")
        readable, dropped, bytes_in, bytes_out = int(row[4]), int(row[5]), int(row[7]), int(row[8])
        if readable != 0 or dropped != 0 or bytes_in == 0 or bytes_in != bytes_out:
            q.fail(f"sockets: UDP port {port}: {readable} waiting, {dropped} dropped, bytes in {bytes_in}, "
                   f"out {bytes_out}")
    if not any(r[:2] == ["tcp", "listening"] and r[2].endswith(":80") for r in rows):
        q.fail(f"sockets: no TCP listener on port 80 in {text!r}")


def check_ping(q, out, host, count):
    """`out`: ping's output; every probe answered, and the summary says so."""
    for seq in range(count):
        if not re.search(rf"\d+ bytes from {re.escape(host)}: seq={seq} ttl=\d+ time=\d+\.\d{{3}} ms", out):
            q.fail(f"ping {host}: no reply line for seq {seq}")
    summary = f"--- {host}: {count} sent, {count} received, 0% loss"
    if summary not in out:
        q.fail(f"ping {host}: no '{summary}'")
    if not re.search(r"rtt min/avg/max = \d+\.\d{3}/\d+\.\d{3}/\d+\.\d{3} ms", out):
        q.fail(f"ping {host}: no rtt line")
    if "timeout seq" in out:
        q.fail(f"ping {host}: a probe timed out")


def check_interrupt(q):
    """Ctrl-C during a long ping ends it early, with the summary (ping polls
    for the interrupt); returns the shell at its next prompt."""
    start = len(q.text())
    q.send("ping -c 100 10.0.2.2\r")
    at = q.expect("seq=1 ", start=start, timeout=20)
    q.send("\x03")
    end = q.expect("rtt min/avg/max", start=at, timeout=10)
    summary = re.search(r"--- 10\.0\.2\.2: (\d+) sent, (\d+) received", q.text()[start:end])
    if not summary or not 2 <= int(summary.group(1)) < 100:
        q.fail("ping: Ctrl-C did not end it early with its summary")
    return qemu_harness.Shell(q, start=end, timeout=10)


def counter(q, text, section, name):
    """A counter's value in `net`'s output: `section` ("udp") opens a block
    of `name value` pairs, wrapped over indented lines."""
    block = re.search(rf"^  {section}:(.*?)(?=^  \S)", text, re.M | re.S)
    if not block:
        q.fail(f"net: no '{section}:' counters")
    value = re.search(rf"\b{name} (\d+)", block.group(1))
    if not value:
        q.fail(f"net: no {section} {name}")
    return int(value.group(1))


def main():
    args = qemu_harness.parse_args(__doc__, transport=True, timeout=120.0)

    with tempfile.TemporaryDirectory(prefix="mote-net-") as tmp:
        # A private disk, so parallel QEMU tests never contend for an image lock.
        disk = os.path.join(tmp, "disk.img")
        with open(disk, "wb") as f:
            f.truncate(1 << 20)
        run(args, disk)


def run(args, disk):
    port7, port2 = machines.free_port("udp"), machines.free_port("udp")
    options = argparse.Namespace(transport=args.transport, disk=disk, disk_cache=None, no_net=False,
                                 machine=getattr(args, "machine", None),
                                 fwd=[f"udp:{port7}:7", f"udp:{port2}:{SECOND_ECHO_PORT}"])
    devices = machines.device_args(args.arch, options)
    q = qemu_harness.Qemu(args, initrd=True, devices=devices)
    try:
        q.expect("dhcp: lease 10.0.2.15/24 gateway 10.0.2.2", timeout=60)
        q.expect("init: udpecho: started", timeout=60)
        shell = qemu_harness.Shell(q, timeout=60)
        shell.run(f"udpecho {SECOND_ECHO_PORT} &")
        q.expect(f"udpecho: echoing on UDP port {SECOND_ECHO_PORT}", timeout=20)

        check_ping(q, shell.run("ping -c 3 10.0.2.2", timeout=30), "10.0.2.2", 3)
        check_ping(q, shell.run("ping 127.0.0.1 1", timeout=30), "127.0.0.1", 1)
        shell = check_interrupt(q)

        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.settimeout(2)
            for port in (port7, port2):
                for size in (1, 64, 512, 1472):
                    echo_once(q, sock, port, os.urandom(size))
            burst(q, sock, port7)

        text = shell.run("net")
        if counter(q, text, "udp", "socket_queue_full") != 0:
            q.fail("net: an echo service dropped datagrams (udp socket_queue_full is not 0)")
        if counter(q, text, "icmp", "echo_queue_full") != 0:
            q.fail("net: a ping socket dropped replies (icmp echo_queue_full is not 0)")
        if counter(q, text, "icmp", "echo_replies_received") < 4:
            q.fail("net: fewer than the 4 echo replies ping printed")
        check_sockets(q, shell.run("sockets"))
        q.send("poweroff\r")
        if q.wait_exit() != 0:
            q.fail("poweroff from the user shell did not end QEMU with status 0")
        if "MOTE-PANIC" in q.text():
            q.fail("MOTE-PANIC in the output")
        print(f"PASS: {args.arch} {args.transport}: dhcp, ping (gateway and loopback) from user space, "
              "Ctrl-C, echo 1..1472 bytes on two ports, 200-datagram burst")
    finally:
        q.kill()


if __name__ == "__main__":
    main()
