"""./mote bench fs: ext3 over virtio-blk from a user program, against the
Linux peer's ext4 (peer=fs) in the same run; the whole crash matrix of the
hosted tests (every crash state, two shards in parallel); and 20 power cuts
per ISA (tests/qemu/test_powercut.py)."""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_guest import PEERS_DIR, _Console  # noqa: E402

# The fs suite. Mote boots user/programs/fsbench.cpp as init with a 256 MiB
# image made by the host's mke2fs -t ext3 (the peer's mkfs defaults, plus
# the journal of ext3) attached with cache=none; the kernel mounts it at
# /mnt before init starts. fsbench runs the peer's six steps and prints one
# FSBENCH line each (the fields of the peer's PEERFS lines); "cold" steps
# first write "drop" to sys/storage (sync, then empty the block cache and
# the node cache), as the peer drops Linux's caches. When fsbench ends the
# kernel powers off, which unmounts; then e2fsck -fn checks the image. The
# peer: ../shared/peers/linux/bench-linux-fs.sh on the same QEMU flags.
FS_ROWS = [
    # (op, the figure compared, the target ratio Mote/Linux)
    ("seq_write", "MBps", 1.0),
    ("seq_read", "MBps", 1.0),
    ("small_create", "ops_per_s", 2.0),
    ("listdir", "ops_per_s", 2.0),
    ("small_read", "ops_per_s", 2.0),
    ("delete", "ops_per_s", 2.0),
]
PEER_ARCH = {"riscv64": "riscv64", "aarch64": "arm64", "x86_64": "amd64"}
IMAGE_BYTES = 256 << 20


def _line_fields(line):
    return {k: v for k, v in (f.split("=", 1) for f in line.split()[1:] if "=" in f)}


def _mote_fs(arch, build_dir, transport, machine=None):
    import machines
    folder = build_dir(arch)
    tmp = tempfile.mkdtemp(prefix="mote-bench-fs-")
    image = os.path.join(tmp, "fs.img")
    with open(image, "wb") as f:
        f.truncate(IMAGE_BYTES)
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext3", image], check=True)
    opts = type("Options", (), {"transport": transport, "disk": image, "disk_cache": "none", "no_net": True,
                                "machine": machine})()
    argv = machines.qemu_argv(arch, machines.kernel_path(arch, folder), extra=["-smp", "1"], machine=machine,
                              devices=machines.device_args(arch, opts), initrd=machines.initramfs_path(folder),
                              append="mote.init=bin/fsbench,mnt")
    print(f"$ {' '.join(argv)}", flush=True)
    console = _Console(argv)
    rows = {}
    try:
        found = console.wait_for("FSBENCH-DONE", 0, 900)
        if not found:
            raise SystemExit("mote: fs bench: fsbench did not finish")
        for line in found[0].splitlines():
            if line.startswith("FSBENCH op="):
                fields = _line_fields(line)
                rows[fields["op"]] = fields
        console.proc.wait(timeout=60)
    finally:
        console.stop()
    fsck = subprocess.run(["e2fsck", "-fn", image], capture_output=True, text=True)
    os.unlink(image)
    os.rmdir(tmp)
    return rows, fsck.returncode == 0


def _linux_fs(arch, transport):
    script = os.path.join(PEERS_DIR, "linux", "bench-linux-fs.sh")
    if not os.path.exists(script):
        return None, None
    cmd = [script, PEER_ARCH[arch], transport]
    print(f"$ {' '.join(cmd)}", flush=True)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900)
    rows = {}
    for line in proc.stdout.splitlines():
        if line.startswith("PEERFS op="):
            fields = _line_fields(line)
            rows[fields["op"]] = fields
    clean = "PEERFS-FSCK clean" in proc.stdout
    if not rows:
        print(proc.stdout[-2000:])
        return None, None
    return rows, clean


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POWER_CUTS = 20


def _power_cuts(arch, build_dir, machine):
    """tests/qemu/test_powercut.py with POWER_CUTS kills; its summary line."""
    cmd = [sys.executable, os.path.join(ROOT, "tests", "qemu", "test_powercut.py"), "--arch", arch, "--kernel",
           os.path.join(build_dir(arch), "mote.elf"), "--kills", str(POWER_CUTS), "--timeout", "120"]
    if machine:
        cmd += ["--machine", machine]
    print(f"$ {' '.join(cmd)}", flush=True)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=1800)
    lines = proc.stdout.splitlines()
    summary = [line for line in lines if line.startswith(("POWERCUT ", "FAIL", "seed "))]
    if proc.returncode != 0 and lines and not any(line.startswith("FAIL") for line in summary):
        summary.append(lines[-1])  # a traceback's last line, a SKIP
    return proc.returncode == 0, summary


def _crash_matrix(build, build_dir):
    """The whole crash matrix (no state budget) of the hosted unit tests,
    in two shards at once (two cores); states checked and failures."""
    build(["host"])
    binary = os.path.join(build_dir("host"), "tests", "mote_unit_tests")
    shards = 2
    procs = []
    for i in range(shards):
        env = dict(os.environ, MOTE_CRASH_STATES="0", MOTE_CRASH_SHARD=f"{i}/{shards}")
        cmd = [binary, "--gtest_filter=Ext2Crash.*"]
        print(f"$ MOTE_CRASH_STATES=0 MOTE_CRASH_SHARD={i}/{shards} {' '.join(cmd)}", flush=True)
        procs.append(subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    states, failed = 0, False
    for proc in procs:
        out, _ = proc.communicate(timeout=7200)
        found = re.search(r"CRASH-MATRIX workloads=(\d+) shard=\S+ states=(\d+) failures=(\d+)", out)
        if not found or proc.returncode != 0:
            print(out[-3000:])
            failed = True
        if found:
            states += int(found.group(2))
            failed = failed or found.group(3) != "0"
    return states, failed


def run_fs(build, build_dir, arches):
    states, failed = _crash_matrix(build, build_dir)
    print(f"crash matrix (hosted, whole): {states} crash states checked, {'FAILURES' if failed else '0 failures'}")
    for arch in [a for a in ("riscv64", "aarch64", "x86_64") if a in arches]:
        build([arch])
        transport = "mmio"
        machine = "microvm" if arch == "x86_64" else None
        mote, mote_clean = _mote_fs(arch, build_dir, transport, machine)
        linux, linux_clean = _linux_fs(arch, transport)
        print(f"{arch} {transport}, QEMU TCG, 256 MiB image, cache=none; Mote ext3 (mke2fs -t ext3) vs Linux ext4")
        print(f"{'op':14} {'Mote':>12} {'Linux':>12} {'unit':>10} {'ratio':>8} {'target':>8}")
        for op, key, target in FS_ROWS:
            m = float(mote[op][key]) if op in mote else None
            l = float(linux[op][key]) if linux and op in linux else None
            ratio = m / l if m and l else None
            verdict = "" if ratio is None else ("met" if ratio >= target else "missed")
            print(f"{op:14} {m if m is not None else '-':>12} {l if l is not None else '-':>12} {key:>10} "
                  f"{(f'{ratio:.2f}x' if ratio else '-'):>8} {f'>={target:.0f}x':>8} {verdict}")
        print(f"e2fsck -fn after the run: Mote {'clean' if mote_clean else 'ERRORS'}, "
              f"Linux {'clean' if linux_clean else ('ERRORS' if linux_clean is not None else '-')}")
        ok, summary = _power_cuts(arch, build_dir, machine)
        print(f"power cuts on {arch}: {'passed' if ok else 'FAILED'}: {'; '.join(summary)}")
