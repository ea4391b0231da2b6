#!/usr/bin/env python3
"""wget under QEMU against a Python HTTP server on the host, judged from the
host. The server listens on 127.0.0.1 (a free port), which QEMU's user
networking shows the guest as 10.0.2.2. From the user shell:

  * `wget URL` in /tmp fetches a random ~300 KiB file (Content-Length)
    under its own name; the guest then sends the file back with `nc` to a
    host socket, and its SHA-256 must be the one served; no .part is left,
  * `wget -q -O - URL | nc ...` sends a chunked response (extensions, a
    trailer, chunks of many sizes) straight on: the host gets the decoded
    bytes,
  * `wget -S -O FILE URL` follows an absolute 301 and a relative 302 to a
    response that has a 100 Continue first and runs until the close; the
    server saw the three requests in order, each with Host, User-Agent and
    Connection: close, and the bytes sent back are the target's,
  * a 404 exits 8 with the status line on one `wget:` line and leaves no
    file; a redirect loop stops after 5 redirects (exit 7); https://, a
    host name, and -T against a server that never answers each give their
    one line and exit status,
  * nothing panicked.

Every server is stopped in `finally`; QEMU is bounded in time and killed by
PID (qemu_harness)."""
import argparse
import hashlib
import http.server
import os
import queue
import socket
import tempfile
import threading

import qemu_harness
from qemu_harness import machines

GUEST_HOST = "10.0.2.2"


class Content:
    """What the server serves, made fresh for each run."""

    def __init__(self):
        self.blob = os.urandom(300 * 1024 + 4321)
        # Chunks of many sizes, some with extensions.
        self.chunks = [os.urandom(n) for n in (1, 2, 15, 16, 17, 255, 256, 1000, 4096, 4097, 12345, 70000, 3)]
        self.target = bytes(range(256)) * 40 + b"the end\n"
        self.requests = []  # (path, headers) in arrival order
        self.lock = threading.Lock()


def make_handler(content, port):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            with content.lock:
                content.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            if self.path == "/files/blob.bin":
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(content.blob)))
                self.end_headers()
                self.wfile.write(content.blob)
            elif self.path == "/chunked":
                self.send_response(200)
                self.send_header("Transfer-Encoding", "chunked")
                self.send_header("Trailer", "X-Digest")
                self.end_headers()
                for i, chunk in enumerate(content.chunks):
                    extension = f";n={i};note=\"chunk {i}\"" if i % 3 == 0 else ""
                    self.wfile.write(f"{len(chunk):x}{extension}\r\n".encode() + chunk + b"\r\n")
                    self.wfile.flush()
                digest = hashlib.sha256(b"".join(content.chunks)).hexdigest()
                self.wfile.write(f"0\r\nX-Digest: {digest}\r\n\r\n".encode())
            elif self.path == "/old":
                self.send_response(301)
                self.send_header("Location", f"http://{GUEST_HOST}:{port}/moved/here?from=old")
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif self.path == "/moved/here?from=old":
                body = b"<a href='../final/./target.bin'>moved</a>"
                self.send_response(302)
                self.send_header("Location", "../final/./target.bin")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            elif self.path == "/final/target.bin":
                # An interim response, then a body framed by the close.
                self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                self.send_response(200)
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(content.target)
                self.close_connection = True
            elif self.path == "/loop":
                self.send_response(302)
                self.send_header("Location", "loop")
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                body = b"no such thing\n"
                self.send_response(404)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

    return Handler


class Sink:
    """A host socket the guest's nc sends files to: each connection's bytes,
    read to its end, in a queue."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.5)
        self.port = self.listener.getsockname()[1]
        self.received = queue.Queue()
        self.stopping = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stopping:
            try:
                conn, _ = self.listener.accept()
            except (socket.timeout, OSError):
                continue
            with conn:
                conn.settimeout(60)
                data = bytearray()
                try:
                    while True:
                        chunk = conn.recv(65536)
                        if not chunk:
                            break
                        data.extend(chunk)
                except OSError:
                    pass
            self.received.put(bytes(data))

    def take(self, q, what, timeout=60):
        try:
            return self.received.get(timeout=timeout)
        except queue.Empty:
            q.fail(f"{what}: nothing arrived at the host's sink")

    def stop(self):
        self.stopping = True
        self.listener.close()
        self.thread.join(timeout=5)


class Silent:
    """Accepts connections and never answers: for -T."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.held = []
        self.stopping = False
        self.listener.settimeout(0.5)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stopping:
            try:
                conn, _ = self.listener.accept()
                self.held.append(conn)
            except (socket.timeout, OSError):
                continue

    def stop(self):
        self.stopping = True
        self.listener.close()
        for c in self.held:
            c.close()
        self.thread.join(timeout=5)


def sha(data):
    return hashlib.sha256(data).hexdigest()


def expect_in(q, out, needle, what):
    if needle not in out:
        q.fail(f"{what}: {needle!r} not in the output:\n{out}")


def check_downloads(q, shell, content, http_port, sink):
    base = f"http://{GUEST_HOST}:{http_port}"
    shell.run("cd /tmp")

    # A plain download under the URL's name, sent back by nc.
    out = shell.run(f"wget {base}/files/blob.bin", timeout=180)
    expect_in(q, out, f"wget: {len(content.blob)} bytes to blob.bin in ", "wget of the blob")
    if "[exit" in out:
        q.fail(f"wget of the blob failed:\n{out}")
    listing = shell.run("ls")
    if "blob.bin" not in listing or ".part" in listing:
        q.fail(f"after the download /tmp holds:\n{listing}")
    out = shell.run(f"nc {GUEST_HOST} {sink.port} < blob.bin", timeout=120)
    back = sink.take(q, "the blob sent back")
    if sha(back) != sha(content.blob):
        q.fail(f"the blob: {len(back)} bytes came back, SHA-256 {sha(back)}, "
               f"not the {len(content.blob)} served ({sha(content.blob)})")

    # Chunked, through stdout and a pipe.
    out = shell.run(f"wget -q -O - {base}/chunked | nc {GUEST_HOST} {sink.port}", timeout=120)
    back = sink.take(q, "the chunked body")
    want = b"".join(content.chunks)
    if back != want:
        q.fail(f"chunked: {len(back)} bytes came through the pipe, not the {len(want)} decoded ones\n{out}")
    if "[exit" in out or "bytes to" in out:
        q.fail(f"wget -q -O - printed more than the body, or failed:\n{out}")

    # Two redirects (absolute, then relative) to an interim response and a
    # body framed by the close; -S shows the heads.
    with content.lock:
        content.requests.clear()
    out = shell.run(f"wget -S -O moved.bin {base}/old", timeout=120)
    expect_in(q, out, "  HTTP/1.1 301 Moved Permanently", "-S")
    expect_in(q, out, f"wget: 301 Moved Permanently -> http://{GUEST_HOST}:{http_port}/moved/here?from=old", "redirect")
    expect_in(q, out, f"wget: 302 Found -> http://{GUEST_HOST}:{http_port}/final/target.bin", "redirect")
    expect_in(q, out, "  HTTP/1.1 100 Continue", "-S of the interim response")
    expect_in(q, out, f"wget: {len(content.target)} bytes to moved.bin", "the redirected download")
    with content.lock:
        paths = [path for path, _ in content.requests]
        headers = [h for _, h in content.requests]
    if paths != ["/old", "/moved/here?from=old", "/final/target.bin"]:
        q.fail(f"the server saw {paths}, not the redirect chain")
    for h in headers:
        if h.get("host") != f"{GUEST_HOST}:{http_port}" or h.get("connection") != "close" or \
                not h.get("user-agent", "").startswith("Mote-wget/"):
            q.fail(f"a request came with the fields {h}")
    shell.run(f"nc {GUEST_HOST} {sink.port} < moved.bin", timeout=60)
    back = sink.take(q, "the redirect target")
    if back != content.target:
        q.fail(f"redirect target: {len(back)} bytes came back, not the {len(content.target)} served")


def check_failures(q, shell, content, http_port, silent_port):
    base = f"http://{GUEST_HOST}:{http_port}"
    out = shell.run(f"wget -O nope.bin {base}/missing", timeout=60)
    expect_in(q, out, f"wget: {base}/missing: HTTP/1.1 404 Not Found", "404")
    expect_in(q, out, "[exit 8]", "404's exit status")
    if "nope.bin" in shell.run("ls"):
        q.fail("a 404 left a file behind")
    with content.lock:
        content.requests.clear()
    out = shell.run(f"wget -q {base}/loop", timeout=60)
    expect_in(q, out, "wget: more than 5 redirects", "a redirect loop")
    expect_in(q, out, "[exit 7]", "a redirect loop's exit status")
    with content.lock:
        loops = len(content.requests)
    if loops != 6:
        q.fail(f"a redirect loop: the server saw {loops} requests, not the first and 5 redirects")
    out = shell.run("wget https://10.0.2.2/x")
    expect_in(q, out, "https is not supported", "https")
    expect_in(q, out, "[exit 2]", "https's exit status")
    out = shell.run("wget http://example.com/")
    expect_in(q, out, "no DNS resolver", "a host name")
    expect_in(q, out, "[exit 2]", "a host name's exit status")
    out = shell.run(f"wget -T 2 -O silent.bin http://{GUEST_HOST}:{silent_port}/", timeout=60)
    expect_in(q, out, f"wget: receive from {GUEST_HOST}:{silent_port}: no progress for 2.000 s (-T)", "-T")
    expect_in(q, out, "[exit 4]", "-T's exit status")
    out = shell.run("wget")
    expect_in(q, out, "usage: wget", "no arguments")
    if ".part" in shell.run("ls"):
        q.fail("a failed download left its .part behind")


def main():
    args = qemu_harness.parse_args(__doc__, transport=True, timeout=420.0)
    with tempfile.TemporaryDirectory(prefix="mote-wget-") as tmp:
        # A private disk, so parallel QEMU tests never contend for an image lock.
        disk = os.path.join(tmp, "disk.img")
        with open(disk, "wb") as f:
            f.truncate(1 << 20)
        run(args, disk)


def run(args, disk):
    content = Content()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), None)
    http_port = httpd.server_address[1]
    httpd.RequestHandlerClass = make_handler(content, http_port)
    httpd.daemon_threads = True
    server = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    server.start()
    sink = Sink()
    silent = Silent()
    q = None
    try:
        options = argparse.Namespace(transport=args.transport, disk=disk, disk_cache=None, no_net=False,
                                     machine=getattr(args, "machine", None), fwd=[])
        devices = machines.device_args(args.arch, options)
        q = qemu_harness.Qemu(args, initrd=True, devices=devices)
        shell = qemu_harness.Shell(q, timeout=60)
        q.expect("dhcp: lease 10.0.2.15/24", timeout=60)
        check_downloads(q, shell, content, http_port, sink)
        check_failures(q, shell, content, http_port, silent.port)
        if "MOTE-PANIC" in q.text():
            q.fail("MOTE-PANIC in the output")
        print(f"PASS: {args.arch} {args.transport}: {len(content.blob)} bytes (Content-Length), chunked through a "
              "pipe, two redirects to a 100 Continue and a close-framed body, each checked from the host; "
              "404, a redirect loop, https, a host name and -T refused with their exit statuses")
    finally:
        if q is not None:
            q.kill()
        httpd.shutdown()
        httpd.server_close()
        sink.stop()
        silent.stop()


if __name__ == "__main__":
    main()
