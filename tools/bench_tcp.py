"""./mote bench tcp: bulk TCP between the host and a guest, a byte sink and
a byte source on each side, under QEMU TCG with user networking.

Mote: the user shell runs `nc -d -l 9000` (a sink) behind a forwarded
port, and the host sends SIZE bytes and waits for Mote's end of the
connection (host-to-guest); then `nc -s SIZE 10.0.2.2 PORT` (a source)
connects to a host socket that reads until the end (guest-to-host). Each
figure is timed on the host from connect (or accept) to the guest's FIN, the
median of RUNS runs; Mote's own `nc: received/sent` line is printed too.

Linux: the peer (../shared/peers) has no sink or source mode, so this
boots the peer's own kernel and initramfs with its own QEMU command line
(`linux/run-linux.sh --print`) and one more newc archive after its
initramfs, which holds only an /init of ours (LINUX_INIT below: the
peer's steps to bring eth0 up, then its busybox's `nc -e dd` as the sink
RUNS times and as the source, reading a file in RAM, RUNS times). The host side and the timing are the same functions as for Mote.

Target (issue 14): >= 1.0x the Linux guest's throughput each way.
"""
import gzip
import os
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import machines  # noqa: E402
from bench_guest import PEERS_DIR, _Console  # noqa: E402
from mkcpio import newc_archive  # noqa: E402

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


def send_to_sink(port):
    """Sends SIZE bytes to a guest's sink behind host port `port`; seconds
    from connect to the guest's FIN."""
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
        return time.monotonic() - start


def receive_from_source(server):
    """Accepts a guest source's connection on `server` and reads to its
    end; seconds from accept to the FIN (SystemExit unless SIZE bytes came)."""
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
        raise SystemExit(f"tcp bench: {got} bytes arrived from the guest's source, not {SIZE}")
    return elapsed


def host_to_guest(console, port, at):
    """Sends SIZE bytes to the guest's sink; seconds from connect to its FIN."""
    console.send(f"nc -d -l {GUEST_PORT}")
    found = console.wait_for(f"listening on port {GUEST_PORT}", at, 30)
    if not found:
        raise SystemExit("mote: tcp bench: nc -d never listened")
    elapsed = send_to_sink(port)
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
        elapsed = receive_from_source(server)
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


# The Linux guest's /init for this benchmark, added after the peer's own
# initramfs (so it replaces the peer's /init; everything else is the
# peer's). eth0 comes up exactly as in the peer's /init; then busybox nc
# accepts a connection on port 8080 RUNS times and runs dd on it as the
# sink (ready once the port listens, polled in /proc/net/tcp as the peer
# polls for httpd), then connects out RUNS times and runs dd on the socket
# as the source, copying a file of zeros in RAM four times (the whole size
# would not fit in 128 MiB beside the initramfs). dd moves 64 KiB per
# call; nc relaying stdin or stdout itself moves 1 KiB per call (5 to 11
# MB/s here), which would measure busybox, not Linux's TCP.
# tcpbench=RUNS,BLOCKS,PORT on the command line: the source's size in
# 64 KiB blocks, and the host port it connects to.
LINUX_INIT = r"""#!/bin/busybox sh
B=/bin/busybox
$B mount -t proc proc /proc
$B mount -t sysfs sysfs /sys
$B mount -t devtmpfs devtmpfs /dev 2>/dev/null
for m in $($B cat /lib/modules/order); do $B insmod /lib/modules/$m || echo "insmod $m failed"; done
$B ip link set lo up
$B ip addr add 10.0.2.15/24 dev eth0
$B ip link set eth0 up
$B ip route add default via 10.0.2.2
read -r CMDLINE < /proc/cmdline
for w in $CMDLINE; do case $w in tcpbench=*) SPEC=${w#tcpbench=} ;; esac; done
RUNS=${SPEC%%,*}; REST=${SPEC#*,}; BLOCKS=${REST%%,*}; PORT=${REST#*,}
i=0
while [ $i -lt $RUNS ]; do
  $B nc -l -p 8080 -e $B dd of=/dev/null bs=65536 2>/dev/null &
  while ! $B grep -q ':1F90 [0-9A-F]*:0000 0A ' /proc/net/tcp /proc/net/tcp6 2>/dev/null; do $B usleep 10000; done
  echo "TCPSINK-READY $i"
  wait
  i=$((i + 1))
done
$B dd if=/dev/zero of=/source bs=65536 count=$((BLOCKS / 4)) 2>/dev/null
i=0
while [ $i -lt $RUNS ]; do
  echo "TCPSOURCE-START $i"
  $B nc 10.0.2.2 $PORT -e $B sh -c "for n in 1 2 3 4; do $B dd if=/source bs=65536 2>/dev/null; done"
  i=$((i + 1))
done
echo TCPBENCH-DONE
$B poweroff -f
"""


def linux_tcp(arch, transport):
    """The Linux guest's (host-to-guest, guest-to-host) MB/s, medians of
    RUNS, or (None, why)."""
    import bench_http
    peer_arch = bench_http.PEER_ARCH[arch]
    script = os.path.join(PEERS_DIR, "linux", "run-linux.sh")
    cache = os.environ.get("PEERS_CACHE", os.path.join(os.path.expanduser("~"), ".cache", "mote-peers"))
    initrd = os.path.join(cache, "linux", f"initrd-{peer_arch}-{transport}.cpio.gz")
    if not os.path.exists(script) or not os.path.exists(initrd):
        return None, f"no peer at {script} with {initrd} (run linux/get-linux.sh {peer_arch})"
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(RUNS)
    server.settimeout(120)
    port = machines.free_port("tcp")
    spec = f"tcpbench={RUNS},{SIZE // 65536},{server.getsockname()[1]}"
    printed = subprocess.run([script, "--print", "--tcp", str(port), "--append", spec, peer_arch, transport,
                              str(machines.free_port("udp"))], stdout=subprocess.PIPE, text=True, check=True)
    argv = shlex.split(printed.stdout)
    down, up = [], []
    with server, tempfile.TemporaryDirectory(prefix="mote-bench-tcp-linux-") as tmp:
        ours = os.path.join(tmp, "initrd.cpio.gz")
        with open(ours, "wb") as out:
            out.write(open(initrd, "rb").read())
            out.write(gzip.compress(newc_archive([("init", 0o100755, LINUX_INIT.encode())]), mtime=0))
        argv[argv.index("-initrd") + 1] = ours
        print(f"$ {shlex.join(argv)}", flush=True)
        console = _Console(argv)
        try:
            at = 0
            for i in range(RUNS):
                found = console.wait_for(f"TCPSINK-READY {i}", at, 120)
                if not found:
                    return None, "the Linux guest's sink never listened:\n" + console.text()[-1500:]
                at = found[1]
                down.append(SIZE / send_to_sink(port) / 1e6)
            for i in range(RUNS):
                up.append(SIZE / receive_from_source(server) / 1e6)
            if not console.wait_for("TCPBENCH-DONE", at, 60):
                return None, "the Linux guest did not finish:\n" + console.text()[-1500:]
        finally:
            console.stop()
    print(f"  linux: host->guest {', '.join(f'{x:.2f}' for x in down)} MB/s; "
          f"guest->host {', '.join(f'{x:.2f}' for x in up)} MB/s", flush=True)
    return (statistics.median(down), statistics.median(up)), None


def run_tcp(build, build_dir, arches, with_peer=True):
    import bench_http
    for arch, transport, machine in CONFIGS:
        if arch not in arches:
            continue
        build([arch])
        label = f"{arch} {machine or 'virt'} / virtio-net-{'pci' if transport == 'pci' else 'mmio'}"
        down, up = mote_tcp(arch, transport, machine, build_dir)
        linux, why = linux_tcp(arch, transport) if with_peer else (None, "peer skipped")
        print(f"\n{label}, QEMU TCG, {SIZE >> 20} MiB, median of {RUNS}")
        print(f"{'guest':6} {'host->guest MB/s':>17} {'guest->host MB/s':>17}")
        print(f"{'mote':6} {down:17.2f} {up:17.2f}")
        if linux:
            print(f"{'linux':6} {linux[0]:17.2f} {linux[1]:17.2f}  (busybox nc -e dd, the peer's kernel and initramfs)")
            print(f"ratios Mote/Linux: host->guest {down / linux[0]:.2f}x, guest->host {up / linux[1]:.2f}x "
                  f"(target >= 1.0 each way)")
        else:
            print(f"linux  n/a: {why}")
