#!/usr/bin/env python3
"""httpd under QEMU, judged by Linux clients through a forwarded port.

The machine boots as `./mote run` does: init starts the services of
etc/services, `httpd -p 80 www` among them; QEMU forwards a host port to
port 80. Then, from the host:

  * GET / is the page from www/index.html (text/html), byte for byte,
  * the 1 MiB blob's SHA-256 matches tools/www_blob.py's, through Python
    and through curl,
  * HEAD gives the length and no body; a byte range gives 206 and exactly
    those bytes; a range past the end gives 416; a missing file 404; a
    path escaping the root 400 or 403; POST 405; HTTP/2.0 505,
  * 100 requests on one keep-alive connection, and pipelined requests
    answered in order,
  * 50 clients at once all get the page,
  * a client that sends half a request and waits gets 408, and while 40
    such idle connections are open a normal client is still answered,
  * nothing panicked.

QEMU is bounded in time and killed by PID (qemu_harness)."""
import argparse
import hashlib
import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

import qemu_harness
from qemu_harness import machines

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import www_blob  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
INDEX = open(os.path.join(HERE, "..", "..", "user", "www", "index.html"), "rb").read()


def wait_ready(q, port, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=3)
            c.request("GET", "/")
            r = c.getresponse()
            r.read()
            c.close()
            if r.status == 200:
                return
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.5)
    q.fail("httpd never answered GET / through the forwarded port")


def raw(port, data, timeout=10):
    """Sends raw bytes, returns everything until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        out = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return out
            out += chunk


def status_of(response):
    return int(response.split(b" ", 2)[1]) if response.startswith(b"HTTP/1.1 ") else None


def check_basics(q, port):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    c.request("GET", "/")
    r = c.getresponse()
    body = r.read()
    if r.status != 200 or body != INDEX:
        q.fail(f"GET /: status {r.status}, {len(body)} bytes, not www/index.html's {len(INDEX)}")
    if not (r.getheader("Content-Type") or "").startswith("text/html"):
        q.fail(f"GET /: Content-Type {r.getheader('Content-Type')!r}, not text/html")

    blob = www_blob.blob()
    c.request("GET", "/blob.bin")
    r = c.getresponse()
    body = r.read()
    if r.status != 200 or hashlib.sha256(body).digest() != hashlib.sha256(blob).digest():
        q.fail(f"GET /blob.bin: status {r.status}, {len(body)} bytes, SHA-256 does not match")

    c.request("HEAD", "/blob.bin")
    r = c.getresponse()
    body = r.read()
    if r.status != 200 or r.getheader("Content-Length") != str(len(blob)) or body:
        q.fail(f"HEAD /blob.bin: status {r.status}, length {r.getheader('Content-Length')}, {len(body)} body bytes")

    c.request("GET", "/blob.bin", headers={"Range": "bytes=1000-1999"})
    r = c.getresponse()
    body = r.read()
    if r.status != 206 or body != blob[1000:2000]:
        q.fail(f"Range bytes=1000-1999: status {r.status}, {len(body)} bytes (want 206 and the slice)")

    c.request("GET", "/blob.bin", headers={"Range": f"bytes={len(blob) + 10}-"})
    r = c.getresponse()
    r.read()
    if r.status != 416:
        q.fail(f"a range past the end: status {r.status}, not 416")

    c.request("GET", "/no-such-file")
    r = c.getresponse()
    r.read()
    if r.status != 404:
        q.fail(f"GET /no-such-file: status {r.status}, not 404")
    c.close()

    for request, allowed in ((b"GET /../etc/caps HTTP/1.1\r\nHost: x\r\n\r\n", (400, 403)),
                             (b"GET /%2e%2e/etc/caps HTTP/1.1\r\nHost: x\r\n\r\n", (400, 403, 404)),
                             (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", (405,)),
                             (b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", (505,)),
                             (b"NONSENSE\r\n\r\n", (400,))):
        got = status_of(raw(port, request))
        if got not in allowed:
            q.fail(f"{request[:30]!r}: status {got}, want one of {allowed}")
        if b"etc/caps" in request and b"sh " in raw(port, request):
            q.fail("a path outside www/ was served")

    if shutil.which("curl"):
        out = subprocess.run(["curl", "-sS", "--max-time", "30", f"http://127.0.0.1:{port}/blob.bin"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        if out.returncode != 0 or hashlib.sha256(out.stdout).digest() != hashlib.sha256(blob).digest():
            q.fail(f"curl: exit {out.returncode}, {len(out.stdout)} bytes, SHA-256 does not match "
                   f"({out.stderr.decode(errors='replace').strip()})")


def check_keep_alive(q, port):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    c.connect()
    local = c.sock.getsockname()
    for i in range(100):
        c.request("GET", "/")
        r = c.getresponse()
        body = r.read()
        if r.status != 200 or body != INDEX:
            q.fail(f"keep-alive request {i}: status {r.status}")
        if c.sock is None or c.sock.getsockname() != local:
            q.fail(f"keep-alive: the connection was not kept after request {i}")
    c.close()
    # Pipelined: three requests in one write, answered in order.
    data = raw(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
                     b"HEAD /blob.bin HTTP/1.1\r\nHost: x\r\n\r\n"
                     b"GET /no-such-file HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    statuses = []
    for method in ("GET", "HEAD", "GET"):
        end = data.find(b"\r\n\r\n")
        if end < 0:
            break
        head, data = data[:end].decode("latin-1"), data[end + 4:]
        statuses.append(int(head.split(" ", 2)[1]))
        length = 0
        for line in head.split("\r\n")[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        if method == "GET":
            data = data[length:]  # a HEAD's length is the file's, with no body
    if statuses != [200, 200, 404]:
        q.fail(f"pipelined requests answered {statuses}, not [200, 200, 404] in order")


def check_concurrent(q, port, clients=50):
    ok = []
    def one():
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            c.request("GET", "/")
            r = c.getresponse()
            if r.status == 200 and r.read() == INDEX:
                ok.append(1)
            c.close()
        except (OSError, http.client.HTTPException):
            pass
    threads = [threading.Thread(target=one) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    if len(ok) != clients:
        q.fail(f"{clients} concurrent clients: {len(ok)} got the page")


def check_slow_clients(q, port):
    # Half a request, then silence: httpd gives up with 408 and closes.
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        waited = time.monotonic() - started
    if status_of(data) != 408:
        q.fail(f"a request left half-sent got {data[:40]!r} after {waited:.1f} s, not 408")
    # Idle connections do not lock a normal client out.
    idle = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(40)]
    try:
        for s in idle:
            s.sendall(b"GET / HTT")
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        c.request("GET", "/")
        r = c.getresponse()
        if r.status != 200 or r.read() != INDEX:
            q.fail(f"with 40 idle connections open, a normal GET got {r.status}")
        c.close()
    finally:
        for s in idle:
            s.close()


def main():
    args = qemu_harness.parse_args(__doc__, transport=True, timeout=240.0)
    with tempfile.TemporaryDirectory(prefix="mote-http-") as tmp:
        disk = os.path.join(tmp, "disk.img")
        with open(disk, "wb") as f:
            f.truncate(1 << 20)
        run(args, disk)


def run(args, disk):
    port = machines.free_port("tcp")
    options = argparse.Namespace(transport=args.transport, disk=disk, disk_cache=None, no_net=False,
                                 machine=getattr(args, "machine", None), fwd=[f"tcp:{port}:80"])
    devices = machines.device_args(args.arch, options)
    q = qemu_harness.Qemu(args, initrd=True, devices=devices)
    try:
        q.expect("init: httpd: started", timeout=60)
        wait_ready(q, port)
        check_basics(q, port)
        check_keep_alive(q, port)
        check_concurrent(q, port)
        check_slow_clients(q, port)
        if "MOTE-PANIC" in q.text():
            q.fail("MOTE-PANIC in the output")
        print(f"PASS: {args.arch} {args.transport}: pages, 1 MiB blob (Python and curl), HEAD, ranges, errors, "
              "100 keep-alive requests, pipelining, 50 concurrent clients, 408, idle connections")
    finally:
        q.kill()


if __name__ == "__main__":
    main()
