#!/usr/bin/env python3
"""Linux's TCP against Mote's, over a TAP interface in a network namespace
the test makes (tap_netns.py), with loss and reordering injected on Mote's
side of the link (mote-hosted --net-loss/--net-reorder, seeded).

For each link (clean; 1% loss + 1% reordering; 5% loss + 2% reordering):
  * curl, Linux's own HTTP client, downloads httpd's 1 MiB blob; its SHA-256
    is tools/www_blob.py's;
  * 100 requests on one keep-alive connection (Python's http.client), each
    answered with index.html's bytes;
  * 10 MiB through Mote's `nc -e -k -l` echo service from a Linux client,
    sent and read back at once (both directions loaded together);
  * Mote as the client: `nc -e 10.77.0.1 PORT` connects to a Linux server
    that sends 10 MiB and reads it back;
  * UDP datagrams through udpecho (retried: loss is the link's job);
  * on the clean link, a SYN flood at httpd from addresses that never
    answer while a real client's 30 requests must all be served (SYN
    cookies once the half-open table is full).
On the lossy links Mote's TCP must have retransmitted (its `net` report),
so the impairment was in effect. Judged from Linux's side: bytes and
hashes as the Linux sockets saw them."""
import argparse
import hashlib
import http.client
import os
import random
import re
import socket
import struct
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
import tap_netns  # noqa: E402
from tap_netns import LINUX_ADDRESS, MOTE_ADDRESS  # noqa: E402
import www_blob  # noqa: E402

INDEX = open(os.path.join(HERE, "..", "..", "user", "www", "index.html"), "rb").read()
ECHO_PORT = 7777
BULK = 10 << 20
LINKS = ((0, 0, 11), (1, 1, 12), (5, 2, 13))  # loss %, reordering %, seed


def pump(sock, payload):
    """Sends `payload` on one thread while reading on this one; returns
    the bytes that came back before the peer closed."""
    def send():
        sock.sendall(payload)
        sock.shutdown(socket.SHUT_WR)
    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    chunks = []
    while True:
        data = sock.recv(1 << 16)
        if not data:
            break
        chunks.append(data)
    sender.join(30)
    return b"".join(chunks)


def check_curl(kernel):
    proc = subprocess.run(["curl", "-sS", "--max-time", "60", "-o", "-", f"http://{MOTE_ADDRESS}/blob.bin"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=90)
    got = hashlib.sha256(proc.stdout).hexdigest()
    want = hashlib.sha256(www_blob.blob()).hexdigest()
    if proc.returncode != 0 or got != want:
        raise AssertionError(f"curl: exit {proc.returncode} ({proc.stderr.decode().strip()}), "
                             f"{len(proc.stdout)} bytes, SHA-256 {got} not {want}")


def check_keep_alive(kernel):
    c = http.client.HTTPConnection(MOTE_ADDRESS, 80, timeout=30)
    for i in range(100):
        c.request("GET", "/")
        r = c.getresponse()
        body = r.read()
        if r.status != 200 or body != INDEX:
            raise AssertionError(f"keep-alive request {i}: status {r.status}, {len(body)} bytes")
    c.close()


def check_echo_server(kernel):
    payload = os.urandom(BULK)
    with socket.create_connection((MOTE_ADDRESS, ECHO_PORT), timeout=60) as s:
        back = pump(s, payload)
    if hashlib.sha256(back).digest() != hashlib.sha256(payload).digest():
        raise AssertionError(f"10 MiB echo from Mote's nc: {len(back)} bytes came back, not {len(payload)} equal")


def check_mote_client(kernel):
    server = socket.socket()
    server.bind((LINUX_ADDRESS, 0))
    server.listen(1)
    server.settimeout(30)
    port = server.getsockname()[1]
    kernel.send(f"nc -e {LINUX_ADDRESS} {port} &")
    conn, peer = server.accept()
    server.close()
    with conn:
        conn.settimeout(60)
        if peer[0] != MOTE_ADDRESS:
            raise AssertionError(f"the connection came from {peer}, not Mote")
        payload = os.urandom(BULK)
        back = pump(conn, payload)
    if hashlib.sha256(back).digest() != hashlib.sha256(payload).digest():
        raise AssertionError(f"10 MiB through Mote's connecting nc: {len(back)} bytes came back")


def check_udp(kernel):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.5)
        for size in (1, 512, 1472):
            payload = os.urandom(size)
            for _ in range(20):
                s.sendto(payload, (MOTE_ADDRESS, 7))
                try:
                    data, _ = s.recvfrom(2048)
                except socket.timeout:
                    continue
                if data == payload:
                    break
            else:
                raise AssertionError(f"no UDP echo of {size} bytes in 20 tries")


def _checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def syn_packet(source, source_port, destination, port, seq):
    """An IPv4 datagram holding a bare TCP SYN (the kernel fills in the IP
    checksum and id under IP_HDRINCL)."""
    src, dst = socket.inet_aton(source), socket.inet_aton(destination)
    tcp = struct.pack("!HHIIBBHHH", source_port, port, seq, 0, 5 << 4, 0x02, 65535, 0, 0)
    pseudo = src + dst + struct.pack("!BBH", 0, socket.IPPROTO_TCP, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", _checksum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0, 64, socket.IPPROTO_TCP, 0, src, dst)
    return ip + tcp


def check_syn_flood(kernel):
    """SYNs from addresses that never answer (their SYN-ACKs wait for ARP
    replies that never come, so they stay half-open) fill httpd's listener
    while a real client keeps fetching the page: it must be answered every
    time, through SYN cookies once the half-open table is full."""
    stop = threading.Event()
    sent = [0]
    try:
        raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    except PermissionError:
        print("  SYN flood: skipped (no CAP_NET_RAW here)", flush=True)
        return

    def flood():
        rng = random.Random(7)
        with raw:
            while not stop.is_set():
                source = f"10.77.0.{rng.randrange(100, 250)}"
                raw.sendto(syn_packet(source, rng.randrange(1024, 65535), MOTE_ADDRESS, 80,
                                      rng.getrandbits(32)), (MOTE_ADDRESS, 0))
                sent[0] += 1
                # About 3,000 a second: what the hosted kernel takes in
                # while serving; faster, Linux's TAP queue overflows and
                # drops the real client's SYNs before Mote sees them.
                if sent[0] % 4 == 0:
                    time.sleep(0.001)
    flooder = threading.Thread(target=flood, daemon=True)
    flooder.start()
    try:
        time.sleep(0.5)
        for i in range(30):
            c = http.client.HTTPConnection(MOTE_ADDRESS, 80, timeout=10)
            c.request("GET", "/")
            r = c.getresponse()
            body = r.read()
            c.close()
            if r.status != 200 or body != INDEX:
                raise AssertionError(f"under a SYN flood, request {i}: status {r.status}, {len(body)} bytes")
    finally:
        stop.set()
        flooder.join(10)
    report = kernel.command("net", "syn_cookies_rejected")
    cookies = tcp_counter(report, "syn_cookies_sent")
    if cookies == 0:
        raise AssertionError(f"{sent[0]} SYNs but no SYN cookie was sent:\n{report}")
    print(f"  SYN flood: {sent[0]} SYNs from silent addresses, 30 requests answered, "
          f"{cookies} SYN cookies, {tcp_counter(report, 'syn_cookies_accepted')} accepted", flush=True)


def tcp_counter(report, name):
    m = re.search(rf"\b{name} (\d+)", report[report.index("tcp: received"):])
    return int(m.group(1))


def run_link(hosted, build_dir, loss, reorder, seed):
    kernel = tap_netns.TapKernel(hosted, build_dir, loss=loss, reorder=reorder, seed=seed)
    try:
        kernel.send(f"nc -e -k -l {ECHO_PORT} &")
        kernel.expect(f"nc: listening on port {ECHO_PORT}")
        checks = [check_curl, check_keep_alive, check_echo_server, check_mote_client, check_udp]
        if not loss:
            checks.append(check_syn_flood)
        for check in checks:
            try:
                check(kernel)
            except (AssertionError, OSError) as e:
                raise AssertionError(f"{check.__name__} on a link with {loss}% loss, {reorder}% reordering "
                                     f"(seed {seed}): {e}\n--- Mote's console ---\n{kernel.text()[-4000:]}")
        report = kernel.command("net", "syn_cookies_rejected")
        if loss and tcp_counter(report, "retransmits") + tcp_counter(report, "fast_retransmits") == 0:
            raise AssertionError(f"{loss}% loss but Mote's TCP never retransmitted:\n{report}")
        for bad in ("MOTE-PANIC", "ERROR: AddressSanitizer", "runtime error:"):
            if bad in kernel.text():
                raise AssertionError(f"{bad} in the kernel's output:\n{kernel.text()[-4000:]}")
        print(f"PASS: {loss}% loss, {reorder}% reordering: curl 1 MiB, 100 keep-alive, 10 MiB echo both ways "
              f"as server and as client, UDP; Mote retransmits {tcp_counter(report, 'retransmits')}, "
              f"fast {tcp_counter(report, 'fast_retransmits')}, tail loss probes "
              f"{tcp_counter(report, 'tail_loss_probes')}, timeouts {tcp_counter(report, 'timeouts')}", flush=True)
    finally:
        kernel.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hosted", required=True)
    parser.add_argument("--build-dir", required=True)
    args = parser.parse_args()
    tap_netns.skip_unless_possible()
    namespace = tap_netns.enter_namespace_or_skip()
    try:
        for loss, reorder, seed in LINKS:
            run_link(args.hosted, args.build_dir, loss, reorder, seed)
    except AssertionError as e:
        print(f"FAIL: {e}")
        sys.exit(1)
    finally:
        namespace.close()


if __name__ == "__main__":
    main()
