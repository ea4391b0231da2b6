#!/usr/bin/env python3
"""Seeds for manifest_fuzz: manifests as tools/sign_manifest.py writes them
(the signature itself does not matter to the decoder, so these carry a
fixed one), an empty list, and near misses: unsorted, a duplicate, a path
with "..", an uppercase digest, a leading zero, bytes after the signature.
Run from anywhere:

    tests/fuzz/make_manifest_seeds.py
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import sign_manifest  # noqa: E402

OUT = os.path.join(ROOT, "tests", "fuzz", "seeds", "manifest_fuzz")
SIGNATURE = b"signature ed25519 " + bytes(range(64)).hex().encode() + b"\n"


def main():
    os.makedirs(OUT, exist_ok=True)
    files = [("bin/sh", b"shell"), ("bin/ls", b""), ("etc/motd", b"hello\n"), ("www/a b.html", b"<p>")]
    body = sign_manifest.unsigned_manifest(files)
    line = b"file " + b"0" * 128 + b" 3 "
    seeds = {
        "tree": body + SIGNATURE,
        "empty_list": sign_manifest.HEADER + SIGNATURE,
        "unsorted": sign_manifest.HEADER + line + b"b\n" + line + b"a\n" + SIGNATURE,
        "duplicate": sign_manifest.HEADER + line + b"a\n" + line + b"a\n" + SIGNATURE,
        "dotdot": sign_manifest.HEADER + line + b"a/../b\n" + SIGNATURE,
        "uppercase": sign_manifest.HEADER + b"file " + b"A" * 128 + b" 3 a\n" + SIGNATURE,
        "leading_zero": sign_manifest.HEADER + b"file " + b"0" * 128 + b" 03 a\n" + SIGNATURE,
        "after_signature": body + SIGNATURE + b"file\n",
        "no_signature": body,
    }
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
