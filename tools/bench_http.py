"""./mote bench http: httpd on Mote against busybox httpd on the Linux guest
peer, same QEMU flags, same client, same run.

Both sides are measured by the peers' own httpbench.py (../shared/peers/
bench): 200 sequential GETs of the page, each on a new connection
(latency); five 1 MiB downloads, SHA-256 checked (MB/s); 8 clients for 10 s,
one request per connection (requests/s). Mote boots with its initramfs, so
init starts `httpd -p 80 www` (etc/services); its ready marker is init's
`init: httpd: started` line, and httpbench waits for the first answer. The Linux figures come from
linux/bench-linux-http.sh (the peer kernels: linux/get-linux.sh, Debian
packages only).

Targets (issue 14): GET median latency <= 0.5x Linux's, requests/s with 8
clients >= 2x, the 1 MiB download >= 1.0x Linux's MB/s.
"""
import hashlib
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import machines  # noqa: E402
import www_blob  # noqa: E402
from bench_guest import boot_mote_with_client, results  # noqa: E402

PEERS = os.environ.get("MOTE_PEERS", os.path.join(HERE, "..", "..", "shared", "peers"))
PEER_ARCH = {"riscv64": "riscv64", "aarch64": "arm64", "x86_64": "amd64"}
CONFIGS = [("riscv64", "mmio", None), ("aarch64", "mmio", None), ("x86_64", "pci", "q35")]


def mote_http(arch, transport, machine, build_dir):
    port = machines.free_port("tcp")
    sha = hashlib.sha256(www_blob.blob()).hexdigest()
    http = " ".join([sys.executable, os.path.join(PEERS, "bench", "httpbench.py"), "--host", "127.0.0.1",
                     "--port", str(port), "--path", "/index.html", "--count", "200", "--blob-path", "/blob.bin",
                     "--blob-runs", "5", "--blob-sha256", sha, "--concurrency", "8", "--duration", "10",
                     "--timeout", "5", "--wait", "30", "--label", f"mote-{arch}-{transport}-http"])
    found = [r for r in boot_mote_with_client(arch, transport, machine, build_dir, [f"tcp:{port}:80"],
                                              "init: httpd: started", http, "http") if "latency" in r]
    return found[-1] if found else None


def linux_http(arch, transport):
    script = os.path.join(PEERS, "linux", "bench-linux-http.sh")
    if not os.path.exists(script):
        return None, "no peer recipes at " + PEERS
    port = machines.free_port("tcp")
    cmd = [script, PEER_ARCH[arch], transport, str(port)]
    print(f"$ {' '.join(cmd)}", flush=True)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
    found = [r for r in results(proc.stdout) if "latency" in r]
    if not found:
        tail = "\n".join(proc.stdout.splitlines()[-5:])
        return None, f"peer run failed (did linux/get-linux.sh run?):\n{tail}"
    return found[-1], None


def figures(r):
    lat, blob, load = r.get("latency", {}), r.get("blob", {}), r.get("load", {})
    return (lat.get("median_ms"), lat.get("p99_ms"), blob.get("median_MBps"), load.get("rps"),
            (lat.get("errors"), load.get("errors")))


def row(name, r):
    med, p99, mbps, rps, errors = figures(r)
    return f"{name:6} {med!s:>9} {p99!s:>9} {mbps!s:>9} {rps!s:>9}  errors {errors}"


def run_http(build, build_dir, arches, with_peer=True):
    for arch, transport, machine in CONFIGS:
        if arch not in arches:
            continue
        build([arch])
        label = f"{arch} {machine or 'virt'} / virtio-net-{'pci' if transport == 'pci' else 'mmio'}"
        mote = mote_http(arch, transport, machine, build_dir)
        linux, why = linux_http(arch, transport) if with_peer else (None, "peer skipped")
        print(f"\n{label}, QEMU TCG")
        print(f"{'guest':6} {'GET med':>9} {'GET p99':>9} {'1MiB MB/s':>9} {'req/s x8':>9}  (ms, ms)")
        print(row("mote", mote) if mote else "mote   FAILED (see the output above)")
        print(row("linux", linux) if linux else f"linux  n/a: {why}")
        if mote and linux:
            m, l = figures(mote), figures(linux)
            if all(v is not None for v in m[:4] + l[:4]):
                print(f"ratios: GET median Mote/Linux {m[0] / l[0]:.2f}x (target <= 0.5), "
                      f"req/s Mote/Linux {m[3] / max(l[3], 1e-9):.2f}x (target >= 2), "
                      f"1 MiB MB/s Mote/Linux {m[2] / max(l[2], 1e-9):.2f}x (target >= 1.0)")
