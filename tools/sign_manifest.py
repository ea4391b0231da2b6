#!/usr/bin/env python3
"""Sign an initramfs: write etc/manifest, the list of every file's SHA-512,
signed with an Ed25519 key, which the kernel checks at boot and before each
spawn (kernel/exec/manifest.hpp, kernel/exec/program_trust.hpp).

    tools/sign_manifest.py --key KEY.pem TREE

The manifest is text, one line each, every line ending in a newline:

    mote-manifest 1
    file <SHA-512, 128 lowercase hex digits> <size in bytes> <path>
    ...
    signature ed25519 <the signature, 128 lowercase hex digits>

"file" lines list every regular file of the tree but etc/manifest itself,
sorted bytewise by path, so a tree has exactly one manifest. The signature
is over every byte before its line. The key is an Ed25519 private key in
PEM (openssl genpkey -algorithm ed25519); openssl signs, and Ed25519 is
deterministic, so the same tree and key give the same bytes every time.

Also a module: tests build manifests for archives they change with
manifest_for().
"""
import argparse
import hashlib
import os
import subprocess
import sys
import tempfile

MANIFEST_PATH = "etc/manifest"
HEADER = b"mote-manifest 1\n"


def unsigned_manifest(files):
    """The manifest's signed part for (path, data) pairs (path str or bytes)."""
    lines = [HEADER]
    listed = []
    for path, data in files:
        if isinstance(path, str):
            path = path.encode()
        if path != MANIFEST_PATH.encode():
            listed.append((path, data))
    for path, data in sorted(listed):
        lines.append(b"file %s %d %s\n" % (hashlib.sha512(data).hexdigest().encode(), len(data), path))
    return b"".join(lines)


def sign(message, key):
    """The Ed25519 signature of `message` by the PEM private key at `key`."""
    with tempfile.TemporaryDirectory() as scratch:
        message_path = os.path.join(scratch, "message")
        signature_path = os.path.join(scratch, "signature")
        with open(message_path, "wb") as f:
            f.write(message)
        subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", key, "-rawin", "-in", message_path,
                        "-out", signature_path], check=True, stdout=subprocess.DEVNULL)
        with open(signature_path, "rb") as f:
            signature = f.read()
    if len(signature) != 64:
        raise SystemExit(f"sign_manifest: {key} is not an Ed25519 key (a {len(signature)}-byte signature)")
    return signature


def manifest_for(files, key):
    """The signed manifest of (path, data) pairs."""
    body = unsigned_manifest(files)
    return body + b"signature ed25519 %s\n" % sign(body, key).hex().encode()


def tree_files(tree):
    files = []
    for directory, subdirectories, names in os.walk(tree):
        subdirectories.sort()
        for name in sorted(names):
            path = os.path.join(directory, name)
            if os.path.isfile(path) and not os.path.islink(path):
                with open(path, "rb") as f:
                    files.append((os.path.relpath(path, tree).replace(os.sep, "/"), f.read()))
    return files


def main(argv=None):
    parser = argparse.ArgumentParser(description="Write and sign an initramfs tree's etc/manifest.")
    parser.add_argument("--key", required=True, help="Ed25519 private key (PEM)")
    parser.add_argument("tree", help="the staged initramfs tree")
    args = parser.parse_args(argv)
    manifest = manifest_for(tree_files(args.tree), args.key)
    target = os.path.join(args.tree, MANIFEST_PATH)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    # Rewritten only when it changes, so an unchanged tree packs to the
    # same archive without touching anything.
    if os.path.exists(target):
        with open(target, "rb") as f:
            if f.read() == manifest:
                return 0
    with open(target + ".tmp", "wb") as f:
        f.write(manifest)
    os.replace(target + ".tmp", target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
