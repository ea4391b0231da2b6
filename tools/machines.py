"""QEMU machines for each bare-metal architecture: the command lines that
`./mote run`, the QEMU tests (tests/qemu/) and the benchmarks share.

One function builds every command line, qemu_argv(); `./mote run` feeds it
from its options, the tests call it directly. To add devices (virtio disks,
network, ...) extend device_args() and add_run_options(): nothing else needs
to change.
"""
import atexit
import os
import tempfile

BARE_METAL_ARCHES = ["riscv64", "aarch64", "x86_64"]

# Per architecture: the QEMU binary, the machine arguments, and the kernel
# file QEMU is given (relative to the build folder). riscv64 boots the ELF
# through OpenSBI (-bios default, from Debian's qemu-system-data); aarch64
# boots the raw image whose arm64 Image header tells QEMU where to load it
# and to pass the devicetree in x0. Every machine runs with -nodefaults, as
# the Linux peer recipes do: QEMU adds no NIC, VGA or option ROM of its own,
# so the guest has exactly the devices device_args() lists, and the serial
# console (with QEMU's monitor on Ctrl-A c) is on stdio. -rtc base=utc
# (QEMU's default, spelled out because the kernel relies on it): the
# real-time clock each machine has (riscv64 virt's Goldfish RTC, aarch64
# virt's PL031, the PC's CMOS clock) starts at the host's UTC time, which is
# what the kernel's wall clock takes it for (core/wall_clock.hpp); a later
# -rtc base=... (tests/qemu/test_date.py) overrides it.
MACHINES = {
    "riscv64": {
        "qemu": "qemu-system-riscv64",
        "machine": ["-M", "virt", "-bios", "default", "-nodefaults", "-serial", "mon:stdio", "-rtc", "base=utc"],
        "kernel": "mote.elf",
        "cpus": [],
    },
    "aarch64": {
        "qemu": "qemu-system-aarch64",
        "machine": ["-M", "virt,gic-version={gic}", "-nodefaults", "-serial", "mon:stdio", "-rtc", "base=utc"],
        "kernel": "mote.bin",
        "cpus": ["cortex-a72", "max"],
    },
    # x86_64 boots the ELF through QEMU's PVH loader (the Xen PHYS32_ENTRY
    # note): on q35 and pc via SeaBIOS and its PVH option ROM, on microvm via
    # qboot. -nodefaults: no VGA and no default NIC, so no option ROMs to
    # load; the console is COM1 on stdio.
    "x86_64": {
        "qemu": "qemu-system-x86_64",
        "machine": ["-M", "{machine}", "-nodefaults", "-serial", "mon:stdio", "-rtc", "base=utc"],
        "kernel": "mote.elf",
        "cpus": ["qemu64", "max"],
    },
}

# x86_64 machines, and the virtio transport each one has. pc (i440fx) has
# no MCFG: its PCI configuration space is reached through ports 0xcf8/0xcfc.
X86_MACHINES = {"q35": "pci", "pc": "pci", "microvm": "mmio"}
DEFAULT_X86_MACHINE = "q35"

DEFAULT_MEMORY = "128M"
DEFAULT_GIC = "3"


def default_arch(available):
    """riscv64 once its port exists; the hosted kernel until then."""
    return "riscv64" if "riscv64" in available else "host"


def add_run_options(parser):
    """Options of `./mote run` that only bare-metal machines use."""
    parser.add_argument("--memory", default=DEFAULT_MEMORY, help="guest RAM (QEMU -m), e.g. 16M .. 2G")
    parser.add_argument("--cpu", help="aarch64 CPU model: cortex-a72 (default) or max")
    parser.add_argument("--gic", choices=["2", "3"], help="aarch64 interrupt controller version (default 3)")
    parser.add_argument("--machine", choices=sorted(X86_MACHINES),
                        help=f"x86_64 machine: q35 (virtio-pci, ECAM), pc (i440fx: virtio-pci, ports 0xcf8/0xcfc) "
                             f"or microvm (virtio-mmio); default {DEFAULT_X86_MACHINE}")
    parser.add_argument("--accel", choices=["tcg", "kvm"], default="tcg",
                        help="x86_64 accelerator: tcg (default; what every test uses) or kvm (only if /dev/kvm exists)")
    parser.add_argument("--initrd", metavar="FILE",
                        help="initramfs (newc cpio) to boot with; default: the build's initramfs.cpio, whose "
                             "bin/init starts the user shell")
    parser.add_argument("--qemu-arg", action="append", default=[], metavar="ARG",
                        help="extra argument passed to QEMU as is (repeatable)")
    parser.add_argument("--transport", choices=TRANSPORTS, default=None,
                        help="how the virtio devices attach: mmio (virtio-mmio version 2, the default), "
                             "mmio-legacy (version 1) or pci (virtio-pci behind the ECAM host bridge); "
                             "on x86_64 the machine decides (q35, pc: pci; microvm: mmio)")
    parser.add_argument("--disk-cache", default=None, metavar="MODE",
                        help="QEMU cache= mode of the disk (none, writeback, ...); QEMU's default if unset")
    parser.add_argument("--no-net", action="store_true", help="no virtio-net device")
    parser.add_argument("--fwd", action="append", default=[], metavar="PROTO:HOST:GUEST",
                        help="forward host port HOST on 127.0.0.1 to guest port GUEST, PROTO udp or tcp "
                             "(repeatable); ./mote run always forwards a UDP port to the echo service")


def kernel_path(arch, build_dir):
    return os.path.join(build_dir, MACHINES[arch]["kernel"])


def kernel_from_elf(arch, elf):
    """The file to boot for a kernel ELF path (tests are given the ELF)."""
    return os.path.join(os.path.dirname(elf), MACHINES[arch]["kernel"])


TRANSPORTS = ["mmio", "mmio-legacy", "pci"]
SCRATCH_DISK_BYTES = 64 << 20
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


_private_scratch = None


def use_private_scratch():
    """From now on the default disk is a scratch image of this process's own
    (in the temporary folder, removed at exit) instead of the shared
    build/<arch>/scratch.img: tests call this, since QEMU locks an image
    for writing, and two tests of one ISA running at once would otherwise
    fight over the shared one."""
    global _private_scratch
    if _private_scratch is None:
        _private_scratch = {}


def _remove_quietly(path):
    try:
        os.unlink(path)
    except OSError:
        pass


def scratch_disk(arch):
    """build/<arch>/scratch.img, a 64 MiB raw image, created if missing (or,
    after use_private_scratch(), this process's own)."""
    if _private_scratch is not None:
        if arch not in _private_scratch:
            fd, path = tempfile.mkstemp(prefix=f"mote-scratch-{arch}-", suffix=".img")
            os.ftruncate(fd, SCRATCH_DISK_BYTES)
            os.close(fd)
            atexit.register(_remove_quietly, path)
            _private_scratch[arch] = path
        return _private_scratch[arch]
    path = os.path.join(REPO, "build", arch, "scratch.img")
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.truncate(SCRATCH_DISK_BYTES)
    return path


def device_args(arch, options):
    """QEMU arguments for the virtio devices: the disk (--disk FILE, raw, as
    the first block device; default build/<arch>/scratch.img), an entropy
    source and a network card on user networking, all on the transport that
    --transport names. Options that are absent (the tests pass their own
    namespace) take their defaults."""
    transport = getattr(options, "transport", None) or default_transport(arch, getattr(options, "machine", None))
    if transport not in TRANSPORTS:
        raise SystemExit(f"mote: unknown transport {transport} (use {', '.join(TRANSPORTS)})")
    disk = getattr(options, "disk", None) or scratch_disk(arch)
    suffix = "pci" if transport == "pci" else "device"
    argv = []
    if transport != "pci":
        # QEMU's virtio-mmio speaks the legacy register layout unless told.
        legacy = "true" if transport == "mmio-legacy" else "false"
        argv += ["-global", f"virtio-mmio.force-legacy={legacy}"]
    drive = f"file={disk},if=none,id=vda,format=raw"
    cache = getattr(options, "disk_cache", None)
    if cache:
        drive += f",cache={cache}"
    argv += ["-drive", drive, "-device", f"virtio-blk-{suffix},drive=vda,serial=mote-vda",
             "-device", f"virtio-rng-{suffix}"]
    if not getattr(options, "no_net", False):
        # romfile=: no iPXE option ROM for SeaBIOS to load (x86 q35 and pc).
        rom = ",romfile=" if transport == "pci" and arch == "x86_64" else ""
        netdev = "user,id=net0" + "".join(hostfwd(f) for f in getattr(options, "fwd", None) or [])
        argv += ["-netdev", netdev, "-device", f"virtio-net-{suffix},netdev=net0{rom}"]
    return argv


def parse_fwd(spec):
    """"udp:5007:7" -> ("udp", 5007, 7); SystemExit with the reason otherwise."""
    parts = spec.split(":")
    try:
        proto, host, guest = parts[0], int(parts[1]), int(parts[2])
    except (IndexError, ValueError):
        raise SystemExit(f"mote: bad --fwd '{spec}' (use udp:HOST:GUEST or tcp:HOST:GUEST)")
    if len(parts) != 3 or proto not in ("udp", "tcp") or not (0 < host < 65536 and 0 < guest < 65536):
        raise SystemExit(f"mote: bad --fwd '{spec}' (use udp:HOST:GUEST or tcp:HOST:GUEST, ports 1-65535)")
    return proto, host, guest


def hostfwd(spec):
    """QEMU user-network forward of 127.0.0.1:HOST to the guest's GUEST port
    (loopback only: nothing outside this machine can reach the guest)."""
    proto, host, guest = parse_fwd(spec)
    return f",hostfwd={proto}:127.0.0.1:{host}-:{guest}"


def free_port(proto="udp", preferred=None):
    """A port on 127.0.0.1 that nothing is bound to right now: `preferred`
    if it is free, else one the kernel picks."""
    import socket
    kind = socket.SOCK_DGRAM if proto == "udp" else socket.SOCK_STREAM
    for port in ([preferred] if preferred else []) + [0]:
        with socket.socket(socket.AF_INET, kind) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise SystemExit("mote: no free port on 127.0.0.1")


def default_transport(arch, machine=None):
    """mmio, except on x86_64 where the machine has only one: q35 and pc pci, microvm mmio."""
    if arch == "x86_64":
        return X86_MACHINES[machine or DEFAULT_X86_MACHINE]
    return "mmio"


def x86_accel_args(accel):
    """-accel for x86_64: KVM only when asked for and /dev/kvm exists."""
    if accel == "kvm":
        if not os.path.exists("/dev/kvm"):
            raise SystemExit("mote: --accel kvm: /dev/kvm does not exist on this host")
        # The CPU model stays qemu64 (or --cpu): on this nested host QEMU
        # 7.2 cannot set -cpu host's IA32_ARCH_CAPABILITIES and aborts.
        return ["-accel", "kvm"]
    return ["-accel", "tcg"]


def qemu_argv(arch, kernel, memory=DEFAULT_MEMORY, append=None, cpu=None, gic=None, extra=(), devices=(),
              machine=None, accel=None, initrd=None):
    """The full QEMU command line: serial console on stdio, no display."""
    if arch not in MACHINES:
        raise SystemExit(f"mote: no QEMU machine defined for {arch} yet")
    m = MACHINES[arch]
    machine_args = [a.format(gic=gic or DEFAULT_GIC, machine=machine or DEFAULT_X86_MACHINE) for a in m["machine"]]
    argv = [m["qemu"]] + machine_args
    if arch == "x86_64":
        argv += x86_accel_args(accel or "tcg")
    if m["cpus"]:
        argv += ["-cpu", cpu or m["cpus"][0]]
    argv += ["-m", memory, "-nographic", "-kernel", kernel]
    if initrd:
        argv += ["-initrd", initrd]
    if append:
        argv += ["-append", append]
    argv += list(devices) + list(extra)
    return argv


def initramfs_path(build_dir):
    """The initramfs the build makes next to the kernel (user/CMakeLists.txt)."""
    return os.path.join(build_dir, "initramfs.cpio")


def initrd_for(build_dir, args):
    """--initrd FILE, else the build's own initramfs (if it has one)."""
    if getattr(args, "initrd", None):
        return args.initrd
    path = initramfs_path(build_dir)
    return path if os.path.exists(path) else None


def qemu_command(arch, build_dir, args):
    """`./mote run --arch ARCH ...`"""
    return qemu_argv(arch, kernel_path(arch, build_dir), memory=args.memory, append=getattr(args, "append", None),
                     cpu=args.cpu, gic=args.gic, extra=args.qemu_arg, devices=device_args(arch, args),
                     machine=getattr(args, "machine", None), accel=getattr(args, "accel", None),
                     initrd=initrd_for(build_dir, args))
