"""./mote bench sys: system calls from user space against the Linux peer's."""
import os
import shlex
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_guest import PEERS_DIR, _Console  # noqa: E402


# The sys suite: system calls from user space, next to the Linux peer's.
# Mote boots user/programs/sysbench.cpp as init (mote.init=bin/sysbench,...;
# the kernel powers off when init ends), which prints one SYSBENCH line per
# benchmark. The Linux peer boots with peer=sys and runs
# ../shared/peers/linux/sysbench.c, whose PEERSYS lines time the same
# operations, or the nearest Linux has (bench-linux-sys.sh). Both run twice: under TCG as it is (wall
# clock: this shared host's load moves it by up to 2x) and under -icount
# shift=0, where QEMU's clock advances one nanosecond per guest instruction,
# so ns_per_op is guest instructions per operation, the same in every boot.
SYS_RUNS = [
    # (benchmark, iterations: the peer's own counts where it has one, the
    # peer's benchmark it is set against or None). What one operation is:
    #   null_syscall  Mote: the yield syscall; Linux: getppid()
    #   spawn         Mote: spawn + wait of bin/true; Linux: fork + execve + wait4
    #   map           both: map 1 MiB anonymous, write one byte per 4 KiB page, unmap
    #   channel_pingpong  Mote: a 1-byte message to a child and back over a
    #                 channel (channel_send + channel_recv on each side);
    #                 Linux (pipe_pingpong): 1 byte to a forked child and back
    #                 over two pipes (write + read on each side)
    #   channel_call  Mote: the same round trip as one channel_call on each
    #                 side (the child answers and waits for the next request
    #                 in one call); Linux: the same pipe_pingpong
    #   ring_batch    Mote only: 32 reads of 64 bytes submitted through the
    #                 submission ring, one ring_enter (one op = the batch)
    #   read_batch    Mote only: the same 32 reads as 32 read syscalls
    ("null_syscall", 200000, "null_syscall"),
    ("spawn", 500, "spawn"),
    ("map", 200, "map"),
    ("channel_pingpong", 20000, "pipe_pingpong"),
    ("channel_call", 20000, "pipe_pingpong"),
    ("ring_batch", 2000, None),
    ("read_batch", 2000, None),
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
# The issues' targets: (issue, benchmark, what it is called there, the most
# guest instructions per operation or None, the largest Mote/Linux ratio,
# the clock that ratio is judged on). Issue 11's ratios are judged on the
# -icount counts, which the host's load cannot move (the wall-clock ratio is
# printed next to each verdict); issue 12 states its channel ratio in time,
# so that one is judged on the wall clock (the count ratio printed next to it).
SYS_TARGETS = [
    (11, "null_syscall", "null syscall", 150, 0.5, "icount"),
    (11, "spawn", "spawn+wait vs fork+exec+wait", None, 0.25, "icount"),
    (11, "map", "map+touch", None, 1.0, "icount"),
    (12, "channel_pingpong", "channel round trip, send + recv (Linux: pipe round trip)", 1200, 0.5, "wall"),
    (12, "channel_call", "channel round trip, one channel_call a side (Linux: pipe round trip)", 1200, 0.5, "wall"),
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
    (None, why). A kernel that cannot start sysbench says so and powers off."""
    import time
    console = _Console(argv)
    why = None
    try:
        deadline = time.monotonic() + timeout
        while True:
            if "no init: " in console.text():
                why = "the kernel could not start sysbench as init"
                break
            if console.proc.poll() is not None:
                console.output.join(5)
                break
            if time.monotonic() > deadline:
                why = f"no power-off within {timeout} s"
                break
            time.sleep(0.05)
    finally:
        console.stop()
    text = console.text()
    found = _sys_lines(text, "SYSBENCH")
    if why is None and any(name not in found for name, _, _ in SYS_RUNS):
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
    spec = ",".join(f"{iterations},{name}" for name, iterations, _ in SYS_RUNS)
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
    for name, _, _ in SYS_RUNS:
        print(f"  SYSBENCH {name}: " + ", ".join(f"{r[name]:.0f}" for r in runs), flush=True)
    return {name: statistics.median(r[name] for r in runs) for name, _, _ in SYS_RUNS}, None


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
    if any(linux_name not in found for _, _, linux_name in SYS_RUNS if linux_name):
        print(proc.stdout[-2000:])
        return None, "missing PEERSYS lines"
    return found, None


def run_sys(build, build_dir, arches):
    """Per arch with user space: Mote's sysbench (wall clock, median of 3
    boots; -icount, one boot: the counts repeat exactly) and the Linux peer
    (one boot each), then a table with the ratios and the issues' targets."""
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

        def times(value, fmt):
            return "missing" if value is None else format(value, fmt) + "x"
        width = max(len(f"{n} ({l})") if l not in (None, n) else len(n) for n, _, l in SYS_RUNS)
        print(f"{'':{width}} {'wall clock, ns/op':^36}   {'-icount shift=0, guest instructions/op':^40}")
        print(f"{'benchmark (Linux)':{width}} {'Mote':>10} {'Linux':>12} {'Mote/Linux':>12}   {'Mote':>10} {'Linux':>12} "
              f"{'Mote/Linux':>14}")

        def figures(name, linux_name):
            """(Mote wall, Linux wall, Mote count, Linux count); None where missing."""
            def linux(table):
                return table.get(linux_name) if table and linux_name else None
            return (wall.get(name), linux(linux_wall), icount.get(name) if icount else None, linux(linux_icount))

        for name, iterations, linux_name in SYS_RUNS:
            mw, lw, mi, li = figures(name, linux_name)
            label = name if linux_name in (None, name) else f"{name} ({linux_name})"
            print(f"{label:{width}} {mw:10.0f} {cell(lw, '.0f') if linux_name else '-':>12} "
                  f"{times(ratio(mw, lw), '.2f') if linux_name else '-':>12}"
                  f"   {cell(mi, '.0f'):>10} {cell(li, '.0f') if linux_name else '-':>12} "
                  f"{times(ratio(mi, li), '.2f') if linux_name else '-':>14}")
        # The ring against the plain syscalls, per read and as a ratio.
        if "ring_batch" in wall and "read_batch" in wall:
            ring_i = icount.get("ring_batch") if icount else None
            plain_i = icount.get("read_batch") if icount else None
            print(f"  32 reads: ring/plain {ratio(wall['ring_batch'], wall['read_batch']):.2f}x wall clock, "
                  f"{times(ratio(ring_i, plain_i), '.2f')} guest instructions; per read: ring "
                  f"{wall['ring_batch'] / 32:.0f} ns, {cell(ring_i and ring_i / 32, '.0f')} instructions; plain "
                  f"{wall['read_batch'] / 32:.0f} ns, {cell(plain_i and plain_i / 32, '.0f')} instructions")
        print(f"  iterations per boot: {', '.join(f'{n} {i}' for n, i, _ in SYS_RUNS)} (Linux: its own, the same "
              f"where it has the benchmark); Mote's wall clock: median of {SYS_WALL_BOOTS} boots; Linux: one boot each"
              + (f"; Linux missing: {peer_why}" if peer_why else ""))
        if why:
            print(f"  {why}")
        for issue in sorted({t[0] for t in SYS_TARGETS}):
            print(f"  targets (issue {issue}):")
            for _, name, label, most, largest, clock in (t for t in SYS_TARGETS if t[0] == issue):
                linux_name = next(l for n, _, l in SYS_RUNS if n == name)
                mw, lw, mi, li = figures(name, linux_name)
                if most is not None:
                    verdict = "missing" if mi is None else ("met" if mi <= most else "not met")
                    print(f"    {label} <= {most} guest instructions: {cell(mi, '.0f')}, {verdict}")
                judged, other = (ratio(mi, li), ratio(mw, lw)) if clock == "icount" else (ratio(mw, lw), ratio(mi, li))
                other_clock = "wall clock" if clock == "icount" else "-icount"
                verdict = "not judged (no Linux figure)" if judged is None else ("met" if judged <= largest else "not met")
                print(f"    {label} <= {largest}x Linux ({'-icount' if clock == 'icount' else 'wall clock'}): "
                      f"{times(judged, '.2f')}, {verdict}"
                      + (f" ({other_clock} {other:.2f}x)" if other is not None else ""))
