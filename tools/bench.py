"""./mote bench: benchmarks whose figures go into docs/PERFORMANCE.md.

    ./mote bench            every suite available
    ./mote bench core       the async core (Google Benchmark, host-release)
    ./mote bench blk        virtio-blk under QEMU TCG vs the Linux peer's dd
    ./mote bench boot       boot to the shell under QEMU TCG next to a null kernel (the floor), and
                            stripped size, per arch
    ./mote bench sys        system calls, channels and the submission ring from user space
                            (user/programs/sysbench.cpp as init) vs the Linux peer's sysbench
    ./mote bench tcp        bulk TCP host-to-guest and guest-to-host (nc as sink and source) under QEMU TCG
                            vs the Linux peer's busybox httpd download
    ./mote bench fs         ext3 over virtio-blk from a user program (user/programs/fsbench.cpp as init)
                            vs the Linux peer's ext4 (peer=fs)
                            (its pipe ping-pong for channels), wall clock and under -icount shift=0,
                            per arch

Each suite prints the command that produced its figures, the figures, and
(where a peer exists) the ratio to the Linux guest measured in the same run.
"""
import json
import os
import platform
import subprocess
import sys

SUITES = ["core", "blk", "net", "http", "tcp", "boot", "sys", "fs"]


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


def main(args, build, build_dir, arches):
    what = args.what or SUITES
    for suite in what:
        if suite not in SUITES:
            raise SystemExit(f"mote: unknown benchmark suite '{suite}' (known: {', '.join(SUITES)})")
    # One module per suite (tools/bench_<suite>.py), loaded only when run.
    if "core" in what:
        run_core(build, build_dir)
    if "blk" in what:
        import bench_blk
        bench_blk.run_blk(build, build_dir, arches)
    if "boot" in what:
        import bench_boot
        bench_boot.run_boot(build, build_dir, arches)
    if "sys" in what:
        import bench_sys
        bench_sys.run_sys(build, build_dir, arches)
    if "net" in what:
        import bench_net
        bench_net.run_net(build, build_dir, arches)
    if "http" in what:
        import bench_http
        bench_http.run_http(build, build_dir, arches)
    if "tcp" in what:
        import bench_tcp
        bench_tcp.run_tcp(build, build_dir, arches)
    if "fs" in what:
        import bench_fs
        bench_fs.run_fs(build, build_dir, arches)
