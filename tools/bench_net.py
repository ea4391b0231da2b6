"""./mote bench net: UDP echo latency and throughput of Mote and of the Linux
guest peer, under identical QEMU flags, in the same run.

Both sides are measured by the peers' own clients (../shared/peers/bench):
boottime.py boots the guest and, once its ready marker appears, runs
udpbench.py (1000 sequential 64-byte round trips, then 10 s with 32 in
flight). Mote's echo is a user program, udpecho (a service init starts
from etc/services, so the machine boots with its initramfs); its ready
marker is init's line for it (`init: udpecho: started`), and udpbench
waits for the first answer. The Linux figures come from
linux/bench-linux.sh, which needs the peer kernels (linux/get-linux.sh,
Debian packages only).
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import machines  # noqa: E402
from bench_guest import boot_mote_with_client, results  # noqa: E402

PEERS = os.environ.get("MOTE_PEERS", os.path.join(HERE, "..", "..", "shared", "peers"))
PEER_ARCH = {"riscv64": "riscv64", "aarch64": "arm64", "x86_64": "amd64"}
CONFIGS = [("riscv64", "mmio", None), ("riscv64", "pci", None), ("aarch64", "mmio", None), ("aarch64", "pci", None),
           ("x86_64", "mmio", "microvm"), ("x86_64", "pci", "q35")]
UDPBENCH_ARGS = ["--size", "64", "--count", "1000", "--window", "32", "--duration", "10", "--timeout", "0.5",
                 "--wait", "20"]


def mote_udp(arch, transport, machine, build_dir):
    port = machines.free_port("udp")
    udp = " ".join([sys.executable, os.path.join(PEERS, "bench", "udpbench.py"), "--host", "127.0.0.1",
                    "--port", str(port)] + UDPBENCH_ARGS + ["--label", f"mote-{arch}-{transport}"])
    found = [r for r in boot_mote_with_client(arch, transport, machine, build_dir, [f"udp:{port}:7"],
                                              "init: udpecho: started", udp, "net") if "target" in r]
    if not found or "latency" not in found[-1]:
        return None
    return found[-1]


def linux_udp(arch, transport):
    script = os.path.join(PEERS, "linux", "bench-linux.sh")
    if not os.path.exists(script):
        return None, "no peer recipes at " + PEERS
    port = machines.free_port("udp")
    cmd = [script, PEER_ARCH[arch], transport, str(port)]
    print(f"$ {' '.join(cmd)}", flush=True)
    env = dict(os.environ, PEERS_BOOT_RUNS="1")  # boot time is the boot suite's business
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600, env=env)
    udp_results = [r for r in results(proc.stdout) if "target" in r and "latency" in r]
    if not udp_results:
        tail = "\n".join(proc.stdout.splitlines()[-5:])
        return None, f"peer run failed (did linux/get-linux.sh run?):\n{tail}"
    return udp_results[-1], None


def row(name, r):
    lat, thr = r["latency"], r["throughput"]
    return (f"{name:8} {lat['median_us']:>9} {lat['p99_us']:>9} {thr['pps']:>9} "
            f"{thr['lost']:>6}/{thr['sent']:<7}")


def run_net(build, build_dir, arches, with_peer=True):
    for arch, transport, machine in CONFIGS:
        if arch not in arches:
            continue
        build([arch])
        label = f"{arch} {machine or 'virt'} / virtio-net-{'pci' if transport == 'pci' else 'mmio'}"
        mote = mote_udp(arch, transport, machine, build_dir)
        linux, why = linux_udp(arch, transport) if with_peer else (None, "peer skipped")
        print(f"\n{label}, QEMU TCG, 64-byte datagrams")
        print(f"{'guest':8} {'RTT med':>9} {'RTT p99':>9} {'pps w32':>9} {'lost/sent':>14}  (us, us, datagrams/s)")
        if mote:
            print(row("mote", mote))
        else:
            print("mote     FAILED (see the output above)")
        if linux:
            print(row("linux", linux))
        else:
            print(f"linux    n/a: {why}")
        if mote and linux:
            ml, ll = mote["latency"], linux["latency"]
            mt, lt = mote["throughput"], linux["throughput"]
            print(f"ratios: RTT median Linux/Mote {ll['median_us'] / ml['median_us']:.2f}x, "
                  f"pps Mote/Linux {mt['pps'] / max(lt['pps'], 1):.2f}x; "
                  f"Mote p99/median {ml['p99_us'] / ml['median_us']:.2f}")
