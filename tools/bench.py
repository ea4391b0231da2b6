"""./mote bench: benchmarks whose figures go into docs/PERFORMANCE.md.

    ./mote bench            every suite available
    ./mote bench core       the async core (Google Benchmark, host-release)
    ./mote bench blk        virtio-blk under QEMU TCG vs the Linux peer's dd

Each suite prints the command that produced its figures, the figures, and
(where a peer exists) the ratio to the Linux guest measured in the same run.
"""
import json
import os
import platform
import subprocess
import sys

SUITES = ["core", "blk", "net", "boot-x86"]


def run_core(build, build_dir):
    build(["host-release"], ["mote_bench"])
    binary = os.path.join(build_dir("host-release"), "bench", "mote_bench")
    cmd = [binary, "--benchmark_repetitions=5", "--benchmark_report_aggregates_only=true",
           "--benchmark_format=json", "--benchmark_min_time=0.2"]
    print(f"$ {' '.join(cmd)}", flush=True)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit("mote: core benchmarks failed")
    data = json.loads(proc.stdout)
    targets = {"BM_RequestRoundTrip": 100.0, "BM_TimerArmCancel/10000": 100.0}
    print(f"host: {platform.processor() or platform.machine()}, {os.cpu_count()} cpus; median of 5 repetitions")
    print(f"{'benchmark':32} {'ns/op':>10}  target")
    for b in data["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        name = b["run_name"]
        ns = b["real_time"] if b["time_unit"] == "ns" else b["real_time"] * 1000
        target = targets.get(name)
        verdict = "" if target is None else (f"<= {target:.0f} ns: " + ("met" if ns <= target else "MISSED"))
        print(f"{name:32} {ns:10.1f}  {verdict}")


# The blk suite: `blk bench` under QEMU TCG on a 64 MiB raw image opened with
# cache=none (O_DIRECT on the host, like the Linux peer's disk), next to the
# Linux guest's busybox dd on the same kind of disk in the same run
# (../shared/peers/linux/bench-linux-blk.sh). dd is synchronous, so the
# comparable rows are depth 1; the depth-32 and random rows have no peer.
BLK_RUNS = [
    ("seq write 65536 1", "seqwrite_64k_MBps"),
    ("seq read 65536 1", "seqread_64k_MBps"),
    ("seq write 4096 1", "seqwrite_4k_MBps"),
    ("seq read 4096 1", "seqread_4k_MBps"),
    ("rand read 4096 1", None),
    ("rand write 4096 1", None),
    ("seq read 65536 32", None),
    ("seq write 65536 32", None),
    ("rand read 4096 32", None),
    ("rand write 4096 32", None),
]
PEER_ARCH = {"riscv64": "riscv64", "aarch64": "arm64"}


def _mote_blk(arch, build_dir, transport):
    import re
    import tempfile
    import threading
    import time
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import machines
    image = os.path.join(build_dir(arch), "bench-blk.img")
    with open(image, "wb") as f:
        f.truncate(64 << 20)
    opts = type("Options", (), {"transport": transport, "disk": image, "disk_cache": "none", "no_net": True})()
    argv = machines.qemu_argv(arch, machines.kernel_path(arch, build_dir(arch)), extra=["-smp", "1"],
                              devices=machines.device_args(arch, opts))
    print(f"$ {' '.join(argv)}", flush=True)
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = bytearray()
    threading.Thread(target=lambda: [out.extend(c) for c in iter(lambda: os.read(proc.stdout.fileno(), 4096), b"")],
                     daemon=True).start()
    results = {}
    try:
        def wait_for(needle, start, timeout):
            end = time.monotonic() + timeout
            while time.monotonic() < end:
                text = out.decode(errors="replace")
                at = text.find(needle, start)
                if at >= 0:
                    return text, at + len(needle)
                time.sleep(0.05)
            raise SystemExit(f"mote: blk bench: timed out waiting for {needle!r}")
        text, at = wait_for("mote> ", 0, 60)
        for command, _ in BLK_RUNS:
            proc.stdin.write(f"blk bench {command}\r".encode())
            proc.stdin.flush()
            text, at = wait_for(" IOPS", at, 120)
            line = text[:at].splitlines()[-1]
            m = re.search(r"= (\d+\.\d+) MB/s, (\d+) IOPS", line)
            results[command] = (float(m.group(1)), int(m.group(2)))
        proc.stdin.write(b"poweroff\r")
        proc.stdin.flush()
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, 9)
            proc.wait()
    return results


def _linux_blk(arch, transport):
    peers = os.environ.get("MOTE_PEERS", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                                      "shared", "peers"))
    script = os.path.join(peers, "linux", "bench-linux-blk.sh")
    if not os.path.exists(script) or transport not in ("mmio", "pci"):
        return None
    cmd = [script, PEER_ARCH[arch], transport]
    print(f"$ {' '.join(cmd)}", flush=True)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
    summary = next((l for l in proc.stdout.splitlines() if l.startswith("SUMMARY")), None)
    if not summary:
        print(proc.stdout[-2000:])
        return None
    print(summary)
    return {k: float(v) for k, v in (f.split("=") for f in summary.split()[2:]) if k.endswith("MBps")}


def run_blk(build, build_dir, arches):
    for arch in [a for a in ("riscv64", "aarch64") if a in arches]:
        build([arch])
        for transport in ("mmio", "pci"):
            mote = _mote_blk(arch, build_dir, transport)
            linux = _linux_blk(arch, transport)
            print(f"{arch} {transport}, QEMU TCG, 64 MiB image, cache=none")
            print(f"{'blk bench':24} {'MB/s':>9} {'IOPS':>8} {'Linux dd MB/s':>14} {'ratio':>7}")
            for command, key in BLK_RUNS:
                mbps, iops = mote[command]
                peer = linux.get(key) if linux and key else None
                ratio = f"{mbps / peer:6.2f}x" if peer else ""
                print(f"{command:24} {mbps:9.2f} {iops:8d} {peer if peer else '':>14} {ratio:>7}")


# x86_64 boot: wall time from starting QEMU to the shell banner (printed right
# before the first prompt), median of 5, on microvm and q35 under TCG, with
# ../shared/peers/bench/boottime.py; and the stripped image size. The Linux
# guest's figures are in ../shared/peers/README.md (5460 / 5741 ms).
def run_boot_x86(build, build_dir, arches):
    if "x86_64" not in arches:
        return
    build(["x86_64"])
    elf = os.path.join(build_dir("x86_64"), "mote.elf")
    script = os.path.join(os.path.dirname(ROOT_DIR), "shared", "peers", "bench", "boottime.py")
    print(f"x86_64 stripped image: {os.path.getsize(os.path.join(build_dir('x86_64'), 'mote.stripped.elf'))} bytes")
    for machine, target in (("microvm", 100), ("q35", 200)):
        cmd = [sys.executable, script, "--marker", "Mote shell.", "--runs", "5", "--",
               "qemu-system-x86_64", "-M", machine, "-nodefaults", "-serial", "mon:stdio", "-accel", "tcg",
               "-cpu", "qemu64", "-m", "128M", "-nographic", "-kernel", elf]
        print("command:", " ".join(cmd))
        out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
        result = next((l for l in out.splitlines() if l.startswith("RESULT ")), None)
        if not result:
            print(out[-1000:])
            continue
        median = json.loads(result[len("RESULT "):])["median_ms"]
        print(f"x86_64 {machine}: boot to prompt median {median:.1f} ms (target <= {target} ms: "
              f"{'met' if median <= target else 'missed'})")


ROOT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main(args, build, build_dir, arches):
    what = args.what or SUITES
    for suite in what:
        if suite not in SUITES:
            raise SystemExit(f"mote: unknown benchmark suite '{suite}' (known: {', '.join(SUITES)})")
    if "core" in what:
        run_core(build, build_dir)
    if "blk" in what:
        run_blk(build, build_dir, arches)
    if "boot-x86" in what:
        run_boot_x86(build, build_dir, arches)
    if "net" in what:
        import bench_net
        bench_net.run_net(build, build_dir, arches)
