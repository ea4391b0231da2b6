#!/usr/bin/env python3
"""Storage from user space on a real virtio disk: an ext3 image made by the
host's mke2fs is mounted at /mnt before init starts; programs read and
change it (redirections, mkdir, cp, mv, ln, rm), the kernel writes it back
at power-off, and from the host debugfs sees the changes and e2fsck finds
the image clean and marked cleanly unmounted. Then the same disk is the
root (mote.root=vda) and a file written at / reaches it.

Usage: test_storage.py --arch ARCH --kernel ELF [--machine M] [--gic N] [--cpu C]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

import qemu_harness
import machines  # noqa: E402 (qemu_harness put tools/ on the path)


def make_image(tmp):
    tree = os.path.join(tmp, "tree")
    os.makedirs(os.path.join(tree, "docs", "deep"))
    with open(os.path.join(tree, "hello.txt"), "w") as f:
        f.write("hello from the host\n")
    with open(os.path.join(tree, "docs", "deep", "notes.txt"), "w") as f:
        f.write("".join(f"line {i}\n" for i in range(2000)))  # ~17 KiB: indirect blocks at 1 KiB
    os.symlink("docs/deep/notes.txt", os.path.join(tree, "notes"))
    image = os.path.join(tmp, "disk.img")
    with open(image, "wb") as f:
        f.truncate(16 << 20)
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext3", "-b", "1024", "-L", "motedisk", "-d", tree, image],
                   check=True)
    return image


def fsck(image):
    r = subprocess.run(["e2fsck", "-fn", image], capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


def main():
    args = qemu_harness.parse_args(__doc__, timeout=180)
    if not shutil.which("mke2fs") or not shutil.which("e2fsck"):
        print("SKIP: e2fsprogs not installed")
        return 77
    tmp = tempfile.mkdtemp()
    try:
        image = make_image(tmp)
        options = argparse.Namespace(disk=image, no_net=True, machine=getattr(args, "machine", None))
        q = qemu_harness.Qemu(args, initrd=True, devices=machines.device_args(args.arch, options))
        try:
            run = qemu_harness.Shell(q).run
            out = run("cat mnt/hello.txt")
            if "hello from the host" not in out:
                q.fail(f"cat mnt/hello.txt: {out!r}")
            out = run("ls mnt")
            for name in ("hello.txt", "docs", "notes", "lost+found"):
                if name not in out:
                    q.fail(f"ls mnt lacks {name}: {out!r}")
            out = run("cat mnt/docs/deep/notes.txt")
            if "line 0" not in out or "line 1999" not in out:
                q.fail("the long file did not read back whole")
            # Changes from the shell's programs, checked from the host below.
            for command in ("echo written by mote > mnt/new.txt", "mkdir mnt/made", "cp mnt/hello.txt mnt/made/copy",
                            "mv mnt/notes mnt/made/notes-link", "ln mnt/new.txt mnt/hard", "rm mnt/docs/deep/notes.txt",
                            "echo more >> mnt/new.txt", "sync"):
                out = run(command)
                if "Error" in out or "NotFound" in out or "denied" in out.lower():
                    q.fail(f"{command}: {out!r}")
            out = run("cat mnt/new.txt")
            if "written by mote" not in out or "more" not in out:
                q.fail(f"cat mnt/new.txt after the redirections: {out!r}")
            out = run("ls -l mnt")
            if "new.txt" not in out or "made" not in out:
                q.fail(f"ls -l mnt: {out!r}")
            out = run("df")
            if "ext3" not in out:
                q.fail(f"df does not show the ext3 volume: {out!r}")
            out = run("cat sys/storage")
            for key in ("device: vda", "type: ext3", "block_size: 1024", "cache_buffers:"):
                if key not in out:
                    q.fail(f"sys/storage lacks {key!r}: {out!r}")
            q.send("poweroff\r")
            if q.wait_exit() != 0:
                q.fail("poweroff did not end QEMU with status 0")
        finally:
            q.kill()
        code, report = fsck(image)
        if code != 0:
            print(report)
            print("FAIL: e2fsck -fn finds the image unclean after Mote unmounted it")
            return 1
        def debugfs(request):
            return subprocess.run(["debugfs", "-R", request, image], capture_output=True, text=True).stdout
        checks = [
            ("cat /new.txt", "written by mote\nmore\n", True),
            ("cat /made/copy", "hello from the host\n", True),
            ("cat /hard", "written by mote\nmore\n", True),
        ]
        for request, expected, exact in checks:
            got = debugfs(request)
            if (got != expected) if exact else (expected not in got):
                print(f"FAIL: debugfs {request!r} gave {got!r}, want {expected!r}")
                return 1
        if "Links: 2" not in debugfs("stat /new.txt"):
            print("FAIL: /new.txt should have two links")
            return 1
        if "Type: symlink" not in debugfs("stat /made/notes-link"):
            print("FAIL: the symlink was not moved into /made")
            return 1
        gone = subprocess.run(["debugfs", "-R", "stat /docs/deep/notes.txt", image], capture_output=True, text=True)
        if "not found" not in gone.stdout + gone.stderr:
            print("FAIL: /docs/deep/notes.txt is still there")
            return 1
        state = subprocess.run(["dumpe2fs", "-h", image], capture_output=True, text=True).stdout
        if "Filesystem state:         clean" not in state:
            print(state)
            print("FAIL: the volume is not marked clean after power-off")
            return 1
        # Again as the root (mote.root=vda): the disk's files at /, Mote's
        # programs in /bin from the initramfs; a file made at the root is
        # on the disk afterwards.
        q = qemu_harness.Qemu(args, initrd=True, devices=machines.device_args(args.arch, options),
                              append="mote.root=vda")
        try:
            run = qemu_harness.Shell(q).run
            out = run("cat /hello.txt")
            if "hello from the host" not in out:
                q.fail(f"mote.root=vda: cat /hello.txt: {out!r}")
            out = run("echo at the root > /rooted.txt")
            if "rooted.txt:" in out or "Error" in out:
                q.fail(f"mote.root=vda: writing /rooted.txt: {out!r}")
            q.send("poweroff\r")
            if q.wait_exit() != 0:
                q.fail("mote.root=vda: poweroff did not end QEMU with status 0")
        finally:
            q.kill()
        code, report = fsck(image)
        if code != 0 or debugfs("cat /rooted.txt") != "at the root\n":
            print(report)
            print("FAIL: with mote.root=vda, /rooted.txt is not on a clean disk")
            return 1
        print("OK: ext3 from the host mounted at /mnt, read and changed by programs (checked with debugfs), "
              "unmounted cleanly (e2fsck -fn); and as the root with mote.root=vda")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
