#!/usr/bin/env python3
"""The hosted kernel as a person uses it: init's shell (sh -rc, prompt "$ ")
and the programs in the initramfs beside the kernel, driven from outside.

Checks what the machine did, not what it said it did: sectors that dd wrote
are read back from the backing file by this test, and bytes this test put
into the file before boot must come back out of the kernel, copied by dd
to another sector this test reads after the kernel has exited.
test_hosted_user.py covers the programs and the shell language themselves;
this file covers the disk, the kernel's reports, its options and the
terminal.
"""
import argparse
import os
import re
import string
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hosted_kernel import PROMPT, PipeKernel, PtyKernel  # noqa: E402

HOSTED = None
BUILD = None
SECTOR = 512
DISK_SECTORS = 2048  # the 1 MiB image
# sh's built-ins (user/programs/sh/command_line.cpp, find_builtin).
BUILTINS = ("cd", "exit", "help", "jobs", "kill", "pwd")
UPTIME_LINE = r"(?m)^up \d+\.\d+ s\r?$"


def echo_lines(path, data):
    """Shell lines that make `path` hold `data` (printable, no spaces, lines
    ending in '\n'), one echo per line of it: echo is the only way to put
    chosen bytes into a file from the shell."""
    lines = data.decode().split("\n")[:-1]
    return "".join(f"echo {line} {'>' if i == 0 else '>>'} {path}\n" for i, line in enumerate(lines)).encode()


def known_sector():
    """512 bytes the shell can type: four 127-character lines and their
    newlines, each line different."""
    text = ""
    for n in range(4):
        line = (f"sector-line-{n}:" + string.ascii_letters + string.digits) * 3
        text += line[:127] + "\n"
    data = text.encode()
    assert len(data) == SECTOR
    return data


def sector(image, n, count=1):
    return image[n * SECTOR:(n + count) * SECTOR]


class PipeShellTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.disk = os.path.join(self.tmp.name, "disk.img")
        # A 1 MiB disk with a host-written pattern in sector 7.
        self.pattern = bytes((i * 31 + 5) & 0xFF for i in range(SECTOR))
        with open(self.disk, "wb") as f:
            f.truncate(DISK_SECTORS * SECTOR)
            f.seek(7 * SECTOR)
            f.write(self.pattern)

    def tearDown(self):
        self.tmp.cleanup()

    def run_kernel(self, script, disk=True, **kw):
        status, out, err = PipeKernel(HOSTED, disk=self.disk if disk else None, **kw).run_script(script)
        out, err = out.decode(errors="replace"), err.decode(errors="replace")
        for bad in ("ERROR: AddressSanitizer", "runtime error:", "MOTE-PANIC"):
            self.assertNotIn(bad, out + err)
        return status, out, err

    def image(self):
        with open(self.disk, "rb") as f:
            return f.read()

    def test_block_writes_reach_the_file_and_host_bytes_reach_the_kernel(self):
        known = known_sector()
        # dd opens its output without creating it: touch makes the file.
        script = (b"touch tmp/s\n"
                  b"dd if=dev/vda of=tmp/s bs=512 skip=7 count=1\n"  # the host's bytes into the kernel
                  b"dd if=tmp/s of=dev/vda bs=512 seek=9\n"           # and back out, elsewhere
                  + echo_lines("tmp/p", known) +
                  b"dd if=tmp/p of=dev/vda bs=512 seek=3\n"
                  b"sync\n")
        status, out, err = self.run_kernel(script)
        self.assertEqual(status, 0, out + err)
        self.assertEqual(len(re.findall(r"(?m)^512 bytes in \d+ ns", out)), 3, out)
        self.assertNotIn("[exit", out)
        image = self.image()
        self.assertEqual(len(image), DISK_SECTORS * SECTOR, "the image keeps its size")
        self.assertEqual(sector(image, 9), self.pattern, "sector 7 came back through tmp/s")
        self.assertEqual(sector(image, 3), known)
        self.assertEqual(sector(image, 7), self.pattern, "the source is untouched")
        for n in (2, 4, 8, 10):
            self.assertEqual(sector(image, n), b"\0" * SECTOR, f"neighbouring sector {n} untouched")

    def test_multi_sector_read_and_write(self):
        data = bytes(range(256)) * 6  # 3 sectors
        with open(self.disk, "r+b") as f:
            f.seek(21 * SECTOR)
            f.write(data)
        # bs=1536: one read of sectors 21..23 (block 7), one write of 60..62.
        status, out, err = self.run_kernel(b"touch tmp/m\n"
                                           b"dd if=dev/vda of=tmp/m bs=1536 skip=7 count=1\n"
                                           b"dd if=tmp/m of=dev/vda bs=1536 seek=20\n")
        self.assertEqual(status, 0, out + err)
        self.assertEqual(len(re.findall(r"(?m)^1536 bytes in \d+ ns", out)), 2, out)
        image = self.image()
        self.assertEqual(sector(image, 60, 3), data)
        self.assertEqual(sector(image, 59), b"\0" * SECTOR)
        self.assertEqual(sector(image, 63), b"\0" * SECTOR)

    def test_bad_input_gets_one_error_line_each_and_the_shell_keeps_answering(self):
        bad = [
            (b"dd bs=0x", "dd: bs=0x: Malformed"),
            (b"dd count=99999999999999999999", "dd: count=99999999999999999999: Overflow"),
            (b"dd frob=1", "dd: unknown operand frob=1"),
            (b"dd bs=0", "dd: bs must be"),
            (b"dd if=no/such", "dd: no/such: NotFound"),
            # Past the end of the disk, and less than a sector: refused.
            (b"dd if=tmp/z of=dev/vda bs=512 seek=%d" % DISK_SECTORS, "dd: write: "),
            (b"dd if=tmp/short of=dev/vda seek=1", "dd: write: "),
            (b'dd "if=dev/vda', "sh: unterminated quote"),
            (b"frobnicate", "sh: frobnicate: not found"),
            (b"\x00\x01\x02\xfe\xff garbage", "sh: line has unreadable or too many characters"),
            # Twice what the line editor holds.
            (b"x" * 400, "sh: line has unreadable or too many characters"),
        ]
        # tmp/z: a whole sector (of zeros) from the disk; tmp/short: less.
        script = b"touch tmp/z\ndd if=dev/vda of=tmp/z count=1\necho short > tmp/short\n"
        script += b"".join(line + b"\nuptime\n" for line, _ in bad)
        status, out, err = self.run_kernel(script)
        self.assertEqual(status, 0, out + err)
        errors = re.findall(r"(?m)^(?:dd|sh): .*$", out)
        self.assertEqual(len(errors), len(bad), "\n".join(errors))
        for (line, message), error in zip(bad, errors):
            self.assertTrue(error.startswith(message), f"{line[:40]!r}: {error!r}")
        self.assertEqual(len(re.findall(UPTIME_LINE, out)), len(bad), "the shell answered after every bad line")
        image = self.image()
        self.assertEqual(len(image), DISK_SECTORS * SECTOR, "the write past the end did not grow the file")
        self.assertEqual(image[:7 * SECTOR], b"\0" * 7 * SECTOR, "refused writes changed nothing")
        self.assertEqual(image[8 * SECTOR:], b"\0" * (DISK_SECTORS - 8) * SECTOR)

    def test_random_bytes_differ_between_calls(self):
        status, out, err = self.run_kernel(b"random 32\nrandom 32\n")
        self.assertEqual(status, 0, err)
        lines = re.findall(r"(?m)^[0-9a-f]{64}$", out)
        self.assertEqual(len(lines), 2, out)
        self.assertNotEqual(lines[0], lines[1])

    def test_a_long_piped_script_loses_nothing(self):
        # Far more than the console stream holds unread (1 KiB): the hosted
        # kernel reads stdin only as fast as the shell takes it.
        lines = [f"echo line{i:04d} {'x' * 40}" for i in range(300)]
        script = ("\n".join(lines) + "\n").encode()
        self.assertGreater(len(script), 8 * 1024)
        status, out, err = self.run_kernel(script, disk=False)
        self.assertEqual(status, 0, err)
        echoed = re.findall(r"(?m)^line(\d{4}) x{40}$", out)
        self.assertEqual([int(n) for n in echoed], list(range(300)), out[-2000:])

    def test_help_uname_log_and_poweroff(self):
        status, out, err = self.run_kernel(b"help\nuname\nlog\npoweroff\nuptime\n", append="mote.log=warn")
        self.assertEqual(status, 0, out + err)
        builtins = re.search(r"(?m)^built-ins: (.*)$", out)
        self.assertIsNotNone(builtins, out)
        listed = re.findall(r"[a-z]+", builtins.group(1))
        for name in BUILTINS:
            self.assertIn(name, listed)
        self.assertRegex(out, r"(?m)^Mote \d+\.\d+\.\d+ \(\S+\), host build, \S+ profile, on hosted \(Linux process\)$")
        # mote.log=warn keeps info lines off the console, but the log keeps
        # them: `log` shows them, the command line among them.
        boot = out[:out.index(PROMPT.decode())]
        self.assertNotRegex(boot, r"\] info ")
        log = out[out.index("$ log\n"):out.index("$ poweroff")]
        self.assertRegex(log, r"(?m)^\[\s*\d+\.\d+\] info +boot: command line: mote\.log=warn$")
        self.assertGreater(len(re.findall(r"(?m)^\[\s*\d+\.\d+\] (?:info|warn|error) ", log)), 3, log)
        self.assertNotRegex(out, UPTIME_LINE, "nothing runs after poweroff")
        self.assertNotIn("$ uptime", out)

    def test_mem_reports_the_hosted_page_allocator(self):
        # --memory 12: 3072 pages at the fake physical base 0x80000000, whose
        # 8-byte records take the first 6 pages. User space is running (init,
        # its services, sh, mem itself), so part of the rest is in use: the
        # owners must add up to it, and the process pages must be what the
        # kernel's count of resident user pages says.
        status, out, err = self.run_kernel(b"mem\n", args=["--memory", "12"])
        self.assertEqual(status, 0, err)
        pages, records = 12 * 256, (12 * 256 * 8 + 4095) // 4096
        self.assertEqual(records, 6)
        total = pages - records
        summary = re.search(r"(?m)^pages: (\d+) total, (\d+) free \((\d+) MiB\), (\d+) for page records$", out)
        self.assertIsNotNone(summary, out)
        self.assertEqual(int(summary.group(1)), total)
        self.assertEqual(int(summary.group(4)), records)
        free = int(summary.group(2))
        self.assertGreater(free, total // 2)
        self.assertLess(free, total)
        self.assertEqual(int(summary.group(3)), free * 4096 >> 20)
        owners = re.search(r"(?m)^held by: kernel (\d+), slab (\d+), dma (\d+), page tables (\d+), processes (\d+) "
                           r"\(pages\)$", out)
        self.assertIsNotNone(owners, out)
        held = [int(n) for n in owners.groups()]
        self.assertEqual(sum(held), total - free)
        self.assertGreater(held[4], 0, "user space holds pages")
        user = re.search(r"(?m)^user: (\d+) processes, (\d+) pages resident$", out)
        self.assertIsNotNone(user, out)
        self.assertGreaterEqual(int(user.group(1)), 3)  # init, sh, mem
        self.assertEqual(int(user.group(2)), held[4])
        base = 0x80000000 + records * 4096
        self.assertIn(f"region 0: {base:#x}..{0x80000000 + (12 << 20):#x} ({total} pages)", out)
        self.assertNotIn("region 1:", out)

    def test_bad_memory_size_is_refused(self):
        status, out, err = self.run_kernel(b"", args=["--memory", "0"])
        self.assertEqual(status, 2)
        self.assertIn("bad --memory '0'", err)
        self.assertNotIn(PROMPT.decode(), out)

    def test_a_missing_or_broken_initrd_stops_the_kernel(self):
        missing = os.path.join(self.tmp.name, "no-such.cpio")
        status, out, err = self.run_kernel(b"uname\n", disk=False, args=["--initrd", missing])
        self.assertEqual(status, 1, out + err)
        self.assertRegex(err, r"mote-hosted: .*NotFound")
        self.assertNotIn(PROMPT.decode(), out)
        # Not a cpio archive: the kernel boots, cannot start init, says so
        # and powers off with a failure status.
        broken = os.path.join(self.tmp.name, "broken.cpio")
        with open(broken, "wb") as f:
            f.write(bytes((i * 131 + 7) & 0xFF for i in range(4096)))
        status, out, err = self.run_kernel(b"uname\n", disk=False, args=["--initrd", broken])
        self.assertEqual(status, 1, out + err)
        self.assertIn("cpio: archive rejected", out + err)
        self.assertIn("cannot start bin/init", out + err)
        self.assertIn("no init", out + err)
        self.assertNotIn(PROMPT.decode(), out)


class PtyShellTest(unittest.TestCase):
    """Line editing on a terminal: completion, history, cursor keys, Ctrl-C."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.k = PtyKernel(HOSTED, disk=os.path.join(self.tmp.name, "d.img"))
        self.k.read_until(PROMPT, timeout=60)

    def tearDown(self):
        self.k.kill()
        self.tmp.cleanup()

    def command(self, keys, timeout=20):
        """Types `keys` (ending in Enter) and returns what came back up to
        the next prompt."""
        self.k.send(keys)
        return self.k.read_until(PROMPT, timeout)

    def test_editing_history_completion_and_poweroff(self):
        k = self.k
        # Tab completes a command...
        k.send(b"una\t")
        k.read_until(b"uname ")
        self.assertRegex(self.command(b"\r"), rb"\nMote \d+\.\d+\.\d+ \(")
        # ... a file name relative to the working directory ...
        k.send(b"cat etc/mo\t")
        k.read_until(b"etc/motd ")
        self.assertIn(b"Welcome to Mote.", self.command(b"\r"))
        # ... to the names' common part when several match ...
        self.assertNotIn(b"[exit", self.command(b"mkdir tmp/sub && touch tmp/subfile\r"))
        k.send(b"cat tmp/su\t")
        k.read_until(b"tmp/sub")
        self.assertNotIn(b"NotFound", self.command(b"file\r"))
        # ... and a directory with its '/' (cd's argument: only directories).
        k.send(b"cd tmp/su\t")
        k.read_until(b"cd tmp/sub/")
        self.command(b"\r")
        self.assertRegex(self.command(b"pwd\r"), rb"\n/tmp/sub\r?\n")
        self.command(b"cd\r")
        # Several matches and nothing to add: they are listed, sorted, and
        # the line comes back to be finished.
        programs = os.listdir(os.path.join(BUILD, "initramfs", "bin"))
        expected = sorted(n for n in set(programs) | set(BUILTINS) if n.startswith("u"))
        self.assertGreater(len(expected), 1)
        k.send(b"u\t")
        listing = k.read_until(PROMPT + b"u")
        rows = [row.split() for row in listing.replace(b"\r", b"").split(b"\n")[1:-1]]
        self.assertEqual(sorted(n.decode() for row in rows for n in row), expected, listing)
        k.send(b"pt\t")
        k.read_until(b"uptime ")
        self.assertRegex(self.command(b"\r"), UPTIME_LINE.encode())
        # Backspace fixes a typo; Up recalls the line.
        self.assertRegex(self.command(b"uptimX\x7fe\r"), UPTIME_LINE.encode())
        self.assertRegex(self.command(b"\x1b[A\r"), UPTIME_LINE.encode())
        # "echo abXcd", Left x3, Delete (the X), Right, "-", End, "!".
        self.assertRegex(self.command(b"echo abXcd\x1b[D\x1b[D\x1b[D\x1b[3~\x1b[C-\x1b[F!\r"),
                         rb"\nabc-d!\r?\n")
        # Ctrl-C abandons the line: "^C", a new prompt, nothing run.
        k.send(b"half a line\x03")
        k.read_until(b"^C")
        k.read_until(PROMPT)
        after = self.command(b"echo after-cancel\r")
        self.assertRegex(after, rb"\nafter-cancel\r?\n")
        self.assertNotIn(b"not found", after)
        k.send(b"poweroff\r")
        self.assertEqual(k.wait_exit(), 0)


def main():
    global HOSTED, BUILD
    parser = argparse.ArgumentParser()
    parser.add_argument("--hosted", required=True)
    parser.add_argument("--build-dir", help="where initramfs/ was staged (default: beside --hosted)")
    args, rest = parser.parse_known_args()
    HOSTED = os.path.abspath(args.hosted)
    BUILD = os.path.abspath(args.build_dir or os.path.dirname(HOSTED))
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
