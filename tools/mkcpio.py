#!/usr/bin/env python3
"""Write a "newc" cpio archive (the initramfs format) from a directory tree.

    tools/mkcpio.py [--pad N] SOURCE_DIR OUTPUT

Every file and directory below SOURCE_DIR (not SOURCE_DIR itself) becomes an
entry with a clean relative path ("bin/sh", never "./bin/sh"), which is the
only form kernel/fs/cpio.cpp accepts. The output depends only on the names,
contents and executable bits in the tree, so the same tree gives the same
bytes on every machine and checkout:

  - entries in pre-order, each directory's names sorted bytewise, a
    directory before what it holds;
  - mtime 0, uid 0, gid 0, device numbers 0, inode numbers 1, 2, ... in
    archive order;
  - modes normalised: directories 0755, files 0755 if executable by their
    owner, else 0644 (git keeps nothing finer);
  - nlink 2 for directories, 1 for files.

Symbolic links, devices, fifos and sockets are refused (the kernel's decoder
refuses them too), as are names the decoder would reject. The archive ends
with the TRAILER!!! entry, zero-padded to a multiple of --pad bytes
(default 4, i.e. no extra padding; the cpio tool uses 512).

Also a module: make_cpio_seeds.py builds archives with newc_record().
"""
import argparse
import os
import stat
import sys

MAGIC = b"070701"
TYPE_REGULAR = 0o100000
TYPE_DIRECTORY = 0o040000
NAME_MAX = 255
PATH_MAX = 1024
TRAILER = "TRAILER!!!"


def _pad4(data):
    return data + b"\0" * (-len(data) % 4)


def newc_record(name, mode, data=b"", ino=0, nlink=1, magic=MAGIC, check=None):
    """One newc record: header, NUL-terminated name, data, each padded to 4
    bytes. `name` is str or bytes. With magic 070702 the check field is the
    32-bit sum of the data bytes unless `check` is given."""
    if isinstance(name, str):
        name = name.encode()
    if check is None:
        check = sum(data) & 0xFFFFFFFF if magic == b"070702" else 0
    fields = [ino, mode, 0, 0, nlink, 0, len(data), 0, 0, 0, 0, len(name) + 1, check]
    header = magic + b"".join(b"%08X" % f for f in fields)
    assert len(header) == 110
    # The header is 110 bytes and every record starts 4-aligned, so padding
    # the header with its name to 4 aligns the data.
    return _pad4(header + name + b"\0") + _pad4(data)


def newc_archive(entries, pad=4, magic=MAGIC):
    """An archive of (name, mode, data) entries in the order given, inode
    numbers 1, 2, ..., then the trailer and zero padding to `pad` bytes."""
    out = bytearray()
    for ino, (name, mode, data) in enumerate(entries, start=1):
        nlink = 2 if mode & 0o170000 == TYPE_DIRECTORY else 1
        out += newc_record(name, mode, data, ino=ino, nlink=nlink, magic=magic)
    out += newc_record(TRAILER, 0, magic=magic)
    out += b"\0" * (-len(out) % pad)
    return bytes(out)


def read_newc(archive):
    """The (name, mode, data) entries of a newc archive this module wrote
    (or any well-formed one), in archive order, without the trailer. For
    tests that change an archive and pack it again with newc_archive()."""
    entries = []
    at = 0
    while True:
        header = archive[at:at + 110]
        if len(header) < 110 or header[:6] not in (b"070701", b"070702"):
            raise ValueError(f"no newc header at offset {at}")
        fields = [int(header[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
        mode, filesize, namesize = fields[1], fields[6], fields[11]
        name_end = at + 110 + namesize
        name = archive[at + 110:name_end - 1]
        data_start = name_end + (-name_end % 4)
        data = archive[data_start:data_start + filesize]
        at = data_start + filesize + (-(data_start + filesize) % 4)
        if name == TRAILER.encode():
            return entries
        entries.append((name, mode, data))


def tree_entries(source):
    """The (name, mode, data) entries of the tree below `source`, in the
    deterministic order described above."""
    entries = []

    def visit(directory, prefix):
        for name in sorted(os.listdir(directory), key=os.fsencode):
            path = os.path.join(directory, name)
            relative = prefix + name
            encoded = os.fsencode(relative)
            if len(os.fsencode(name)) > NAME_MAX or len(encoded) > PATH_MAX or name in (".", ".."):
                raise SystemExit(f"mkcpio: name not allowed in an initramfs: {relative!r}")
            info = os.lstat(path)
            if stat.S_ISDIR(info.st_mode):
                entries.append((encoded, TYPE_DIRECTORY | 0o755, b""))
                visit(path, relative + "/")
            elif stat.S_ISREG(info.st_mode):
                perms = 0o755 if info.st_mode & stat.S_IXUSR else 0o644
                with open(path, "rb") as f:
                    entries.append((encoded, TYPE_REGULAR | perms, f.read()))
            else:
                raise SystemExit(f"mkcpio: only files and directories, not {relative!r}")

    visit(source, "")
    return entries


def main(argv=None):
    parser = argparse.ArgumentParser(description="Write a newc cpio archive from a directory tree.")
    parser.add_argument("--pad", type=int, default=4, help="pad the archive to a multiple of this many bytes")
    parser.add_argument("source", help="directory whose contents become the archive")
    parser.add_argument("output", help="archive to write")
    args = parser.parse_args(argv)
    if args.pad <= 0 or args.pad % 4:
        parser.error("--pad must be a positive multiple of 4")
    if not os.path.isdir(args.source):
        parser.error(f"not a directory: {args.source}")
    archive = newc_archive(tree_entries(args.source), pad=args.pad)
    # Written whole, then renamed: a build never sees half an archive.
    temporary = args.output + ".tmp"
    with open(temporary, "wb") as f:
        f.write(archive)
    os.replace(temporary, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
