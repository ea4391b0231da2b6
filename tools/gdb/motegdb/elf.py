"""The few facts the commands need from an ELF file's headers: its entry
point and its loadable segments, with the address each is linked at
(virtual) and loaded at (physical). gdb's Python API does not expose
program headers, so they are read here (ELF64, little-endian: every Mote
image and program).
"""
import struct

PT_LOAD = 1


class Segment:
    def __init__(self, vaddr, paddr, memsz):
        self.vaddr, self.paddr, self.memsz = vaddr, paddr, memsz

    def holds(self, vaddr):
        return self.vaddr <= vaddr < self.vaddr + self.memsz


def read(path):
    """(entry, [Segment]) of the ELF64 file at `path`."""
    with open(path, "rb") as f:
        header = f.read(64)
        if header[:4] != b"\x7fELF" or header[4] != 2 or header[5] != 1:
            raise ValueError(f"{path}: not a little-endian ELF64 file")
        entry, phoff = struct.unpack_from("<QQ", header, 0x18)
        phentsize, phnum = struct.unpack_from("<HH", header, 0x36)
        segments = []
        for i in range(phnum):
            f.seek(phoff + i * phentsize)
            p_type, _flags, _offset, vaddr, paddr, _filesz, memsz = struct.unpack("<IIQQQQQ", f.read(48))
            if p_type == PT_LOAD:
                segments.append(Segment(vaddr, paddr, memsz))
    return entry, segments


def entry_load_address(path):
    """Where the entry point is in memory before any MMU is on: its
    physical (load) address, which the loader jumps to."""
    entry, segments = read(path)
    for segment in segments:
        if segment.holds(entry):
            return entry - segment.vaddr + segment.paddr
    raise ValueError(f"{path}: the entry point {entry:#x} is in no loadable segment")


def holds(path, address):
    """Whether a loadable segment of the file covers virtual `address`."""
    return any(segment.holds(address) for segment in read(path)[1])
