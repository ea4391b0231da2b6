#!/usr/bin/env python3
"""Seeds for fsck_fuzz: the small mke2fs images of make_ext2_format_seeds.py
(ext2 at 1, 2 and 4 KiB blocks, several groups, an indexed directory, ext3
with its journal), and a few of them broken by debugfs -w the ways the
unit tests break bigger ones (a wrong link count, a cleared inode, a
crossed block, a zeroed directory block, an unlinked file), so the fuzzer
starts from the repair paths too. Needs e2fsprogs. Run from anywhere:

    tests/fuzz/make_fsck_seeds.py
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_ext2_format_seeds as base  # noqa: E402

OUT = os.path.join(HERE, "seeds", "fsck_fuzz")

BREAKS = {
    "links": ["sif /hello links_count 5"],
    "clri": ["clri /dir/data"],
    "crossed": ["sif /hello block[0] 30"],
    "zap-dir": ["zap_block -f /dir 0"],
    "unlink": ["unlink /dir/data", "unlink /dir"],
}


def broken(tmp, name, data, commands):
    path = os.path.join(tmp, name + ".broken")
    with open(path, "wb") as f:
        f.write(data)
        f.truncate(64 * 1024)
    script = path + ".cmds"
    with open(script, "w") as f:
        f.write("\n".join(commands) + "\n")
    subprocess.run(["debugfs", "-w", "-f", script, path], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    with open(path, "rb") as f:
        return f.read().rstrip(b"\0")


def main():
    os.makedirs(OUT, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        made = dict(base.seeds(tmp))
        for name, data in made.items():
            with open(os.path.join(OUT, name), "wb") as f:
                f.write(data)
            print(f"{name}: {len(data)} bytes")
        for what, commands in BREAKS.items():
            data = broken(tmp, "ext2-1k-" + what, made["ext2-1k"], commands)
            with open(os.path.join(OUT, "ext2-1k-" + what), "wb") as f:
                f.write(data)
            print(f"ext2-1k-{what}: {len(data)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
