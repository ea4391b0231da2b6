"""The Debian packages Mote needs, and installing the missing ones.

Run as root, ensure() installs what is missing with apt-get and says what it
installs; otherwise it prints the one apt-get line to run and exits.
"""
import os
import subprocess
import sys

BUILD = ["clang-19", "lld-19", "llvm-19", "libclang-rt-19-dev", "cmake", "ninja-build", "libgtest-dev",
         "liburing-dev", "python3", "git",
         "openssl"]  # signs the initramfs manifest (tools/sign_manifest.py); the crypto tests cross-check it
DEBUG = ["gdb-multiarch"]  # ./mote debug; one gdb for every ISA, with Python for tools/gdb/mote.py
TEST = ["cpio",  # the initramfs decoder is cross-checked against the real cpio tool
        "e2fsprogs",  # ext2 and jbd2 against mke2fs, debugfs, dumpe2fs and e2fsck
        "iproute2", "curl"] + DEBUG  # Linux's TCP and curl against the hosted kernel on a TAP; gdb: test_debug.py
BENCH = ["libbenchmark-dev"]
QEMU = {
    "riscv64": ["qemu-system-misc", "qemu-system-data"],  # OpenSBI for -bios default is in qemu-system-data
    "aarch64": ["qemu-system-arm"],
    "x86_64": ["qemu-system-x86"],
}


def qemu_for(arch):
    return QEMU.get(arch, [])


def installed(package):
    proc = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True)
    return proc.returncode == 0 and "install ok installed" in proc.stdout


def ensure(packages):
    missing = sorted({p for p in packages if not installed(p)})
    if not missing:
        return
    line = "apt-get install -y " + " ".join(missing)
    if os.geteuid() != 0:
        print(f"mote: missing Debian packages; run: sudo {line}", file=sys.stderr)
        sys.exit(1)
    print(f"mote: installing {' '.join(missing)}", file=sys.stderr, flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq"] + missing):
        proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if proc.returncode != 0:
            sys.stderr.write(proc.stdout)
            print(f"mote: '{' '.join(cmd)}' failed", file=sys.stderr)
            sys.exit(1)
