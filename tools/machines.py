"""QEMU machines for each bare-metal architecture: the command lines that
`./mote run`, the QEMU tests and the benchmarks share."""

BARE_METAL_ARCHES = ["riscv64", "aarch64", "x86_64"]


def default_arch(available):
    """riscv64 once its port exists; the hosted kernel until then."""
    return "riscv64" if "riscv64" in available else "host"


def add_run_options(parser):
    """Options of `./mote run` that only bare-metal machines use."""
    parser.add_argument("--memory", default="128M", help="guest RAM (QEMU -m)")


def qemu_command(arch, build_dir, args):
    raise SystemExit(f"mote: no QEMU machine defined for {arch} yet")
