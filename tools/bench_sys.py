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
