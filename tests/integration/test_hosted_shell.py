#!/usr/bin/env python3
"""The hosted kernel's shell, driven from outside.

Checks what the machine did, not what it said it did: sectors the kernel
wrote are read back from the backing file by this test, and bytes this test
put into the file before boot must come back in the kernel's hex dump.
"""
import argparse
import os
import re
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hosted_kernel import PipeKernel, PtyKernel  # noqa: E402

HOSTED = None
SECTOR = 512


def hexdump_bytes(text, first_offset, count):
    """Parses the kernel's hex dump lines starting at `first_offset`."""
    data = bytearray()
    for line in text.splitlines():
        m = re.match(r"^([0-9a-f]{8})  ((?:[0-9a-f]{2} +)+)\|", line)
        if m and int(m.group(1), 16) >= first_offset:
            data += bytes(int(h, 16) for h in m.group(2).split())
    return bytes(data[:count])


class PipeShellTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.disk = os.path.join(self.tmp.name, "disk.img")
        # A 1 MiB disk with a host-written pattern in sector 7.
        self.pattern = bytes((i * 31 + 5) & 0xFF for i in range(SECTOR))
        with open(self.disk, "wb") as f:
            f.truncate(1 << 20)
            f.seek(7 * SECTOR)
            f.write(self.pattern)

    def tearDown(self):
        self.tmp.cleanup()

    def run_kernel(self, script, **kw):
        status, out, err = PipeKernel(HOSTED, disk=self.disk, **kw).run_script(script)
        return status, out.decode(errors="replace"), err.decode(errors="replace")

    def test_block_writes_reach_the_file_and_host_bytes_reach_the_kernel(self):
        status, out, err = self.run_kernel(
            b"blk info\n"
            b"blk write 3 0xab\n"
            b'blk write 4 "Mote!"\n'
            b"blk read 7\n"
            b"blk flush\n")
        self.assertEqual(status, 0, err)
        self.assertIn("vda: host file", out)
        self.assertIn("2048 sectors x 512 B", out)
        self.assertIn("wrote sector 3", out)
        self.assertIn("flushed", out)
        self.assertEqual(hexdump_bytes(out, 7 * SECTOR, SECTOR), self.pattern)
        with open(self.disk, "rb") as f:
            image = f.read()
        self.assertEqual(image[3 * SECTOR:4 * SECTOR], b"\xab" * SECTOR)
        self.assertEqual(image[4 * SECTOR:5 * SECTOR], (b"Mote!" * 103)[:SECTOR])
        self.assertEqual(image[5 * SECTOR:6 * SECTOR], b"\0" * SECTOR, "neighbouring sector untouched")
        self.assertEqual(image[7 * SECTOR:8 * SECTOR], self.pattern)

    def test_multi_sector_read(self):
        with open(self.disk, "r+b") as f:
            f.seek(20 * SECTOR)
            f.write(bytes(range(256)) * 6)  # 3 sectors
        status, out, err = self.run_kernel(b"blk read 20 3\n")
        self.assertEqual(status, 0, err)
        self.assertEqual(hexdump_bytes(out, 20 * SECTOR, 3 * SECTOR), bytes(range(256)) * 6)

    def test_bad_input_gets_one_error_line_each_and_the_kernel_keeps_answering(self):
        bad = [
            b"frobnicate",                      # unknown command
            b"blk read 999999",                 # past the end
            b"blk read 0x",                     # malformed number
            b"blk read 99999999999999999999",   # overflowing number
            b"blk write 1 0x1ff",               # byte pattern out of range
            b"random 0",                        # out of range
            b"random many",                     # not a number
            b'blk write 1 "unterminated',       # bad quoting
            b"\x00\x01\x02\xfe\xff garbage",    # binary
            b"x" * 5000,                        # over-long line
        ]
        script = b"".join(line + b"\nuptime\n" for line in bad)
        status, out, err = self.run_kernel(script)
        self.assertEqual(status, 0, err)
        errors = [l for l in out.splitlines() if "error:" in l]
        self.assertEqual(len(errors), len(bad), "\n".join(errors))
        self.assertEqual(out.count("up "), len(bad), "the kernel answered after every bad line")
        self.assertIn("unknown command 'frobnicate'", out)
        self.assertIn("past the end of vda", out)
        self.assertIn("Malformed", out)
        self.assertIn("Overflow", out)
        self.assertIn("non-printable", out)
        self.assertIn("line too long", out)
        self.assertNotIn("MOTE-PANIC", out + err)
        with open(self.disk, "rb") as f:
            self.assertEqual(f.read(2 * SECTOR)[SECTOR:], b"\0" * SECTOR, "rejected write changed nothing")

    def test_random_bytes_differ_between_calls(self):
        status, out, err = self.run_kernel(b"random 32\nrandom 32\n")
        self.assertEqual(status, 0, err)
        lines = re.findall(r"^[0-9a-f]{64}$", out, re.M)
        self.assertEqual(len(lines), 2, out)
        self.assertNotEqual(lines[0], lines[1])

    def test_help_version_log_and_poweroff(self):
        status, out, err = self.run_kernel(b"help\nversion\nhelp blk\nlog 8\nlog level debug\npoweroff\nuptime\n",
                                           append="mote.log=warn")
        self.assertEqual(status, 0, err)
        for name in ("help", "version", "uptime", "log", "random", "blk", "poweroff"):
            self.assertRegex(out, rf"(?m)^  {name} +\S")
        self.assertRegex(out, r"Mote \d+\.\d+\.\d+ \(")
        self.assertIn("usage: blk info | read LBA", out)
        self.assertIn("console log level: debug", out)
        self.assertNotIn("up ", out, "nothing runs after poweroff")
        self.assertIn("command line: mote.log=warn", out)

    def test_mem_reports_the_hosted_page_allocator(self):
        # --memory 12: 3072 pages at the fake physical base 0x80000000, whose
        # 8-byte records take the first 6 pages.
        status, out, err = self.run_kernel(b"mem\n", args=["--memory", "12"])
        self.assertEqual(status, 0, err)
        pages, records = 12 * 256, (12 * 256 * 8 + 4095) // 4096
        self.assertEqual(records, 6)
        self.assertIn(f"pages: {pages - records} total, {pages - records} free (11 MiB), {records} for page records", out)
        base = 0x80000000 + records * 4096
        self.assertIn(f"region 0: {base:#x}..{0x80000000 + (12 << 20):#x} ({pages - records} pages)", out)
        self.assertIn("held by: kernel 0,", out)
        self.assertNotIn("not available", out)

    def test_bad_memory_size_is_refused(self):
        status, out, err = self.run_kernel(b"", args=["--memory", "0"])
        self.assertEqual(status, 2)
        self.assertIn("bad --memory", err)


class PtyShellTest(unittest.TestCase):
    """Line editing on a terminal: completion, history, cursor keys, Ctrl-C."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.k = PtyKernel(HOSTED, disk=os.path.join(self.tmp.name, "d.img"))
        self.k.read_until(b"mote> ")

    def tearDown(self):
        self.k.kill()
        self.tmp.cleanup()

    def test_editing_history_completion_and_poweroff(self):
        k = self.k
        k.send(b"vers\t\r")  # Tab completes "version "
        self.assertIn(b"Mote ", k.read_until(b"mote> "))
        k.send(b"uptimX\x7fe\r")  # typo fixed with Backspace
        self.assertIn(b"up ", k.read_until(b"mote> "))
        k.send(b"\x1b[A\r")  # Up: uptime again
        self.assertIn(b"up ", k.read_until(b"mote> "))
        k.send(b"blk inf\x1b[D\x1b[D\x1b[3~\x1b[Fo\r")  # "blk if" ... fixed: delete 'n', End, 'o' -> "blk ifo"
        self.assertIn(b"error: usage: blk", k.read_until(b"mote> "))
        k.send(b"half a line\x03")  # Ctrl-C abandons the line
        self.assertIn(b"^C", k.read_until(b"mote> "))
        k.send(b"poweroff\r")
        self.assertEqual(k.wait_exit(), 0)


def main():
    global HOSTED
    parser = argparse.ArgumentParser()
    parser.add_argument("--hosted", required=True)
    parser.add_argument("--build-dir")
    args, rest = parser.parse_known_args()
    HOSTED = args.hosted
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
