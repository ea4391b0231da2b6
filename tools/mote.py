#!/usr/bin/env python3
"""mote: build, run, test and benchmark the Mote kernel.

    ./mote run [--arch ARCH] [--disk FILE] [--append CMDLINE] ...
    ./mote test [--quick] [--fuzz-seconds N]
    ./mote debug [--arch ARCH] ...  (QEMU's gdbstub and gdb-multiarch; ./mote console)
    ./mote build [PRESET ...]     (prints each image's SHA-256)
    ./mote bench [WHAT ...]

Every command first checks the Debian packages it needs and installs the
missing ones with apt-get when run as root (printing what it installs), or
prints the one apt-get line to run otherwise.
"""
import argparse
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))

import deps  # noqa: E402
import images  # noqa: E402
import machines  # noqa: E402

HOST_PRESETS = ["host"]
ARCH_PRESETS = machines.BARE_METAL_ARCHES


def log(msg):
    print(f"mote: {msg}", file=sys.stderr, flush=True)


def run_quiet(cmd, what, cwd=ROOT, env=None):
    """Runs cmd; prints its output only if it fails (quiet on success)."""
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout)
        log(f"{what} failed (exit {proc.returncode}): {' '.join(cmd)}")
        sys.exit(proc.returncode or 1)
    return proc.stdout


def build_dir(preset):
    return os.path.join(ROOT, "build", preset)


def build(presets, targets=None):
    for preset in presets:
        bdir = build_dir(preset)
        if not os.path.exists(os.path.join(bdir, "build.ninja")):
            log(f"configuring {preset}")
            run_quiet(["cmake", "--preset", preset], f"configure {preset}")
        log(f"building {preset}")
        cmd = ["ninja", "-C", bdir]
        if targets:
            cmd += targets
        run_quiet(cmd, f"build {preset}")


def available_arches():
    """Bare-metal architectures that have a port in kernel/arch/."""
    return [a for a in ARCH_PRESETS if os.path.isdir(os.path.join(ROOT, "kernel", "arch", a))]


def minimal_presets(arches):
    """The minimal-profile image of each architecture (cmake/kernel_sources.cmake)."""
    return [f"{a}-minimal" for a in arches]


def cmd_build(args):
    deps.ensure(deps.BUILD)
    known = HOST_PRESETS + ["host-release"] + ARCH_PRESETS + minimal_presets(ARCH_PRESETS)
    for preset in args.presets:
        if preset not in known:
            log(f"unknown preset '{preset}' (known: {', '.join(known)})")
            sys.exit(2)
    presets = args.presets or (HOST_PRESETS + available_arches())
    build(presets)
    # What was built, by content: the same commit gives the same hashes on
    # every machine and in every clone (README.md, "Reproducible images").
    for preset in presets:
        bdir = build_dir(preset)
        for name in images.top_level_images(bdir):
            print(f"mote: {preset} {name} sha256 {images.sha256(os.path.join(bdir, name))}", flush=True)


def cmd_run(args):
    arch = args.arch or machines.default_arch(available_arches())
    if arch == "host":
        deps.ensure(deps.BUILD)
        build(["host"], ["mote-hosted"])
        disk = args.disk or os.path.join(build_dir("host"), "scratch.img")
        cmd = [os.path.join(build_dir("host"), "mote-hosted"), "--disk", disk]
        initrd = machines.initrd_for(build_dir("host"), args)
        if initrd:
            cmd += ["--initrd", initrd]
        if args.append:
            cmd += ["--append", args.append]
        log(f"disk: {disk}")
    else:
        deps.ensure(deps.BUILD + deps.qemu_for(arch))
        preset = arch if args.profile == "full" else f"{arch}-minimal"
        build([preset])
        if args.profile == "minimal":
            args.no_net = True  # no network stack in the image
        if not args.no_net and not any(machines.parse_fwd(f)[0] == "udp" and machines.parse_fwd(f)[2] == 7
                                       for f in args.fwd):
            port = machines.free_port("udp", preferred=5007)
            args.fwd.append(f"udp:{port}:7")
        # httpd (a service init starts from etc/services) listens on port 80
        # when the machine boots into user space.
        serving_http = not args.no_net
        if serving_http and not any(machines.parse_fwd(f)[0] == "tcp" and machines.parse_fwd(f)[2] == 80
                                    for f in args.fwd):
            port = machines.free_port("tcp", preferred=8080)
            args.fwd.append(f"tcp:{port}:80")
        for spec in args.fwd:
            proto, host, guest = machines.parse_fwd(spec)
            log(f"forwarding {proto} 127.0.0.1:{host} -> guest port {guest}"
                + (" (UDP echo service)" if (proto, guest) == ("udp", 7) else "")
                + (f" (httpd: http://127.0.0.1:{host}/)" if (proto, guest) == ("tcp", 80) and serving_http else ""))
        cmd = machines.qemu_command(arch, build_dir(preset), args)
        log("QEMU: " + " ".join(cmd))
    os.execvp(cmd[0], cmd)


def cmd_debug(args):
    import debug
    arch = args.arch or machines.default_arch(available_arches())
    if arch == "host":
        log("debug: the hosted kernel is an ordinary process: run build/host/mote-hosted under gdb")
        sys.exit(2)
    deps.ensure(deps.BUILD + deps.qemu_for(arch) + deps.DEBUG)
    preset = arch if args.profile == "full" else f"{arch}-minimal"
    build([preset])
    if args.profile == "minimal":
        args.no_net = True  # no network stack in the image
    sys.exit(debug.run(arch, build_dir(preset), args, log))


def cmd_console(args):
    import console
    import debug
    arch = args.arch or machines.default_arch(available_arches())
    preset = arch if args.profile == "full" else f"{arch}-minimal"
    console.run(debug.console_file(build_dir(preset)), log)


def cmd_test(args):
    deps.ensure(deps.BUILD + deps.TEST + [p for a in available_arches() for p in deps.qemu_for(a)])
    presets = HOST_PRESETS + available_arches() + minimal_presets(available_arches())
    build(presets)
    bdir = build_dir("host")
    env = dict(os.environ)
    ctest = ["ctest", "--test-dir", bdir, "--output-on-failure", "-j2"]
    if args.fuzz_seconds is not None:
        run_quiet(["cmake", "-DMOTE_FUZZ_SECONDS=%d" % args.fuzz_seconds, bdir], "reconfigure")
    if args.quick:
        ctest += ["-LE", "fuzz"]
    log("running tests")
    proc = subprocess.run(ctest, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = proc.stdout
    # Quiet on success: the summary only. Everything on failure.
    if proc.returncode != 0:
        sys.stdout.write(out)
    else:
        lines = out.splitlines()
        start = next((i for i, l in enumerate(lines) if "tests passed" in l), max(0, len(lines) - 3))
        print("\n".join(lines[start:]))
    passed, failed = summarize(out)
    print(f"{passed} passed, {failed} failed")
    sys.exit(proc.returncode or (1 if failed or passed == 0 else 0))


def summarize(ctest_output):
    """(passed, failed) from CTest's closing "N% tests passed, F tests failed out of T" line."""
    import re
    m = re.search(r"(\d+)% tests passed, (\d+) tests? failed out of (\d+)", ctest_output)
    if not m:
        return 0, 1  # no summary at all is a failure
    failed, total = int(m.group(2)), int(m.group(3))
    return total - failed, failed


def cmd_bench(args):
    import bench
    deps.ensure(deps.BUILD + deps.BENCH)
    bench.main(args, build, build_dir, available_arches())


def main():
    parser = argparse.ArgumentParser(prog="mote", description="Build, run, test and benchmark the Mote kernel.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("run", help="boot a machine into the shell (default: riscv64, or host if no port is built)")
    p.add_argument("--arch", choices=["host"] + ARCH_PRESETS)
    p.add_argument("--disk", help="raw image attached as the first block device (created if missing)")
    p.add_argument("--append", help="kernel command line, e.g. 'mote.log=debug'")
    p.add_argument("--profile", choices=["full", "minimal"], default="full",
                   help="bare-metal image: full (default) or minimal (no drivers, block layer or network)")
    machines.add_run_options(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("debug", help="boot a machine halted under QEMU's gdbstub and debug it with gdb-multiarch")
    p.add_argument("--arch", choices=ARCH_PRESETS)
    p.add_argument("--disk", help="raw image attached as the first block device (created if missing)")
    p.add_argument("--append", help="kernel command line, e.g. 'mote.log=debug'")
    p.add_argument("--profile", choices=["full", "minimal"], default="full",
                   help="bare-metal image: full (default) or minimal (no drivers, block layer or network)")
    machines.add_run_options(p)
    p.set_defaults(func=cmd_debug)

    p = sub.add_parser("console", help="the serial console of the machine ./mote debug runs (Ctrl-] quits)")
    p.add_argument("--arch", choices=ARCH_PRESETS)
    p.add_argument("--profile", choices=["full", "minimal"], default="full")
    p.set_defaults(func=cmd_console)

    p = sub.add_parser("test", help="build everything and run every test")
    p.add_argument("--quick", action="store_true", help="skip the fuzz targets")
    p.add_argument("--fuzz-seconds", type=int, help="seconds per fuzz target (default 20)")
    p.set_defaults(func=cmd_test)

    p = sub.add_parser("build", help="build presets (default: all) and print each image's SHA-256")
    p.add_argument("presets", nargs="*", help="host, host-release, " + ", ".join(ARCH_PRESETS))
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("bench", help="run benchmarks and print figures for docs/PERFORMANCE.md")
    p.add_argument("what", nargs="*", help="core, blk, net, http, tcp, boot, sys, fs (default: all)")
    p.set_defaults(func=cmd_bench)

    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
