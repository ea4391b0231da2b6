"""Helpers to drive the hosted kernel from a test: over a pipe (line mode) or
a pseudo-terminal (raw mode, line editing), always bounded in time and always
stopped by PID."""
import os
import pty
import select
import signal
import subprocess
import time

# The prompt of init's shell (user/programs/sh), the kernel's only interface.
PROMPT = b"$ "


def session_members(sid):
    """PIDs of live processes in session `sid` (the kernel and its programs)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # Fields after the parenthesised name: state ppid pgrp session ...
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] != "Z" and int(fields[3]) == sid:
            found.append(int(entry))
    return found


class PipeKernel:
    """The hosted kernel with stdin/stdout pipes: commands in, answers out."""

    def __init__(self, binary, disk=None, append=None, timeout=30, args=()):
        cmd = [binary] + list(args)
        if disk:
            cmd += ["--disk", disk]
        if append:
            cmd += ["--append", append]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.timeout = timeout

    def run_script(self, data):
        """Sends all input, closes stdin (the kernel then powers off), and
        returns (exit status, stdout, stderr)."""
        try:
            out, err = self.proc.communicate(data, timeout=self.timeout)
        finally:
            self.kill()
        return self.proc.returncode, out, err

    def kill(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


class PtyKernel:
    """The hosted kernel on a pseudo-terminal, as a person would use it."""

    def __init__(self, binary, disk=None):
        cmd = [binary] + (["--disk", disk] if disk else [])
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execv(binary, cmd)
        self.buffer = b""

    def send(self, data):
        os.write(self.fd, data)

    def read_until(self, marker, timeout=10):
        """Reads until `marker` appears after what was already consumed;
        returns everything read up to and including it."""
        deadline = time.monotonic() + timeout
        while marker not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {marker!r} within {timeout}s; got {self.buffer[-400:]!r}")
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:
                    chunk = b""
                if not chunk:
                    raise EOFError(f"kernel exited; got {self.buffer[-400:]!r}")
                self.buffer += chunk
        end = self.buffer.index(marker) + len(marker)
        got, self.buffer = self.buffer[:end], self.buffer[end:]
        return got

    def wait_exit(self, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.pid = None
                return os.waitstatus_to_exitcode(status)
            try:  # keep draining output so the kernel never blocks on the pty
                if select.select([self.fd], [], [], 0.05)[0]:
                    os.read(self.fd, 4096)
            except OSError:
                pass
        raise TimeoutError("kernel did not exit")

    def kill(self):
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self.pid = None
        os.close(self.fd)
