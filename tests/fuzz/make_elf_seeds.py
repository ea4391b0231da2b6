#!/usr/bin/env python3
"""Writes the seed inputs of elf_fuzz: small static ELF64 programs for
x86_64, aarch64 and riscv64 (the shapes lld and GNU ld produce), plus a few
near misses, so the fuzzer starts past the header checks."""
import os
import struct
import sys

EM = {"x86_64": 62, "aarch64": 183, "riscv64": 243}
PT_LOAD, PT_NOTE, PT_INTERP, PT_GNU_STACK = 1, 4, 3, 0x6474E551
PF_X, PF_W, PF_R = 1, 2, 4


def elf(machine, entry, phdrs, etype=2, size=None):
    """phdrs: (type, flags, offset, vaddr, filesz, memsz, align) tuples."""
    table = b"".join(struct.pack("<IIQQQQQQ", t, fl, off, va, va, fs, ms, al) for t, fl, off, va, fs, ms, al in phdrs)
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + b"\0" * 8
    header = ident + struct.pack("<HHIQQQIHHHHHH", etype, machine, 1, entry, 64, 0, 0, 64, 56, len(phdrs), 64, 0, 0)
    end = max([64 + len(table)] + [off + fs for _, _, off, _, fs, _, _ in phdrs])
    if size is not None:
        end = size
    body = bytearray((i * 13 + 5) & 0xFF for i in range(end))
    body[0:64] = header
    body[64:64 + len(table)] = table
    return bytes(body[:end])


def typical(machine, base=0x400000):
    # Headers r--, text r-x, rodata r--, data+bss rw-, GNU_STACK rw-.
    return elf(machine, base + 0x1000, [
        (PT_LOAD, PF_R, 0, base, 0x190, 0x190, 0x1000),
        (PT_LOAD, PF_R | PF_X, 0x1000, base + 0x1000, 0x1a0, 0x1a0, 0x1000),
        (PT_LOAD, PF_R, 0x2000, base + 0x2000, 0x40, 0x40, 0x1000),
        (PT_LOAD, PF_R | PF_W, 0x2040, base + 0x3040, 0x18, 0x1100, 0x1000),
        (PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 16),
    ])


def gnu_ld_like(machine):
    # Two segments, text with the headers, data congruent modulo 64 KiB.
    return elf(machine, 0x100b0, [
        (PT_LOAD, PF_R | PF_X, 0, 0x10000, 0x200, 0x200, 0x10000),
        (PT_LOAD, PF_R | PF_W, 0x200, 0x20200, 0x30, 0x90, 0x10000),
        (PT_NOTE, PF_R, 0x1c8, 0x101c8, 0x24, 0x24, 4),
        (PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 16),
    ])


seeds = {}
for isa, machine in EM.items():
    seeds[f"{isa}_typical"] = typical(machine)
    seeds[f"{isa}_gnu_ld"] = gnu_ld_like(machine)
seeds["x86_64_one_segment"] = elf(62, 0x10000, [(PT_LOAD, PF_R | PF_X, 0, 0x10000, 0x80, 0x80, 0x1000)])
seeds["riscv64_high"] = typical(243, base=0x10_0000_0000 - 0x5000)  # ends at kMapBase
seeds["aarch64_interp"] = elf(183, 0x401000, [
    (PT_INTERP, PF_R, 0x190, 0x400190, 0x1c, 0x1c, 1),
    (PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x200, 0x200, 0x1000),
])
seeds["x86_64_pie"] = elf(62, 0x1000, [(PT_LOAD, PF_R | PF_X, 0, 0, 0x200, 0x200, 0x1000)], etype=3)
seeds["riscv64_wx"] = elf(243, 0x400000, [(PT_LOAD, PF_R | PF_W | PF_X, 0, 0x400000, 0x100, 0x100, 0x1000)])
# The most PT_LOAD segments the decoder keeps, and a note one type away from a 17th.
seeds["x86_64_sixteen"] = elf(62, 0x10000, [(PT_LOAD, PF_R | PF_X if i == 0 else PF_R, i * 0x1000, 0x10000 + i * 0x1000,
                                             0x40, 0x40, 0x1000) for i in range(16)] +
                              [(PT_NOTE, PF_R, 0x40, 0x20040, 0x40, 0x40, 0x1000)])
seeds["aarch64_truncated"] = typical(183)[:0x1010]

out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "seeds", "elf_fuzz")
os.makedirs(out_dir, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out_dir, name), "wb") as f:
        f.write(data)
