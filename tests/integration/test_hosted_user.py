#!/usr/bin/env python3
"""User programs under the hosted kernel: the same programs and runtime as
on bare metal (build/host/initramfs.cpio), each in its own Linux process,
their syscalls served by the kernel over a socket, the kernel under
ASan/UBSan.

Judged from outside: what the programs print, the kernel's exit reports,
the staged initramfs tree, and the host's process list (no program process
may outlive the kernel). Every process this test starts is in a session of
its own and is killed by PID at the end."""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tempfile
import unittest

# The escape suite's and chantest's expectations are test_caps.py's (one
# table for QEMU and the hosted kernel).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "qemu"))
import test_caps  # noqa: E402
from test_user import FAULT_FUNCTIONS  # noqa: E402
from hosted_kernel import session_members  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from process_output import ProcessOutput, WaitFailed  # noqa: E402

# What init's services (user/etc/services) write to /tmp, and init's record
# of them for `services`.
SERVICE_LOGS = ("httpd.log", "udpecho.log", "services")
HOSTED = None
BUILD = None


def kernel_command(init=None, append="", disk=None):
    cmd = [HOSTED, "--initrd", os.path.join(BUILD, "initramfs.cpio")]
    if disk:
        cmd += ["--disk", disk]
    line = " ".join(x for x in ((f"mote.init={init}" if init else ""), append) if x)
    if line:
        cmd += ["--append", line]
    return cmd


def stop_session(proc):
    """Kills the kernel if still there, then every process of its session
    by PID; returns the PIDs that were still alive after the kernel."""
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    left = []
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        left = session_members(proc.pid)
        if not left:
            break
        time.sleep(0.05)
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return left


class Kernel:
    """mote-hosted with the hosted initramfs, stdin/stdout pipes, bounded."""

    def __init__(self, init=None, stdin=b"", timeout=60, append="", disk=None):
        self.proc = subprocess.Popen(kernel_command(init, append, disk), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        try:
            out, err = self.proc.communicate(stdin, timeout=timeout)
        finally:
            self.leftovers = stop_session(self.proc)
        self.status = self.proc.returncode
        self.out = out.decode(errors="replace")
        self.err = err.decode(errors="replace")


class Terminal:
    """mote-hosted typed at, a key at a time, as a person would: stdin is
    written when the test says; stdout and stderr (one pipe, in order) are
    gathered by tools/process_output.py. Bounded: every wait has a
    deadline, and finish() kills the session."""

    def __init__(self, init, deadline=60):
        self.proc = subprocess.Popen(kernel_command(init), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self.deadline = time.monotonic() + deadline
        self.output = ProcessOutput(self.proc)

    def text(self):
        return self.output.text()

    def type(self, keys):
        self.proc.stdin.write(keys)
        self.proc.stdin.flush()

    def expect(self, needle, start=0, timeout=20):
        """Waits for `needle` after offset `start`; the offset past it."""
        try:
            return self.output.wait_for(needle, start, min(self.deadline, time.monotonic() + timeout))
        except WaitFailed as e:
            raise AssertionError(f"{e}; output:\n{self.text()[-3000:]}") from None

    def finish(self, timeout=20):
        """Ends input and waits for the kernel to power off; the leftovers."""
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        self.output.join(2)
        left = stop_session(self.proc)
        self.proc.stdout.close()
        return left


class HostedUserTest(unittest.TestCase):
    def boot(self, init, **kw):
        k = Kernel(init, **kw)
        text = k.out + k.err
        self.assertEqual(k.leftovers, [], "program processes outlived the kernel")
        self.assertNotIn("ERROR: AddressSanitizer", text)
        self.assertNotIn("runtime error:", text)  # UBSan
        self.assertNotIn("MOTE-PANIC", text)
        return k, text

    def test_echo_as_init(self):
        k, text = self.boot("bin/echo,hello,world")
        self.assertIn("hello world\n", k.out)
        self.assertIn("init ended: reason 1 status 0", text)
        self.assertEqual(k.status, 0, text[-2000:])

    def test_date_is_the_hosts_utc_time(self):
        # The hosted kernel's real-time clock is the host's CLOCK_REALTIME,
        # read once at boot; `date` must agree with Python's own reading.
        import datetime
        before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        k, text = self.boot("bin/date")
        after = datetime.datetime.now(datetime.timezone.utc)
        m = re.search(r"^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d) UTC$", k.out, re.M)
        self.assertIsNotNone(m, k.out)
        shown = datetime.datetime(*map(int, m.groups()), tzinfo=datetime.timezone.utc)
        self.assertTrue(before <= shown <= after, f"date printed {shown}, host {before}..{after}")
        self.assertIn("init ended: reason 1 status 0", text)

    def test_false_reports_its_status(self):
        k, text = self.boot("bin/false")
        self.assertIn("init ended: reason 1 status 1", text)

    def test_faults_end_only_the_process(self):
        for case in ("null", "kernel", "exec", "stack", "illegal", "write-ro"):
            with self.subTest(case=case):
                k, text = self.boot(f"bin/fault,{case}")
                report = re.search(r"proc: pid 1 \(fault\) killed: .*host SIG.*at address (0x[0-9a-f]+), pc (0x[0-9a-f]+)",
                                   text)
                self.assertIsNotNone(report, text[-2000:])
                if case == "null":
                    self.assertEqual(report.group(1), "0x0")
                # The pc is in the program (linked at 0x400000) unless the
                # fault was the jump itself.
                if case in ("null", "illegal", "write-ro"):
                    self.assertTrue(0x400000 <= int(report.group(2), 16) < 0x10000000, report.group(0))
                # The backtrace from the program's frame pointers (the stub
                # sends rbp with the fault), named from its own symbols.
                frames = re.findall(r"proc: pid 1 \(fault\)   #(\d+) (0x[0-9a-f]+) ([^\r\n]+)", text)
                names = [name for _, _, name in frames]
                self.assertGreaterEqual(len(frames), 2, text[-2000:])
                self.assertEqual(frames[0][1], report.group(2))
                if case == "stack":
                    # Deep recursion: the walk stops at its bound and says so.
                    self.assertEqual(len(frames), 16, names)
                    self.assertTrue(all("recurse+0x" in name for name in names), names)
                    self.assertIn("backtrace stops: DepthLimit", text)
                else:
                    self.assertTrue(any(name.startswith("runtime_start+0x") for name in names), names)
                if case in FAULT_FUNCTIONS and case != "stack":
                    self.assertIn(FAULT_FUNCTIONS[case] + "+0x", names[0])
                    self.assertTrue(names[1].startswith("main+0x"), names)
                self.assertIn("init ended: reason 3", text)
                self.assertEqual(k.status, 0)

    def test_bad_syscalls_get_their_named_errors(self):
        k, text = self.boot("bin/badcall", timeout=120)
        done = re.search(r"BADCALL done (\d+) passed, (\d+) failed", text)
        self.assertIsNotNone(done, text[-3000:])
        failures = [line for line in text.splitlines() if line.startswith("BADCALL") and line.endswith("FAIL")]
        self.assertEqual((done.group(2), failures), ("0", []))
        self.assertGreaterEqual(int(done.group(1)), 40)

    def test_storms_give_every_page_back(self):
        for case, expect in (("spawn,200", "STORM spawn ok count=200"), ("concurrent,32", "STORM concurrent ok count=32"),
                             ("memory", "STORM memory ok")):
            with self.subTest(case=case):
                k, text = self.boot(f"bin/storm,{case}", timeout=150)
                self.assertIn(expect, text, text[-3000:])
                free = re.search(r"STORM free_before=(\d+) free_after=(\d+)", text)
                self.assertIsNotNone(free)
                self.assertEqual(free.group(1), free.group(2))
                self.assertNotEqual(free.group(1), "0")

    def test_syscall_fuzzer_under_sanitizers(self):
        seconds = int(os.environ.get("MOTE_SYSFUZZ_SECONDS", "5"))
        k, text = self.boot(f"bin/sysfuzz,{seconds}", timeout=seconds + 120)
        result = re.search(r"SYSFUZZ calls=(\d+) children=(\d+) exited=(\d+) faulted=(\d+) killed=(\d+) "
                           r"free_before=(\d+) free_after=(\d+)", text)
        self.assertIsNotNone(result, text[-3000:])
        self.assertEqual(result.group(6), result.group(7))
        self.assertIn("init ended: reason 1 status 0", text)

    def test_shell_over_a_pipe(self):
        # sh as init: bin/init would start a new shell after end of input.
        k, text = self.boot("bin/sh", stdin=b"echo hi there\nls bin\nfalse\ncat no/such/file\nfault null\n"
                            b"echo still here\n")
        self.assertIn("hi there", k.out)
        expected = sorted(os.listdir(os.path.join(BUILD, "initramfs", "bin")))
        for name in expected:
            self.assertRegex(k.out, rf"(?m)^\s*{re.escape(name)}\s*$")
        self.assertIn("[exit 1]", k.out)
        self.assertIn("NotFound", k.out)
        self.assertIn("killed:", text)
        self.assertIn("still here", k.out)
        self.assertIn("init ended: reason 1 status 0", text)

    def test_shell_lists_status_and_directories(self):
        # `;`, `&&`, `||` and `&` between commands, $? after each kind of
        # ending, and cd/pwd by name, `..` included (a directory handle
        # cannot reach its parent; the shell keeps the path). Each check
        # prints a marker the shell's own echo of the line cannot produce.
        script = (b"echo a;echo b\n"
                  b"true && echo and-ran\n"
                  b"false && echo and-wrong\n"
                  b"false || echo or-ran\n"
                  b"true || echo or-wrong\n"
                  b"false && echo x || echo chain-ran\n"
                  b"false; echo status=$?\n"
                  b"nosuchprogram; echo status=$?\n"
                  b"fault null; echo status=$?\n"
                  b"echo \"quoted; && || stays\"\n"
                  b"ls &&\n"
                  b"mkdir tmp/d && cd tmp/d && pwd\n"
                  b"cd .. ; pwd\n"
                  b"cd ../.. ; pwd\n"
                  b"cd /tmp/d/../d/. ; pwd\n"
                  b"cd nosuch || echo cd-failed=$?\n"
                  b"cd ; pwd\n")
        k, text = self.boot("bin/sh", stdin=script)
        out = k.out
        self.assertRegex(out, r"(?m)^a\n(?:\$ )?b$")
        self.assertRegex(out, r"(?m)^and-ran$")
        self.assertNotRegex(out, r"(?m)^and-wrong$")
        self.assertRegex(out, r"(?m)^or-ran$")
        self.assertNotRegex(out, r"(?m)^or-wrong$")
        self.assertRegex(out, r"(?m)^chain-ran$")
        self.assertEqual(re.findall(r"(?m)^status=(\d+)$", out), ["1", "127", "139"])
        self.assertRegex(out, r"(?m)^quoted; && \|\| stays$")
        self.assertIn("missing command after && or ||", out + text)
        self.assertEqual(re.findall(r"(?m)^(/\S*)$", out), ["/tmp/d", "/tmp", "/", "/tmp/d", "/"])
        self.assertRegex(out, r"(?m)^cd-failed=1$")
        self.assertIn("init ended: reason 1 status 0", text)

    def test_ctrl_c_reaches_a_program_reading_the_console(self):
        # The shell leaves the console to its foreground job: keys typed
        # while cat runs are cat's (the shell reads its own input a byte at
        # a time, so nothing after "cat" is taken), and Ctrl-C, which the
        # terminal turns into Signal::Interrupt for the job the shell named
        # (foreground()), ends cat even though the shell is not reading.
        # At the prompt Ctrl-C is a key again: the line editor drops the line.
        t = Terminal("bin/sh")
        try:
            at = t.expect("$ ")
            t.type(b"cat\n")
            at = t.expect("cat", at)
            t.type(b"typed-to-cat\n")
            at = t.expect("typed-to-cat", at)
            t.type(b"\x03")
            at = t.expect("[interrupted]", at)
            t.type(b"echo half a line\x03echo after-cat\n")
            at = t.expect("after-cat\n", at)
            # A shell run from the shell: at its prompt Ctrl-C drops its
            # line and it lives on (it took the terminal back from the outer
            # shell's foreground, which named it); exit returns to the outer.
            t.type(b"sh\n")
            at = t.expect("Welcome", at)
            at = t.expect("$ ", at)
            t.type(b"echo dropped\x03echo inner-alive\n")
            at = t.expect("inner-alive\n", at)
            t.type(b"exit\n")
            at = t.expect("$ ", at)
            t.type(b"echo outer-alive\n")
            at = t.expect("outer-alive\n", at)
        finally:
            leftovers = t.finish()
        text = t.text()
        self.assertEqual(leftovers, [], "program processes outlived the kernel")
        self.assertEqual(text.count("typed-to-cat"), 1, text)  # no echo: cat's copy only
        self.assertNotIn("half a line\n", text)  # Ctrl-C at the prompt dropped the line
        self.assertNotIn("dropped\n", text)
        self.assertNotIn("[interrupted]", text[text.index("inner-alive"):])
        self.assertIn("init ended: reason 1 status 0", text)
        for bad in ("ERROR: AddressSanitizer", "runtime error:", "MOTE-PANIC"):
            self.assertNotIn(bad, text)

    def test_watch_sees_a_sys_file_change(self):
        # sh as init holds the privileged root, so it may change the
        # timeslice; watch (in the background) prints each new text once:
        # poll() reports kPollChanged for a sys/ file whose text differs
        # from what the handle last read. A plain file is shown once.
        # watch writes to a file, so the shell's echo of its input cannot
        # interleave with it; echo sets the value in one write (status 0).
        k, text = self.boot("bin/sh", stdin=b"watch sys/timeslice_ms 2.5 > tmp/w &\nsleep 0.6\n"
                            b"echo 7 > sys/timeslice_ms\nsleep 0.6\necho 3 > sys/timeslice_ms\nsleep 1.8\n"
                            b"cat tmp/w\nwatch etc/motd 0.5 > tmp/m\ncat tmp/m\n", timeout=60)
        self.assertNotIn("[exit 1]", k.out)
        versions = re.findall(r"--- sys/timeslice_ms at (\d+)\.(\d+)s\r?\n(\d+)", k.out)
        self.assertEqual([v[2] for v in versions], ["10", "7", "3"], k.out)
        # Each change seen within the 100 ms re-check (plus slack for ASan).
        times = [int(s) * 1000 + int(ms) for s, ms, _ in versions]
        self.assertLess(times[1] - times[0], 1500, k.out)
        self.assertEqual(k.out.count("--- etc/motd at "), 1, k.out)

    def test_escape_suite(self):
        # dev/vda must exist for opening it to be refused rather than missing.
        with tempfile.TemporaryDirectory() as tmp:
            disk = os.path.join(tmp, "disk.img")
            with open(disk, "wb") as f:
                f.truncate(1 << 20)
            k, text = self.boot("bin/escape", disk=disk, timeout=90)
        test_caps.check_escape_output(k.out, self.fail)
        self.assertIn("init ended: reason 1 status 0", text)

    @unittest.skipUnless(shutil.which("mke2fs") and shutil.which("debugfs") and shutil.which("e2fsck"),
                         "needs e2fsprogs")
    def test_fsck_repairs_the_disk(self):
        # The real program over dev/vda (through sh, which passes it the dev
        # capability): a broken ext3 image is found (exit 4), repaired
        # (exit 1) and then clean (exit 0); e2fsck agrees with the result.
        with tempfile.TemporaryDirectory() as tmp:
            tree = os.path.join(tmp, "tree")
            os.makedirs(os.path.join(tree, "dir"))
            for name, size in (("file", 5000), ("dir/inner", 300)):
                with open(os.path.join(tree, name), "wb") as f:
                    f.write(b"m" * size)
            disk = os.path.join(tmp, "disk.img")
            with open(disk, "wb") as f:
                f.truncate(16 << 20)
            subprocess.run(["mke2fs", "-q", "-F", "-t", "ext3", "-b", "1024", "-E", "root_owner=0:0", "-d", tree,
                            disk], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for request in ("sif /file links_count 4", "unlink /dir/inner"):
                subprocess.run(["debugfs", "-w", "-R", request, disk], check=True, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
            self.assertEqual(subprocess.run(["e2fsck", "-fn", disk], stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL).returncode, 4)
            # Mounted at /mnt (the default), the disk refuses a repairing
            # fsck: its writes would go behind the filesystem's cache.
            k, text = self.boot(None, stdin=b"fsck -y\n", disk=disk, timeout=90)
            self.assertIn("fsck: dev/vda: Busy", k.out)
            self.assertIn("[exit 8]", k.out)
            self.assertIn("vda: unmounted cleanly", text)
            self.assertEqual(subprocess.run(["e2fsck", "-fn", disk], stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL).returncode, 4, "still broken, not worse")
            k, text = self.boot(None, stdin=b"fsck -n\nfsck -y\nfsck -y\n", disk=disk, timeout=90,
                                append="mote.disk=none")
            checked = subprocess.run(["e2fsck", "-fn", disk], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        runs = k.out.split("$ fsck")[1:]
        self.assertEqual(len(runs), 3, k.out[-3000:])
        self.assertIn("link count 4 -> 1 (not fixed)", runs[0])
        self.assertIn("[exit 4]", runs[0])
        self.assertIn("link count 4 -> 1 (fixed)", runs[1])
        self.assertIn("moved to /lost+found (fixed)", runs[1])
        self.assertIn("[exit 1]", runs[1])
        self.assertIn("0 problems, 0 fixed", runs[2])
        self.assertNotIn("[exit", runs[2])
        self.assertEqual(checked.returncode, 0, checked.stdout.decode(errors="replace"))

    @unittest.skipUnless(shutil.which("mke2fs") and shutil.which("debugfs") and shutil.which("e2fsck"),
                         "needs e2fsprogs")
    def test_the_disk_as_root(self):
        # mote.root=vda: the ext3 disk is the root programs see; Mote's bin/
        # and etc/ come from the initramfs and hide the disk's own; files
        # made at the root, renamed into and out of it, are on the disk
        # afterwards (debugfs), the volume is clean (e2fsck -fn).
        with tempfile.TemporaryDirectory() as tmp:
            tree = os.path.join(tmp, "tree")
            os.makedirs(os.path.join(tree, "home"))
            os.makedirs(os.path.join(tree, "bin"))
            with open(os.path.join(tree, "home", "readme"), "w") as f:
                f.write("from the disk\n")
            with open(os.path.join(tree, "bin", "disk-only"), "w") as f:
                f.write("hidden by the initramfs's bin\n")
            disk = os.path.join(tmp, "disk.img")
            with open(disk, "wb") as f:
                f.truncate(16 << 20)
            subprocess.run(["mke2fs", "-q", "-F", "-t", "ext3", "-b", "1024", "-d", tree, disk], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            script = ["ls /", "cat /home/readme", "ls /bin", "echo made at the root > /top.txt", "mkdir /made",
                      "mv /top.txt /made/inside.txt", "mv /home/readme /readme", "df /", "cat /sys/storage"]
            k, text = self.boot(None, stdin=("\n".join(script) + "\n").encode(), disk=disk, timeout=90,
                                append="mote.root=vda")
            def debugfs(request):
                return subprocess.run(["debugfs", "-R", request, disk], capture_output=True, text=True).stdout
            inside = debugfs("cat /made/inside.txt")
            readme = debugfs("cat /readme")
            home = debugfs("ls /home")
            checked = subprocess.run(["e2fsck", "-fn", disk], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        runs = {line: out for line, out in zip(script, k.out.split("$ ")[1:])}
        self.assertIn("root: vda", text)
        listing = runs["ls /"].split()
        for name in ("bin", "etc", "sys", "dev", "tmp", "home", "lost+found"):
            self.assertEqual(listing.count(name), 1, runs["ls /"])
        self.assertIn("from the disk", runs["cat /home/readme"])
        self.assertIn("sh", runs["ls /bin"].split())
        self.assertNotIn("disk-only", runs["ls /bin"])
        self.assertRegex(runs["df /"], r"ext3 .* /")
        self.assertIn("mount: /\n", runs["cat /sys/storage"])
        self.assertIn("vda: unmounted cleanly", text)
        self.assertEqual(inside, "made at the root\n")
        self.assertEqual(readme, "from the disk\n")
        self.assertNotIn("readme", home)
        self.assertEqual(checked.returncode, 0, checked.stdout.decode(errors="replace"))

    def test_channel_semantics(self):
        k, text = self.boot("bin/chantest", timeout=120)
        a, b = test_caps.check_channel_output(k.out, self.fail)
        deadlocks = [line for line in text.splitlines() if "proc: deadlock:" in line]
        self.assertEqual(len(deadlocks), 1, text[-3000:])
        self.assertIn(f"pid {a} (chantest)", deadlocks[0])
        self.assertIn(f"pid {b} (chantest)", deadlocks[0])
        self.assertIn("init ended: reason 1 status 0", text)

    def test_file_programs_on_tmp(self):
        # Every file program and the shell's redirections on /tmp (a ramfs),
        # through bin/init and sh as a person would use them. Each command's
        # output is what sh printed between its echoed line and the next
        # prompt; expected link counts and contents are POSIX's.
        script = [
            "echo hi > /tmp/a",
            "cp /tmp/a /tmp/b",
            "cat /tmp/b",
            "mkdir -p /tmp/d/e/f",
            "echo one > /tmp/d/e/f/x",
            "cat /tmp/d/e/f/x",
            "ln /tmp/a /tmp/a2",
            "ln -s a /tmp/la",
            "ls -l /tmp",
            "cat /tmp/la",
            "echo new > /tmp/c",
            "mv /tmp/c /tmp/a",
            "cat /tmp/a",
            "cat /tmp/a2",
            "ls -l /tmp",
            "echo more >> /tmp/a2",
            "cat < /tmp/a2",
            "cat < /tmp/a2 | cat > /tmp/piped",
            "cat /tmp/piped",
            "cp /tmp/a /tmp/b /tmp/d",
            "ls /tmp/d",
            "mv /tmp/d/a /tmp/d/b /tmp/d/e",
            "ls /tmp/d/e",
            "rm /tmp/nope",
            "rmdir /tmp/d",
            "rm /tmp/d",
            "rm -r /tmp/d",
            "ls /tmp",
            "touch /tmp/t",
            "ls -l /tmp/t",
            "mkdir /tmp/t",
            "mkdir /x",
            "ln /tmp/a /y",
            "mv /tmp/a /z",
            "cp /tmp/missing /tmp/z",
            "echo >",
            "cat <",
            "echo x > /nope/y",
            "df",
            "sync",
            "sync /tmp",
            "ls -l /tmp/la",
            "rm /tmp/la",
            "cat /tmp/a",
            "echo END",
        ]
        k, text = self.boot(None, stdin="".join(line + "\n" for line in script).encode(), timeout=90)
        out = k.out
        outputs = []
        at = 0
        for line in script:
            start = out.find("$ " + line + "\n", at)
            self.assertNotEqual(start, -1, f"{line!r} was not run; output:\n{out[-3000:]}")
            start += len("$ " + line + "\n")
            end = out.find("$ ", start)
            outputs.append(out[start:end if end != -1 else len(out)])
            at = start
        said = dict(zip(script, outputs))  # the last of repeated commands
        nth = lambda line, n: [o for l, o in zip(script, outputs) if l == line][n]  # noqa: E731

        self.assertEqual(said["cat /tmp/b"], "hi\n")
        self.assertEqual(said["cat /tmp/d/e/f/x"], "one\n")
        listing = nth("ls -l /tmp", 0)
        self.assertRegex(listing, r"(?m)^-rw-r--r--\s+2\s+3 \S+ \S+ a$")
        self.assertRegex(listing, r"(?m)^-rw-r--r--\s+2\s+3 \S+ \S+ a2$")
        self.assertRegex(listing, r"(?m)^-rw-r--r--\s+1\s+3 \S+ \S+ b$")
        self.assertRegex(listing, r"(?m)^drwxr-xr-x\s+3\s+\d+ \S+ \S+ d$")
        self.assertRegex(listing, r"(?m)^lrwxrwxrwx\s+1\s+1 \S+ \S+ la -> a$")
        self.assertEqual(said["cat /tmp/la"], "hi\n")
        # mv over an existing file: a is the new node, a2 keeps the old one.
        self.assertEqual(said["cat /tmp/a"], "new\n")
        self.assertEqual(said["cat /tmp/a2"], "hi\n")
        listing = nth("ls -l /tmp", 1)
        self.assertRegex(listing, r"(?m)^-rw-r--r--\s+1\s+4 \S+ \S+ a$")
        self.assertRegex(listing, r"(?m)^-rw-r--r--\s+1\s+3 \S+ \S+ a2$")
        self.assertNotRegex(listing, r"(?m) c$")
        self.assertEqual(said["cat < /tmp/a2"], "hi\nmore\n")
        self.assertEqual(said["cat /tmp/piped"], "hi\nmore\n")
        self.assertEqual(said["ls /tmp/d"].split(), ["a", "b", "e"])
        self.assertEqual(said["ls /tmp/d/e"].split(), ["a", "b", "f"])
        # Failures name the error and the exit status is 1.
        self.assertIn("rm: /tmp/nope: NotFound", said["rm /tmp/nope"])
        self.assertIn("[exit 1]", said["rm /tmp/nope"])
        self.assertIn("rmdir: /tmp/d: NotEmpty", said["rmdir /tmp/d"])
        self.assertIn("rm: /tmp/d: IsDirectory", said["rm /tmp/d"])
        self.assertNotIn("[exit", said["rm -r /tmp/d"])
        # (The services init starts keep their logs in /tmp too.)
        self.assertEqual([n for n in said["ls /tmp"].split() if n not in SERVICE_LOGS], ["a", "a2", "b", "la", "piped"])
        self.assertRegex(said["ls -l /tmp/t"], r"(?m)^-rw-r--r--\s+1\s+0 \S+ \S+ /tmp/t$")
        self.assertIn("mkdir: /tmp/t: Exists", said["mkdir /tmp/t"])
        self.assertIn("mkdir: /x: ReadOnly", said["mkdir /x"])
        self.assertIn("ln: /y: CrossDevice", said["ln /tmp/a /y"])
        self.assertIn("mv: /tmp/a: CrossDevice", said["mv /tmp/a /z"])
        self.assertIn("cp: /tmp/missing: NotFound", said["cp /tmp/missing /tmp/z"])
        self.assertIn("sh: missing file name after >", said["echo >"])
        self.assertIn("sh: missing file name after <", said["cat <"])
        self.assertIn("sh: /nope/y: NotFound", said["echo x > /nope/y"])
        df = said["df"]
        self.assertRegex(df, r"(?m)^Type\s+Size\s+Used\s+Avail\s+Use%\s+Mounted on$")
        self.assertRegex(df, r"(?m)^initramfs\s+\S+\s+\S+\s+0\s+100% /$")
        self.assertRegex(df, r"(?m)^ramfs\s+\d+(\.\d)?M\s+\d+(\.\d)?K\s+\d+(\.\d)?M\s+\d+% /tmp$")
        self.assertNotIn("/mnt", df)
        self.assertEqual(said["sync"], "")
        self.assertEqual(said["sync /tmp"], "")
        self.assertRegex(said["ls -l /tmp/la"], r"(?m)^lrwxrwxrwx\s+1\s+1 \S+ \S+ /tmp/la -> a$")
        self.assertEqual(said["cat /tmp/a"], "new\n", "rm of a symlink leaves its target")
        self.assertIn("END", said["echo END"])
        self.assertIn("init ended: reason 1 status 0", text)

    def test_shell_pipes_and_audit(self):
        # bin/init, so that sh gets what etc/caps gives it: a root without
        # the privileged right, and the audit capability to pass to `audit`.
        # init exits once the console (stdin) has ended.
        k, text = self.boot(None, stdin=b"ls bin | cat\ncat sys/audit\naudit\n")
        expected = sorted(os.listdir(os.path.join(BUILD, "initramfs", "bin")))
        # What the pipe printed: between the echoed command and the next prompt.
        listing = k.out.split("$ ls bin | cat\n", 1)[-1].split("$ cat sys/audit")[0]
        listed = [w.strip() for w in listing.splitlines() if w.strip()]
        self.assertEqual(listed, expected, k.out[-3000:])
        self.assertIn("cat: sys/audit: AccessDenied", k.out)
        header = re.search(r"records (\d+) denials (\d+) lost (\d+)", k.out)
        self.assertIsNotNone(header, k.out[-3000:])
        self.assertGreater(int(header.group(1)), 0)
        self.assertGreaterEqual(int(header.group(2)), 1)
        self.assertRegex(k.out, r"pid \d+ cat deny syscall \d+ .*AccessDenied")
        self.assertIn(" inherit ", k.out)
        self.assertIn("init ended: reason 1 status 0", text)


def main():
    global HOSTED, BUILD
    parser = argparse.ArgumentParser()
    parser.add_argument("--hosted", required=True)
    parser.add_argument("--build-dir", required=True)
    args, rest = parser.parse_known_args()
    HOSTED = os.path.abspath(args.hosted)
    BUILD = os.path.abspath(args.build_dir)
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
