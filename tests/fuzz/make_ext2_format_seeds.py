#!/usr/bin/env python3
"""Seeds for ext2_format_fuzz: the smallest images mke2fs makes (ext2 with 1,
2 and 4 KiB blocks, several groups, an indexed directory, ext3 with its
journal), each
populated with mke2fs -d from a small tree (files, a subdirectory, fast and
slow symlinks, a hard link). Trailing zero bytes are cut: the fuzzer reads
past the end of its input as zeros, so the image means the same and the
seed stays small. Needs e2fsprogs. Run from anywhere:

    tests/fuzz/make_ext2_format_seeds.py
"""
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fuzz", "seeds", "ext2_format_fuzz")


def make_tree(root, many=0):
    os.makedirs(os.path.join(root, "dir", "sub"))
    files = {"hello": b"hello, ext2\n", "dir/data": bytes(range(256)) * 14, "dir/sub/empty": b""}
    for name, data in files.items():
        with open(os.path.join(root, name), "wb") as f:
            f.write(data)
    os.symlink("dir/sub/empty", os.path.join(root, "fast"))
    os.symlink("d" * 80, os.path.join(root, "slow"))
    os.link(os.path.join(root, "hello"), os.path.join(root, "dir", "hello-again"))
    if many:
        os.makedirs(os.path.join(root, "many"))
        for i in range(many):
            open(os.path.join(root, "many", "entry_%04d" % i), "wb").close()


def image(tmp, name, size_kib, mkfs_args, many=0, index=False, journal_kib=0):
    tree = os.path.join(tmp, name + ".tree")
    make_tree(tree, many)
    path = os.path.join(tmp, name + ".img")
    with open(path, "wb") as f:
        f.truncate(size_kib * 1024)
    subprocess.run(["mke2fs", "-q", "-F", "-E", "root_owner=0:0"] + mkfs_args + ["-d", tree, path], check=True,
                   stdout=subprocess.DEVNULL)
    if journal_kib:
        # Added after the tree so that the files sit before the journal and
        # the zeros of its unused blocks end the image.
        subprocess.run(["tune2fs", "-j", "-J", "size=%d" % (journal_kib // 1024), path], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if index:
        # mke2fs -d does not index directories; e2fsck -D does (exit 1: fixed).
        if subprocess.run(["e2fsck", "-fyD", path], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode > 1:
            raise SystemExit("e2fsck -D failed")
    with open(path, "rb") as f:
        return f.read().rstrip(b"\0")


def seeds(tmp):
    yield "ext2-1k", image(tmp, "ext2-1k", 64, ["-t", "ext2", "-b", "1024", "-N", "24", "-O", "^dir_index"])
    yield "ext2-2k", image(tmp, "ext2-2k", 128, ["-t", "ext2", "-b", "2048", "-N", "32", "-I", "256"])
    yield "ext2-4k", image(tmp, "ext2-4k", 256, ["-t", "ext2", "-b", "4096", "-N", "32"])
    yield "ext2-1k-groups", image(tmp, "ext2-1k-groups", 320,
                                  ["-t", "ext2", "-b", "1024", "-N", "48", "-g", "256", "-O", "^resize_inode"])
    yield "ext2-1k-index", image(tmp, "ext2-1k-index", 128, ["-t", "ext2", "-b", "1024", "-N", "96"], many=70,
                                 index=True)
    # ext3: made as ext2, the journal added by tune2fs (as mke2fs -t ext3 would
    # put it, but after the tree's blocks).
    yield "ext3-4k", image(tmp, "ext3-4k", 10240, ["-t", "ext2", "-b", "4096", "-N", "32"], journal_kib=4096)

def main():
    os.makedirs(OUT, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in seeds(tmp):
            with open(os.path.join(OUT, name), "wb") as f:
                f.write(data)
            print(f"{name}: {len(data)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
