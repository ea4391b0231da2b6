"""./mote bench: benchmarks whose figures go into docs/PERFORMANCE.md.

    ./mote bench            every suite available
    ./mote bench core       the async core (Google Benchmark, host-release)
    ./mote bench blk        virtio-blk under QEMU TCG vs the Linux peer's dd
    ./mote bench boot       boot to the shell under QEMU TCG next to a null kernel (the floor), and
                            stripped size, per arch
    ./mote bench sys        system calls from user space (user/programs/sysbench.cpp as init) vs the
                            Linux peer's sysbench, wall clock and under -icount shift=0, per arch

Each suite prints the command that produced its figures, the figures, and
(where a peer exists) the ratio to the Linux guest measured in the same run.
"""
import json
import os
import platform
import shlex
import subprocess
import sys

SUITES = ["core", "blk", "net", "boot", "sys"]


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


class _Console:
    """A guest booted with `argv`, its serial console on a pipe: a thread
    collects the output, send() types into the serial input. The benchmarks
    that drive Mote's shell (blk, the boot timeline) share it; stop() kills
    QEMU by its PID if it is still running."""

    def __init__(self, argv):
        import threading
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.out = bytearray()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for chunk in iter(lambda: os.read(self.proc.stdout.fileno(), 4096), b""):
            self.out.extend(chunk)

    def wait_for(self, needle, start, timeout):
        """(all text so far, the offset just past `needle`), once it appears
        at or after `start`; None after `timeout` seconds."""
        import time
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            text = self.out.decode(errors="replace")
            at = text.find(needle, start)
            if at >= 0:
                return text, at + len(needle)
            time.sleep(0.02)
        return None

    def send(self, line):
        self.proc.stdin.write(f"{line}\r".encode())
        self.proc.stdin.flush()

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, 9)
            self.proc.wait()


def _mote_blk(arch, build_dir, transport):
    import re
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import machines
    image = os.path.join(build_dir(arch), "bench-blk.img")
    with open(image, "wb") as f:
        f.truncate(64 << 20)
    opts = type("Options", (), {"transport": transport, "disk": image, "disk_cache": "none", "no_net": True})()
    argv = machines.qemu_argv(arch, machines.kernel_path(arch, build_dir(arch)), extra=["-smp", "1"],
                              devices=machines.device_args(arch, opts))
    print(f"$ {' '.join(argv)}", flush=True)
    console = _Console(argv)
    results = {}

    def wait_for(needle, start, timeout):
        found = console.wait_for(needle, start, timeout)
        if found is None:
            raise SystemExit(f"mote: blk bench: timed out waiting for {needle!r}")
        return found
    try:
        text, at = wait_for("mote> ", 0, 60)
        for command, _ in BLK_RUNS:
            console.send(f"blk bench {command}")
            text, at = wait_for(" IOPS", at, 120)
            line = text[:at].splitlines()[-1]
            m = re.search(r"= (\d+\.\d+) MB/s, (\d+) IOPS", line)
            results[command] = (float(m.group(1)), int(m.group(2)))
        console.send("poweroff")
        console.proc.wait(timeout=30)
    finally:
        console.stop()
    return results


# The same disk from user space: the user shell's dd on dev/vda (through
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
            user = _mote_user_dd(arch, build_dir, transport)
            print(f"{'user-space dd (issue 11: >= 2x Linux dd)':44} {'MB/s':>9} {'Linux dd':>9} {'ratio':>7}")
            for args, key in USER_DD_RUNS:
                mbps = user[args]
                peer = linux.get(key) if linux else None
                verdict = "" if not peer else ("met" if mbps >= 2 * peer else "missed")
                ratio = f"{mbps / peer:6.2f}x" if peer else ""
                print(f"dd {args:41} {mbps:9.2f} {peer if peer else '':>9} {ratio:>7} {verdict}")


# The boot suite: wall time from starting QEMU to the shell's banner line
# ("Mote shell. Type 'help' ...", printed right before the first `mote>`
# prompt, which never ends a line), median of 5, under TCG with 128 MiB,
# measured with ../shared/peers/bench/boottime.py; and the stripped image
# size. Mote boots with the `./mote run` command line (tools/machines.py, no
# extra devices) and with the Linux peer's exact QEMU flags; the Linux peer
# boots with those flags in the same run when its kernel has been fetched
# (../shared/peers/linux/get-linux.sh). Only when it has not is its published
# median of ../shared/peers/README.md ("Reference figures") shown instead.
BOOT_MACHINES = [
    # (arch, x86 machine, target ms, the Linux peer's recipe: arch and transport, and its published boot ms)
    ("riscv64", None, 70, ("riscv64", "mmio"), 2551),
    ("aarch64", None, 60, ("arm64", "mmio"), 1589),
    ("x86_64", "microvm", 100, ("amd64", "mmio"), 5460),
    ("x86_64", "q35", 200, ("amd64", "pci"), 5741),
]
# Issue 3's size target, set for what that issue built: boot, traps, memory,
# timers, the console and the shell. The minimal profile is that kernel
# (cmake/kernel_sources.cmake); the full image adds virtio, the block layer
# and the IPv4 stack, and is reported next to it.
BOOT_SIZE_TARGET = 96 * 1024
# MOTE_PEERS, as for the blk suite; else the first folder above the checkout
# that holds shared/peers (../shared/peers for the main checkout, one more
# level up for a git worktree under wt/).


def _find_peers():
    folder = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    while True:
        parent = os.path.dirname(folder)
        candidate = os.path.join(parent, "shared", "peers")
        if os.path.isdir(candidate) or parent == folder:
            return candidate
        folder = parent


PEERS_DIR = os.environ.get("MOTE_PEERS") or _find_peers()

# The boot-time floor: most of a boot on this host is not Mote's (QEMU's
# start-up, OpenSBI's banner on riscv64, SeaBIOS on q35, host noise). A null
# kernel per architecture (tools/floor/<arch>.S), booted with the same
# command line as Mote, prints FLOOR_MARKER on entry and idles; its boot time
# is what the host allows, and Mote's figure minus it is Mote's own part.
# Per architecture: clang's target and the address the machine's loader
# expects a kernel at (OpenSBI's next stage, QEMU virt's arm64 kernel
# offset, the PVH loader's 1 MiB, where Mote is loaded too).
FLOOR_KERNELS = {
    "riscv64": ("riscv64-unknown-elf", 0x80200000),
    "aarch64": ("aarch64-unknown-elf", 0x40080000),
    "x86_64": ("x86_64-unknown-elf", 0x100000),
}
FLOOR_MARKER = "FLOOR READY"
FLOOR_SOURCES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "floor")


def build_floor(arch, build_dir):
    """build/floor/<arch>.elf from tools/floor/<arch>.S, linked by
    tools/floor/floor.ld at the machine's kernel address. Two commands, so
    no CMake preset; rebuilt unless the image is newer than the source, the
    script and this file (which holds the flags): file times are coarse, so
    an image from the same clock tick as an edit is rebuilt too."""
    target, load = FLOOR_KERNELS[arch]
    source = os.path.join(FLOOR_SOURCES, f"{arch}.S")
    script = os.path.join(FLOOR_SOURCES, "floor.ld")
    folder = build_dir("floor")
    obj, elf = os.path.join(folder, f"{arch}.o"), os.path.join(folder, f"{arch}.elf")
    inputs = [source, script, os.path.abspath(__file__)]
    if os.path.exists(elf) and all(os.path.getmtime(elf) > os.path.getmtime(p) for p in inputs):
        return elf
    os.makedirs(folder, exist_ok=True)
    # --nmagic: no padding of the segment to a page offset in the file; the
    # script's PHDRS keep the ELF headers out of every loaded segment.
    for cmd in (["clang-19", f"--target={target}", "-c", source, "-o", obj],
                ["ld.lld-19", "--nmagic", "-T", script, f"--defsym=FLOOR_LOAD={load:#x}", "-o", elf, obj]):
        print("$", shlex.join(cmd), flush=True)
        if subprocess.run(cmd).returncode != 0:
            raise SystemExit(f"mote: building the {arch} floor kernel failed")
    return elf


def _boottime(argv, marker, runs, timeout, echo=True):
    """Median boot ms of `argv` to `marker` with the peers' own boottime.py, or None."""
    script = os.path.join(PEERS_DIR, "bench", "boottime.py")
    cmd = [sys.executable, script, "--runs", str(runs), "--timeout", str(timeout), "--marker", marker, "--"] + argv
    if echo:
        print("$", shlex.join(cmd), flush=True)
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
    result = next((l for l in out.splitlines() if l.startswith("RESULT ")), None)
    data = json.loads(result[len("RESULT "):]) if result else {}
    if data.get("ok") != data.get("runs") or "median_ms" not in data:
        print(out[-1000:])
        return None
    return data


def _peer_argv(peer_arch, transport):
    """The Linux peer's exact QEMU command line (run-linux.sh --print), or None
    if its kernel has not been fetched (linux/get-linux.sh)."""
    script = os.path.join(PEERS_DIR, "linux", "run-linux.sh")
    if not os.path.exists(script):
        return None
    proc = subprocess.run([script, "--print", peer_arch, transport], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True)
    argv = shlex.split(proc.stdout.strip())
    kernel = argv[argv.index("-kernel") + 1] if "-kernel" in argv else ""
    return argv if proc.returncode == 0 and os.path.exists(kernel) else None


def _with_mote(argv, kernel):
    """The peer's command line booting Mote instead: same machine, CPU, memory,
    devices and console; Mote's kernel, no initrd, no command line, and no
    host port forward (the benchmark only boots)."""
    out = []
    skip = False
    for i, a in enumerate(argv):
        if skip:
            skip = False
            continue
        if a in ("-initrd", "-append"):
            skip = True
            continue
        if i > 0 and argv[i - 1] == "-kernel":
            a = kernel
        if a.startswith("user,id=net0,hostfwd="):
            a = "user,id=net0"
        out.append(a)
    return out


def _boot_rounds(variants, runs, timeout):
    """Boot time of each (name, argv, marker) of `variants`, booted in turn,
    one boot each per round, `runs` rounds, the first of a round rotating:
    a slow stretch of the shared host then lands on every variant alike
    instead of on the one measured during it, so their difference (Mote
    minus the floor) is fair. Each boot is one boottime.py run, its command
    printed in the first round. Returns {name: {"median_ms", "min_ms",
    "times_ms"}}, or None for a variant that missed its marker once."""
    import statistics
    times = {name: [] for name, _, _ in variants}
    failed = set()
    for r in range(runs):
        order = variants[r % len(variants):] + variants[:r % len(variants)]
        for name, argv, marker in order:
            if name in failed:
                continue
            data = _boottime(argv, marker, 1, timeout, echo=r == 0)
            if data is None:
                print(f"{name}: {marker!r} not seen")
                failed.add(name)
                continue
            times[name].append(data["median_ms"])
        done = [f"{name} {times[name][-1]:.1f}" for name, _, _ in order if name not in failed]
        if done:
            print(f"round {r}: " + ", ".join(done), flush=True)
    return {name: None if name in failed else
            {"median_ms": round(statistics.median(t), 1), "min_ms": min(t), "times_ms": t}
            for name, t in times.items()}


USER_SHELL_MARKER = "Welcome to Mote."
BOOT_LINE = r"boot: shell ready (\d+\.\d) ms after kernel entry(?: \(before it, firmware and loader: (\d+\.\d) ms\))?"


def _guest_boot(argv, runs=3, timeout=30):
    """Mote's own boot time measured inside the guest: boots `argv` `runs`
    times, asks `uptime` for the boot timeline (core/boot_timeline.hpp) and
    returns the run with the median "shell ready" figure as (total ms,
    firmware ms or None, the steps line), or None if a boot failed. Host
    noise outside the guest (QEMU's start-up, a slow process launch) does
    not enter it; the host's speed while the guest runs still does."""
    import re
    print("$", shlex.join(argv), f"  # then `uptime`; {runs} boots", flush=True)
    found = []
    for _ in range(runs):
        console = _Console(argv)
        try:
            prompt = console.wait_for("mote> ", 0, timeout)
            if prompt:
                console.send("uptime")
            steps = prompt and console.wait_for("boot steps (ms): ", prompt[1], timeout)
            line_end = steps and console.wait_for("\n", steps[1], timeout)
            if not line_end:
                print(console.out.decode(errors="replace")[-1000:])
                return None
            text = line_end[0]
            head = re.search(BOOT_LINE, text[prompt[1]:])
            if not head:
                print(text[-1000:])
                return None
            found.append((float(head.group(1)), float(head.group(2)) if head.group(2) else None,
                          text[steps[1]:line_end[1]].strip()))
        finally:
            console.stop()
    found.sort()
    print("  shell ready (ms after kernel entry): " + ", ".join(f"{f[0]:.1f}" for f in found), flush=True)
    return found[len(found) // 2]


def run_boot(build, build_dir, arches):
    """Boot time to the shell, median of 5, per machine: the full image with
    the command line `./mote run` uses and with the Linux peer's exact QEMU
    flags (its recipe, Mote's kernel), the minimal image and the null kernel
    of tools/floor/ with the peer's flags too (the `./mote run` line when the
    peer's kernel is not fetched), booted in turn; then the Linux peer with
    those flags in the same run when its kernel is present."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import machines
    wanted = [a for a in ("riscv64", "aarch64", "x86_64") if a in arches]
    if wanted:
        build(wanted + [f"{a}-minimal" for a in wanted])
    floors = {a: build_floor(a, build_dir) for a in wanted}
    rows = []
    for arch, machine, target, (peer_arch, transport), published in BOOT_MACHINES:
        if arch not in wanted:
            continue
        folder = build_dir(arch)
        kernel = machines.kernel_path(arch, folder)
        minimal_kernel = machines.kernel_path(arch, build_dir(f"{arch}-minimal"))
        peer_argv = _peer_argv(peer_arch, transport)

        def same_line(image):
            # The command line the judged figure uses: the peer's, else ./mote run's.
            return _with_mote(peer_argv, image) if peer_argv else machines.qemu_argv(arch, image, machine=machine)
        variants = [("floor", same_line(floors[arch]), FLOOR_MARKER),
                    ("mote run", machines.qemu_argv(arch, kernel, machine=machine), "Mote shell")]
        if peer_argv:
            variants.append(("peer flags", _with_mote(peer_argv, kernel), "Mote shell"))
        variants.append(("minimal", same_line(minimal_kernel), "Mote shell"))
        # The same kernel with the initramfs: init, then the user shell, whose
        # first line is the motd (user/etc/motd) right before its prompt.
        initramfs = machines.initramfs_path(folder)
        if os.path.exists(initramfs):
            variants.append(("user shell", same_line(kernel) + ["-initrd", initramfs], USER_SHELL_MARKER))
        print(f"== {arch} {machine or 'virt'}: {', '.join(v[0] for v in variants)}, one boot each in turn, 5 rounds",
              flush=True)
        boots = _boot_rounds(variants, 5, 30)
        if boots["mote run"] is None:
            raise SystemExit(f"mote: {arch} {machine or ''} did not reach the shell in every run")
        # Mote's own part once more, from inside: the boot timeline.
        guest = _guest_boot(variants[2][1] if peer_argv else variants[1][1])
        linux = _boottime(peer_argv, "UDPECHO-READY", 5, 90) if peer_argv else None
        size = os.path.getsize(os.path.join(folder, "mote.stripped.elf"))
        minimal_size = os.path.getsize(os.path.join(build_dir(f"{arch}-minimal"), "mote.stripped.elf"))
        rows.append((f"{arch} {machine or 'virt'}", boots, linux, published, target, size, minimal_size, guest))

    def ms(result, key="median_ms"):
        return f"{result[key]:.1f}" if result else "n/a"
    print()
    print(f"{'machine':16} {'mote run':>9} {'peer flags':>11} {'(min)':>6} {'minimal':>8} {'floor':>7} "
          f"{'mote-floor':>11} {'in-guest':>9} {'Linux':>8} {'ratio':>7} {'target':>14} {'stripped':>9} {'min.bytes':>9}")
    verdicts = []
    timelines = []
    for name, boots, linux, published, target, size, minimal_size, guest in rows:
        own, same, minimal, floor = boots["mote run"], boots.get("peer flags"), boots["minimal"], boots["floor"]
        # The target is judged with the peer's flags when they can be had:
        # the issue asks for the figure next to the Linux guest's. The floor
        # and the minimal image were booted with that same command line.
        judged = (same or own)["median_ms"]
        verdict = f"<= {target}: " + ("met" if judged <= target else "missed")
        linux_ms = f"{linux['median_ms']:.0f}" if linux else f"{published}*"
        ratio = (linux["median_ms"] if linux else published) / judged
        own_part = f"{judged - floor['median_ms']:.1f}" if floor else "n/a"
        in_guest = f"{guest[0]:.1f}" if guest else "n/a"
        print(f"{name:16} {own['median_ms']:9.1f} {ms(same):>11} {ms(same, 'min_ms') if same else '':>6} "
              f"{ms(minimal):>8} {ms(floor):>7} {own_part:>11} {in_guest:>9} {linux_ms:>8} {ratio:6.1f}x {verdict:>14} "
              f"{size:9d} {minimal_size:9d}")
        if guest:
            firmware = f"; before it {guest[1]:.1f} ms of firmware and loader" if guest[1] is not None else ""
            timelines.append(f"{name}: shell ready {guest[0]:.1f} ms after kernel entry{firmware}; steps (ms): {guest[2]}")
        line = f"{name}: target <= {target} ms: full image {judged:.1f} {verdict.split(': ')[1]}"
        if minimal:
            line += (f", minimal image {minimal['median_ms']:.1f} "
                     + ("met" if minimal["median_ms"] <= target else "missed"))
        user = boots.get("user shell")
        if user:
            line += (f", to the user shell {user['median_ms']:.1f} "
                     + ("met" if user["median_ms"] <= target else "missed"))
        if floor:
            # What the host allows: no kernel at all boots in the floor's time.
            line += f"; floor {floor['median_ms']:.1f} (fastest {floor['min_ms']:.1f}), so Mote's own part is {own_part}"
            if minimal:
                line += f" (minimal {minimal['median_ms'] - floor['median_ms']:.1f})"
        verdicts.append(line)
    print("ms are medians of 5 boots to the shell (Mote), FLOOR READY (floor) or UDPECHO-READY (Linux), (min) the")
    print("fastest of the 5 with the peer's flags, i.e. what a quiet host gives; ratio = Linux / Mote with the")
    print("same flags; * = the peer's published figure, because its kernel is not fetched (../shared/peers/linux/")
    print("get-linux.sh) or not every boot of it reached the marker (microvm hangs now and then: the peers' README)")
    print("minimal = the minimal image's boot and floor = the null kernel of tools/floor/ (QEMU, firmware, no kernel),")
    print("both with the command line of the judged figure (the peer's flags, else `./mote run`'s); mote-floor = that")
    print("figure minus the floor, the part of the boot that is Mote's own. Floor, mote run, peer flags and minimal")
    print("were booted in turn, one boot each per round, so host noise falls on all of them alike.")
    print("stripped = the full image (virtio, block layer, IPv4); min.bytes = the same kernel without them (issue 3's")
    print(f"feature set, `./mote build <arch>-minimal`). Size target {BOOT_SIZE_TARGET} bytes for issue 3's kernel: "
          + ", ".join(f"{r[0].split()[0]} {'met' if r[6] <= BOOT_SIZE_TARGET else 'missed'}"
                      for r in rows if not r[0].endswith("q35")))
    print("in-guest = Mote's own part measured inside the guest (`uptime`'s boot timeline, kernel entry to the shell,")
    print("the median of 3 boots with the judged command line); its steps:")
    for line in timelines:
        print("  " + line)
    print("Boot-time targets, judged for the full image (as above) and for issue 3's (the minimal image), and the floor:")
    for line in verdicts:
        print("  " + line)


# The sys suite: system calls from user space, next to the Linux peer's.
# Mote boots user/programs/sysbench.cpp as init (mote.init=bin/sysbench,...;
# the kernel powers off when init ends), which prints one SYSBENCH line per
# benchmark. The Linux peer boots with peer=sys and runs
# ../shared/peers/linux/sysbench.c, whose PEERSYS lines time the same three
# operations (bench-linux-sys.sh). Both run twice: under TCG as it is (wall
# clock: this shared host's load moves it by up to 2x) and under -icount
# shift=0, where QEMU's clock advances one nanosecond per guest instruction,
# so ns_per_op is guest instructions per operation, the same in every boot.
SYS_RUNS = [
    # (benchmark, iterations: the peer's own counts). What one operation is:
    #   null_syscall  Mote: the yield syscall; Linux: getppid()
    #   spawn         Mote: spawn + wait of bin/true; Linux: fork + execve + wait4
    #   map           both: map 1 MiB anonymous, write one byte per 4 KiB page, unmap
    ("null_syscall", 200000),
    ("spawn", 500),
    ("map", 200),
]
SYS_MACHINES = [
    # (arch, x86 machine, the Linux peer's arch and transport). x86_64 runs on
    # microvm, the machine of the peer's mmio recipe; the devices do not
    # matter here, the CPU does.
    ("riscv64", None, "riscv64", "mmio"),
    ("aarch64", None, "arm64", "mmio"),
    ("x86_64", "microvm", "amd64", "mmio"),
]
SYS_WALL_BOOTS = 3
# Issue 11's targets: (benchmark, what it is called there, the most guest
# instructions per operation or None, the largest Mote/Linux ratio). Judged
# on the -icount counts, which the host's load cannot move; the wall-clock
# ratio is printed next to each verdict.
SYS_TARGETS = [
    ("null_syscall", "null syscall", 150, 0.5),
    ("spawn", "spawn+wait vs fork+exec+wait", None, 0.25),
    ("map", "map+touch", None, 1.0),
]
PEER_KERNEL_FILES = {"riscv64": "Image-riscv64", "arm64": "Image-arm64", "amd64": "vmlinuz-amd64"}


def _peers_cache():
    return os.environ.get("PEERS_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "mote-peers")


def _peer_ready(peer_arch, transport):
    folder = os.path.join(_peers_cache(), "linux")
    return all(os.path.exists(os.path.join(folder, f)) for f in
               (PEER_KERNEL_FILES[peer_arch], f"initrd-{peer_arch}-{transport}.cpio.gz", f"sysbench-{peer_arch}"))


def _ensure_peer(peer_arch, transport):
    """True once the peer's kernel, initramfs and sysbench are in
    $PEERS_CACHE, running get-linux.sh (Debian packages) if they are not."""
    if _peer_ready(peer_arch, transport):
        return True
    script = os.path.join(PEERS_DIR, "linux", "get-linux.sh")
    if not os.path.exists(script):
        print(f"Linux peer: {script} not found")
        return False
    cmd = [script, peer_arch]
    print("$", shlex.join(cmd), " # the peer's files are missing", flush=True)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0 or not _peer_ready(peer_arch, transport):
        print(proc.stdout[-2000:])
        print(f"Linux peer: get-linux.sh {peer_arch} failed (exit {proc.returncode}); the Linux column is missing")
        return False
    return True


def _peer_kernel(peer_arch):
    """The peer's kernel package and version, from get-linux.sh's manifest."""
    try:
        with open(os.path.join(_peers_cache(), "linux", f"manifest-{peer_arch}.txt")) as f:
            for line in f:
                if line.startswith("kernel package:"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "Linux"


def _sys_lines(text, prefix):
    """{name: ns_per_op} from the `PREFIX name=... iterations=... ns_per_op=...` lines of a console."""
    import re
    found = {}
    for m in re.finditer(prefix + r" name=(\w+) iterations=(\d+) ns_per_op=([0-9.]+)", text):
        found[m.group(1)] = float(m.group(3))
    return found


def _mote_sys_boot(argv, timeout=120):
    """One boot of Mote with sysbench as init: ({name: ns_per_op}, None), or
    (None, why). A kernel without user space on this machine starts its own
    shell instead: that is seen at its prompt, without waiting for the timeout."""
    import time
    console = _Console(argv)
    why = None
    try:
        deadline = time.monotonic() + timeout
        while True:
            if b"mote> " in console.out:
                why = "no user space: the kernel shell started instead of init"
                break
            if console.proc.poll() is not None:
                console.reader.join(timeout=5)
                break
            if time.monotonic() > deadline:
                why = f"no power-off within {timeout} s"
                break
            time.sleep(0.05)
    finally:
        console.stop()
    text = console.out.decode(errors="replace")
    found = _sys_lines(text, "SYSBENCH")
    if why is None and any(name not in found for name, _ in SYS_RUNS):
        why = "missing SYSBENCH lines"
    if why:
        print(f"mote: sys bench: {why}; the console's end:\n" + text[-1500:])
        return None, why
    return found, None


def _mote_sys(arch, machine, build_dir, icount, boots):
    """Mote's figures: the median of `boots` boots for each benchmark (all
    boots' figures are printed), or (None, why)."""
    import statistics
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import machines
    folder = build_dir(arch)
    spec = ",".join(f"{iterations},{name}" for name, iterations in SYS_RUNS)
    extra = ["-smp", "1"] + (["-icount", "shift=0"] if icount else [])
    argv = machines.qemu_argv(arch, machines.kernel_path(arch, folder), append=f"mote.init=bin/sysbench,{spec}",
                              extra=extra, machine=machine, initrd=machines.initramfs_path(folder))
    print("$", shlex.join(argv), f"  # {boots} boot{'s' if boots > 1 else ''}", flush=True)
    runs = []
    for _ in range(boots):
        found, why = _mote_sys_boot(argv)
        if found is None:
            return None, why
        runs.append(found)
    for name, _ in SYS_RUNS:
        print(f"  SYSBENCH {name}: " + ", ".join(f"{r[name]:.0f}" for r in runs), flush=True)
    return {name: statistics.median(r[name] for r in runs) for name, _ in SYS_RUNS}, None


def _linux_sys(peer_arch, transport, icount):
    """The peer's PEERSYS figures from one bench-linux-sys.sh boot, or (None, why)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import machines
    script = os.path.join(PEERS_DIR, "linux", "bench-linux-sys.sh")
    # The peer keeps a UDP forward it does not use here; any free port will do.
    cmd = [script, peer_arch, transport, str(machines.free_port("udp", 8888))] + (["--icount"] if icount else [])
    print("$", shlex.join(cmd), flush=True)
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        return None, "bench-linux-sys.sh timed out"
    found = _sys_lines(proc.stdout, "PEERSYS")
    for line in proc.stdout.splitlines():
        if line.startswith("PEERSYS "):
            print("  " + line)
    if any(name not in found for name, _ in SYS_RUNS):
        print(proc.stdout[-2000:])
        return None, "missing PEERSYS lines"
    return found, None


def run_sys(build, build_dir, arches):
    """Per arch with user space: Mote's sysbench (wall clock, median of 3
    boots; -icount, one boot: the counts repeat exactly) and the Linux peer
    (one boot each), then a table with the ratios and issue 11's targets."""
    tables = []
    for arch, machine, peer_arch, transport in SYS_MACHINES:
        if arch not in arches:
            continue
        print(f"== {arch} {machine or 'virt'}: sysbench", flush=True)
        import contextlib
        import io
        errors = io.StringIO()
        try:
            with contextlib.redirect_stderr(errors):
                build([arch])
        except SystemExit:
            # A port under construction must not stop the other arches; its
            # compiler output is long, the first error says enough.
            first = next((l for l in errors.getvalue().splitlines() if "error:" in l), "")
            print(f"{arch}: the build failed: {first.strip()}", flush=True)
            tables.append((arch, machine, None, None, None, None, f"the {arch} build failed", None))
            continue
        sys.stderr.write(errors.getvalue())
        wall, why = _mote_sys(arch, machine, build_dir, False, SYS_WALL_BOOTS)
        if wall is None:
            tables.append((arch, machine, None, None, None, None, why, None))
            continue
        icount, why = _mote_sys(arch, machine, build_dir, True, 1)
        if icount is None:
            tables.append((arch, machine, wall, None, None, None, f"-icount: {why}", None))
            continue
        linux_wall = linux_icount = None
        peer_why = "get-linux.sh failed"
        if _ensure_peer(peer_arch, transport):
            linux_wall, peer_why = _linux_sys(peer_arch, transport, False)
            if linux_wall is not None:
                linux_icount, peer_why = _linux_sys(peer_arch, transport, True)
        tables.append((arch, machine, wall, icount, linux_wall, linux_icount, None,
                       None if linux_icount else peer_why))

    print()
    for arch, machine, wall, icount, linux_wall, linux_icount, why, peer_why in tables:
        peer_arch = next(p for a, _, p, _ in SYS_MACHINES if a == arch)
        print(f"{arch} {machine or 'virt'}, QEMU TCG, -smp 1, 128 MiB: Mote's sysbench as init vs "
              f"{_peer_kernel(peer_arch)} (peer=sys)")
        if wall is None:
            print(f"  not measured: {why}")
            continue

        def cell(value, fmt):
            return "missing" if value is None else format(value, fmt)

        def ratio(mote, linux):
            return None if mote is None or linux is None else mote / linux
        print(f"{'':14} {'wall clock, ns/op':^36}   {'-icount shift=0, guest instructions/op':^40}")
        print(f"{'benchmark':14} {'Mote':>10} {'Linux':>12} {'Mote/Linux':>12}   {'Mote':>10} {'Linux':>12} "
              f"{'Mote/Linux':>14}")
        for name, iterations in SYS_RUNS:
            mi = icount.get(name) if icount else None
            li = linux_icount.get(name) if linux_icount else None
            lw = linux_wall.get(name) if linux_wall else None
            print(f"{name:14} {wall[name]:10.0f} {cell(lw, '12.0f'):>12} {cell(ratio(wall[name], lw), '11.2f'):>11}x"
                  f"   {cell(mi, '10.0f'):>10} {cell(li, '12.0f'):>12} {cell(ratio(mi, li), '13.2f'):>13}x")
        print(f"  iterations per boot: {', '.join(f'{n} {i}' for n, i in SYS_RUNS)} (Mote and Linux alike); "
              f"Mote's wall clock: median of {SYS_WALL_BOOTS} boots; Linux: one boot each"
              + (f"; Linux missing: {peer_why}" if peer_why else ""))
        if why:
            print(f"  {why}")
        print("  targets (issue 11, judged on the -icount counts):")
        for name, label, most, largest in SYS_TARGETS:
            mi = icount.get(name) if icount else None
            li = linux_icount.get(name) if linux_icount else None
            lw = linux_wall.get(name) if linux_wall else None
            if most is not None:
                verdict = "missing" if mi is None else ("met" if mi <= most else "not met")
                print(f"    {label} <= {most} guest instructions: {cell(mi, '.0f')}, {verdict}")
            r = ratio(mi, li)
            verdict = "not judged (no Linux figure)" if r is None else ("met" if r <= largest else "not met")
            wall_ratio = ratio(wall[name], lw)
            print(f"    {label} <= {largest}x Linux: {cell(r, '.2f')}x, {verdict}"
                  + (f" (wall clock {wall_ratio:.2f}x)" if wall_ratio is not None else ""))


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
    if "boot" in what:
        run_boot(build, build_dir, arches)
    if "sys" in what:
        run_sys(build, build_dir, arches)
    if "net" in what:
        import bench_net
        bench_net.run_net(build, build_dir, arches)
