#!/usr/bin/env python3
"""Seeds for ram_fs_fuzz: operation programs in the fuzzer's encoding (two
budget bytes, then one operation per opcode byte with its operands), each
a scenario worth starting from: a tree built and torn down, hard links and
an unlinked file kept open, renames over files and directories, writes at
every page-map level until NoSpace, symlink chains and loops walked. Run
from anywhere:

    tests/fuzz/make_ram_fs_seeds.py
"""
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fuzz", "seeds", "ram_fs_fuzz")

# Opcodes (ram_fs_fuzz.cpp: op = byte % 13) and operand indexes.
CREATE, MKDIR, SYMLINK, UNLINK, RENAME, LINK, WRITE, TRUNCATE, HOLD, DROP, WALK, TIMES, READ = range(13)
DIRS = [".", "a", "b", "a/b", "a/c", "b/a", "c"]
NAMES = ["a", "b", "c", "d", "long-name-0123456789", "e"]
TARGETS = ["a", "b/a", "..", "../..", "a/../b", "/abs", "c", "a/b/c/d", ".", "d"]
WALK_CHARS = "abcd/.-e"


def d(path):
    return DIRS.index(path)


def n(name):
    return NAMES.index(name)


def walk(path, follow=1):
    return [WALK, len(path)] + [WALK_CHARS.index(c) for c in path] + [follow]


def budget(pages, nodes):
    return [pages - 8, nodes - 2]


def seeds():
    out = {}
    out["tree"] = budget(64, 40) + [
        MKDIR, d("."), n("a"), MKDIR, d("."), n("b"), MKDIR, d("a"), n("b"), MKDIR, d("a"), n("c"),
        CREATE, d("a/b"), n("c"), WRITE, 0, d("a/b"), n("c"), 20, 0, 0x12,
        MKDIR, d("b"), n("a"), CREATE, d("b/a"), n("e"),
        UNLINK, d("a"), n("b"), 1,  # not empty
        UNLINK, d("a/b"), n("c"), 0, UNLINK, d("a"), n("b"), 1,
    ]
    out["links"] = budget(32, 20) + [
        CREATE, d("."), n("a"), WRITE, 0, d("."), n("a"), 100, 0, 0x03,
        LINK, d("."), d("."), n("a"), n("b"), HOLD, 3, d("."), n("a"),
        UNLINK, d("."), n("a"), 0, UNLINK, d("."), n("b"), 0,
        WRITE, 0x83, 50, 0, 0x20, READ, 0x83, 0x00, DROP, 3,
    ]
    out["renames"] = budget(32, 30) + [
        MKDIR, d("."), n("a"), MKDIR, d("."), n("b"), CREATE, d("a"), n("c"), CREATE, d("."), n("c"),
        RENAME, d("."), d("a"), n("c"), n("c"),  # file over file
        RENAME, d("."), d("b"), n("a"), n("a"),  # directory into another
        RENAME, d("b"), d("b/a"), n("a"), n("d"),  # below itself
        MKDIR, d("."), n("d"), RENAME, d("."), d("."), n("b"), n("d"),  # over an empty directory
        RENAME, d("."), d("."), n("d"), n("d"),
    ]
    out["levels"] = budget(40, 6) + [
        CREATE, d("."), n("a"),
        WRITE, 0, d("."), n("a"), 200, 0, 0x04,  # 11 pages
        WRITE, 0, d("."), n("a"), 200, 0, 0x05,  # 12 pages: the single index
        WRITE, 0, d("."), n("a"), 200, 0, 0x06,  # 524: the double index
        WRITE, 0, d("."), n("a"), 200, 0, 0x08,  # the last page
        TRUNCATE, 0, d("."), n("a"), 0x05, TRUNCATE, 0, d("."), n("a"), 0x00,
    ]
    out["symlinks"] = budget(32, 30) + [
        MKDIR, d("."), n("a"), MKDIR, d("a"), n("b"), SYMLINK, d("."), n("c"), TARGETS.index("a/../b"),
        SYMLINK, d("."), n("b"), TARGETS.index("a"), SYMLINK, d("."), n("d"), TARGETS.index("d"),
        SYMLINK, d("a/b"), n("e"), TARGETS.index("../.."), SYMLINK, d("."), n("e"), TARGETS.index("/abs"),
    ] + walk("c/b") + walk("b/b/e") + walk("d") + walk("e", 0) + walk("a/b/../../c") + [
        TIMES, 0, d("."), n("b"), 9, 1,
    ]
    out["nospace"] = budget(8, 4) + [
        CREATE, d("."), n("a"), CREATE, d("."), n("b"), CREATE, d("."), n("c"), CREATE, d("."), n("d"),
        WRITE, 0, d("."), n("a"), 0xff, 0x01, 0x03, WRITE, 0, d("."), n("a"), 0xff, 0x01, 0x25,
    ]
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, program in seeds().items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(bytes(b & 0xFF for b in program))
    print(f"wrote {len(seeds())} seeds to {OUT}")


if __name__ == "__main__":
    main()
