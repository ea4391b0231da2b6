#!/usr/bin/env python3
"""Seeds for cpio_fuzz: small newc archives written with tools/mkcpio.py,
one real directory tree through the tool's own tree walk and hand-listed
entries for the shapes a tree walk cannot make (implied directories,
unsorted order, checksums, block padding), plus a few near misses. Run from
anywhere:

    tests/fuzz/make_cpio_seeds.py
"""
import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import mkcpio  # noqa: E402

OUT = os.path.join(ROOT, "tests", "fuzz", "seeds", "cpio_fuzz")
F = mkcpio.TYPE_REGULAR
D = mkcpio.TYPE_DIRECTORY


def tree_seed():
    """A tree like the initramfs the build makes, via the tool's walk."""
    with tempfile.TemporaryDirectory() as tmp:
        for d in ("bin", "etc/init.d", "empty"):
            os.makedirs(os.path.join(tmp, d))
        files = {"bin/sh": b"\x7fELF shell", "bin/ls": b"\x7fELF ls" * 9, "etc/motd": b"hello\n",
                 "etc/init.d/rc": b"#!/bin/sh\n", "init": b"\x7fELF init"}
        for name, data in files.items():
            with open(os.path.join(tmp, name), "wb") as f:
                f.write(data)
        os.chmod(os.path.join(tmp, "bin/sh"), 0o755)
        return mkcpio.newc_archive(mkcpio.tree_entries(tmp))


def seeds():
    yield "tree", tree_seed()
    yield "trailer_only", mkcpio.newc_archive([])
    yield "implied_dirs", mkcpio.newc_archive(
        [(b"a/b/c", F | 0o644, b"deep"), (b"a/x", F | 0o600, b""), (b"bin/sh", F | 0o755, b"sh"), (b"a", D | 0o700, b"")])
    yield "unsorted", mkcpio.newc_archive(
        [(b"zeta", F | 0o644, b"z"), (b"Alpha", F | 0o644, b"A"), (b"mid", D | 0o755, b""), (b"a0", F | 0o644, b"")])
    yield "checksummed", mkcpio.newc_archive(
        [(b"etc", D | 0o755, b""), (b"etc/motd", F | 0o644, bytes(range(200)))], magic=b"070702")
    yield "block_padded", mkcpio.newc_archive([(b"init", F | 0o755, b"\x7fELF" + bytes(60))], pad=512)
    yield "dots_in_names", mkcpio.newc_archive(
        [(b"...", F | 0o644, b"3"), (b".hidden", F | 0o644, b"h"), (b"a..b/c.d", F | 0o644, b"x")])
    # Near misses: each one change away from valid.
    yield "duplicate", mkcpio.newc_archive([(b"a", F | 0o644, b"1"), (b"a", F | 0o644, b"2")])
    yield "below_a_file", mkcpio.newc_archive([(b"a", F | 0o644, b"1"), (b"a/b", F | 0o644, b"2")])
    yield "dotdot", mkcpio.newc_archive([(b"a/../b", F | 0o644, b"")])
    yield "no_trailer", mkcpio.newc_record("a", F | 0o644, b"data", ino=1)


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in seeds():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
