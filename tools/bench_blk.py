"""./mote bench blk: virtio-blk under QEMU TCG against the Linux guest's dd."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_guest import PEERS_DIR, _Console  # noqa: E402


# The blk suite: the user shell's dd on dev/vda under QEMU TCG, on a 64 MiB
# raw image opened with cache=none (O_DIRECT on the host, like the Linux
# peer's disk), next to the Linux guest's busybox dd on the same kind of
# disk in the same run (../shared/peers/linux/bench-linux-blk.sh). Both dd
# are synchronous: one request at a time.
PEER_ARCH = {"riscv64": "riscv64", "aarch64": "arm64"}


# The disk from user space: the user shell's dd on dev/vda (through
# the syscall layer, BlockFile's bounce buffer, one request at a time),
# with dev/zero and dev/null on the other side. Each: (dd arguments, the
# Linux peer's figure it compares with).
USER_DD_RUNS = [
    ("if=dev/zero of=dev/vda bs=65536 count=1024", "seqwrite_64k_MBps"),
    ("if=dev/vda of=dev/null bs=65536 count=1024", "seqread_64k_MBps"),
    ("if=dev/zero of=dev/vda bs=4096 count=4096", "seqwrite_4k_MBps"),
    ("if=dev/vda of=dev/null bs=4096 count=4096", "seqread_4k_MBps"),
]


def _mote_user_dd(arch, build_dir, transport):
    import re
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import machines
    folder = build_dir(arch)
    image = os.path.join(folder, "bench-blk.img")
    with open(image, "wb") as f:
        f.truncate(64 << 20)
    opts = type("Options", (), {"transport": transport, "disk": image, "disk_cache": "none", "no_net": True})()
    argv = machines.qemu_argv(arch, machines.kernel_path(arch, folder), extra=["-smp", "1"],
                              devices=machines.device_args(arch, opts), initrd=machines.initramfs_path(folder))
    print(f"$ {' '.join(argv)}", flush=True)
    console = _Console(argv)
    results = {}
    try:
        found = console.wait_for("$ ", 0, 60)
        if not found:
            raise SystemExit("mote: blk bench: the user shell never prompted")
        at = found[1]
        for args, _ in USER_DD_RUNS:
            console.send(f"dd {args}")
            found = console.wait_for(" MB/s)", at, 300)
            if not found:
                raise SystemExit(f"mote: blk bench: dd {args} did not finish")
            line = found[0][:found[1]].splitlines()[-1]
            at = found[1]
            m = re.search(r"(\d+) bytes in (\d+) ns", line)
            results[args] = int(m.group(1)) / (int(m.group(2)) / 1e9) / 1e6
    finally:
        console.stop()
    return results


def _linux_blk(arch, transport):
    script = os.path.join(PEERS_DIR, "linux", "bench-linux-blk.sh")
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
            linux = _linux_blk(arch, transport)
            print(f"{arch} {transport}, QEMU TCG, 64 MiB image, cache=none")
            user = _mote_user_dd(arch, build_dir, transport)
            print(f"{'user-space dd (issue 11: >= 2x Linux dd)':44} {'MB/s':>9} {'Linux dd':>9} {'ratio':>7}")
            for args, key in USER_DD_RUNS:
                mbps = user[args]
                peer = linux.get(key) if linux else None
                verdict = "" if not peer else ("met" if mbps >= 2 * peer else "missed")
                ratio = f"{mbps / peer:6.2f}x" if peer else ""
                print(f"dd {args:41} {mbps:9.2f} {peer if peer else '':>9} {ratio:>7} {verdict}")
