"""A child process's output, collected by a thread as it comes, for the test
drivers that talk to a kernel (QEMU's serial console, the hosted kernel on a
TAP) or to gdb, and wait for what it prints."""
import os
import threading
import time


class WaitFailed(Exception):
    """What a wait ended with instead of its text: a timeout, the process's
    exit, or the crash a `crashed` check named."""


class ProcessOutput:
    def __init__(self, proc):
        """Starts reading `proc.stdout` (bytes; stderr merged into it, as
        the drivers start their processes) until its end."""
        self.proc = proc
        self._bytes = bytearray()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        while True:
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                return
            with self._lock:
                self._bytes += chunk

    def text(self):
        with self._lock:
            return self._bytes.decode("utf-8", errors="replace")

    def ended(self):
        """True once the process has exited and all it wrote has been read."""
        return self.proc.poll() is not None and not self._reader.is_alive()

    def join(self, timeout):
        """Waits up to `timeout` s for the output to end; True if it did."""
        self._reader.join(timeout=timeout)
        return not self._reader.is_alive()

    def wait_for(self, needle, start=0, limit=None, crashed=None):
        """The offset just past `needle` once it appears at or after `start`.
        Raises WaitFailed when time.monotonic() passes `limit`, when the
        process has ended without it, or when `crashed(text)` returns a
        reason (checked on every look, so a crash is seen at once)."""
        while True:
            text = self.text()
            at = text.find(needle, start)
            if at >= 0:
                return at + len(needle)
            if crashed:
                why = crashed(text)
                if why:
                    raise WaitFailed(f"{why} while waiting for {needle!r}")
            if limit is not None and time.monotonic() > limit:
                raise WaitFailed(f"timed out waiting for {needle!r}")
            if self.ended():
                raise WaitFailed(f"the process exited ({self.proc.returncode}) while waiting for {needle!r}")
            time.sleep(0.01)
