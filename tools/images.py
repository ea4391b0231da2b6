"""The files a preset's build produces that end up on a machine, and their
SHA-256: what `./mote build` prints and what the reproducibility test
(tests/integration/test_reproducible.py) compares between two clones.

The same commit must give the same bytes in every one of them, whatever the
clone's path and whenever it is built (README.md, "Reproducible images").
"""
import hashlib
import os

# In a build folder's top level, in the order `./mote build` prints them:
# the kernel with its debug info, the stripped copy, aarch64's raw image and
# the packed initramfs (full profile only).
TOP_LEVEL_IMAGES = ["mote.elf", "mote.stripped.elf", "mote.bin", "initramfs.cpio"]


def top_level_images(build_dir):
    """The TOP_LEVEL_IMAGES present in build_dir (relative names)."""
    return [name for name in TOP_LEVEL_IMAGES if os.path.isfile(os.path.join(build_dir, name))]


def all_images(build_dir):
    """Every image file of build_dir, relative and sorted: the top-level
    ones, the first link (mote.pass1.elf), each linked program in user/ and
    every file of the initramfs staging tree."""
    names = set(top_level_images(build_dir))
    if os.path.isfile(os.path.join(build_dir, "mote.pass1.elf")):
        names.add("mote.pass1.elf")
    users = os.path.join(build_dir, "user")
    if os.path.isdir(users):
        for name in os.listdir(users):
            path = os.path.join(users, name)
            # The linked programs; not CMake's own files (cmake_install.cmake,
            # CMakeFiles/), which name the build folder.
            if os.path.isfile(path) and _is_elf(path):
                names.add(os.path.join("user", name))
    tree = os.path.join(build_dir, "initramfs")
    for directory, _, files in os.walk(tree):
        for name in files:
            names.add(os.path.relpath(os.path.join(directory, name), build_dir))
    return sorted(names)


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _is_elf(path):
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"
