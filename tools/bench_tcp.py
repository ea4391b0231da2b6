"""./mote bench tcp: bulk TCP between the host and a guest, a byte sink and
a byte source on each side, under QEMU TCG with user networking.

Mote: the user shell runs `nc -d -l 9000` (a sink) behind a forwarded
port, and the host sends SIZE bytes and waits for Mote's end of the
connection (host-to-guest); then `nc -s SIZE 10.0.2.2 PORT` (a source)
connects to a host socket that reads until the end (guest-to-host). Each
figure is timed on the host from connect (or accept) to the guest's FIN, the
median of RUNS runs; Mote's own `nc: received/sent` line is printed too.

Linux: the peer (../shared/peers) has no sink or source program, only
busybox httpd. Its bulk guest-to-host figure is therefore the 1 MiB blob
download measured by linux/bench-linux-http.sh (median of five, same
client as `./mote bench http`); host-to-guest has no Linux figure.

Target (issue 14): >= 1.0x the Linux guest's throughput each way.
"""
import os
import socket
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import machines  # noqa: E402
from bench_guest import _Console  # noqa: E402

SIZE = 32 << 20
RUNS = 3
GUEST_PORT = 9000
CONFIGS = [("riscv64", "mmio", None), ("aarch64", "mmio", None), ("x86_64", "pci", "q35")]


def _connect(port, timeout):
    end = time.monotonic() + timeout
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=30)
        except OSError:
            if time.monotonic() > end:
                raise
            time.sleep(0.1)


def host_to_guest(console, port, at):
    """Sends SIZE bytes to the guest's sink; seconds from connect to its FIN."""
    console.send(f"nc -d -l {GUEST_PORT}")
    found = console.wait_for(f"listening on port {GUEST_PORT}", at, 30)
    if not found:
        raise SystemExit("mote: tcp bench: nc -d never listened")
    chunk = bytes(range(256)) * 256
    with _connect(port, 30) as s:
        start = time.monotonic()
        sent = 0
        while sent < SIZE:
            s.sendall(chunk)
            sent += len(chunk)
        s.shutdown(socket.SHUT_WR)
        while s.recv(65536):
            pass
        elapsed = time.monotonic() - start
    found = console.wait_for(" MB/s)", found[1], 60)
    if not found:
        raise SystemExit("mote: tcp bench: nc -d did not report")
    print("  " + found[0][:found[1]].splitlines()[-1].strip(), flush=True)
    return elapsed, found[1]


def guest_to_host(console, at):
    """The guest's source sends SIZE bytes to a host socket; seconds from
    accept to its FIN."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(30)
    with server:
        console.send(f"nc -s {SIZE} 10.0.2.2 {server.getsockname()[1]}")
        conn, _ = server.accept()
    with conn:
        conn.settimeout(60)
        start = time.monotonic()
        got = 0
        while True:
            data = conn.recv(1 << 16)
            if not data:
                break
            got += len(data)
        elapsed = time.monotonic() - start
    if got != SIZE:
        raise SystemExit(f"mote: tcp bench: {got} bytes arrived, not {SIZE}")
    found = console.wait_for(" MB/s)", at, 60)
    if not found:
        raise SystemExit("mote: tcp bench: nc -s did not report")
    print("  " + found[0][:found[1]].splitlines()[-1].strip(), flush=True)
    return elapsed, found[1]


def mote_tcp(arch, transport, machine, build_dir):
    folder = build_dir(arch)
    port = machines.free_port("tcp")
    opts = type("Options", (), {"transport": transport, "disk": None, "disk_cache": None, "no_net": False,
                                "fwd": [f"tcp:{port}:{GUEST_PORT}"], "machine": machine})()
    argv = machines.qemu_argv(arch, machines.kernel_path(arch, folder), machine=machine,
                              devices=machines.device_args(arch, opts), initrd=machines.initramfs_path(folder))
    print(f"$ {' '.join(argv)}", flush=True)
    console = _Console(argv)
    down, up = [], []
    try:
        found = console.wait_for("$ ", 0, 90)
        if not found:
            raise SystemExit("mote: tcp bench: the user shell never prompted")
        at = found[1]
        for _ in range(RUNS):
            seconds, at = host_to_guest(console, port, at)
            down.append(SIZE / seconds / 1e6)
            seconds, at = guest_to_host(console, at)
            up.append(SIZE / seconds / 1e6)
    finally:
        console.stop()
    return statistics.median(down), statistics.median(up)


def run_tcp(build, build_dir, arches, with_peer=True):
    import bench_http
    for arch, transport, machine in CONFIGS:
        if arch not in arches:
            continue
        build([arch])
        label = f"{arch} {machine or 'virt'} / virtio-net-{'pci' if transport == 'pci' else 'mmio'}"
        down, up = mote_tcp(arch, transport, machine, build_dir)
        linux, why = bench_http.linux_http(arch, transport) if with_peer else (None, "peer skipped")
        linux_up = linux.get("blob", {}).get("median_MBps") if linux else None
        print(f"\n{label}, QEMU TCG, {SIZE >> 20} MiB, median of {RUNS}")
        print(f"{'guest':6} {'host->guest MB/s':>17} {'guest->host MB/s':>17}")
        print(f"{'mote':6} {down:17.2f} {up:17.2f}")
        if linux_up:
            print(f"{'linux':6} {'n/a (no sink)':>17} {linux_up:17.2f}  (busybox httpd, 1 MiB blob)")
            print(f"ratio: guest->host Mote/Linux {up / linux_up:.2f}x (target >= 1.0)")
        else:
            print(f"linux  n/a: {why}")
