"""The hosted kernel on a TAP interface inside a network namespace of the
test's own, with Linux's network stack on the other end of the TAP.

The test process itself enters the namespace (setns on /run/netns/NAME
before it starts any thread), so its Python sockets, curl and every child
see only the namespace's two interfaces: loopback and the TAP. Nothing
leaves it; no other host address is ever contacted. Everything started is
stopped by PID and the namespace is deleted on the way out.

Needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN), /dev/net/tun and iproute2;
without them the test skips with status 77 and says why."""
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time

LINUX_ADDRESS = "10.77.0.1"
MOTE_ADDRESS = "10.77.0.2"
TAP = "mtap0"
SKIP = 77
CLONE_NEWNET = 0x40000000

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from hosted_kernel import session_members  # noqa: E402
from process_output import ProcessOutput, WaitFailed  # noqa: E402


def crashed(text):
    """Why the hosted kernel's output says it crashed, or None."""
    if "MOTE-PANIC" in text:
        return "the kernel panicked"
    if "ERROR: AddressSanitizer" in text:
        return "AddressSanitizer stopped the kernel"
    return None


def skip_unless_possible():
    why = None
    if os.geteuid() != 0:
        why = "needs root (a network namespace and a TAP interface)"
    elif not os.path.exists("/dev/net/tun"):
        why = "no /dev/net/tun"
    elif subprocess.run(["ip", "-V"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode != 0:
        why = "no iproute2 (ip)"
    if why:
        print(f"SKIP: {why}")
        sys.exit(SKIP)


def enter_namespace_or_skip():
    """The namespace, with a TAP interface known to be creatable in it; a
    container that is root but may not make either (no CAP_SYS_ADMIN or
    CAP_NET_ADMIN) skips rather than fails."""
    try:
        namespace = Namespace()
    except (RuntimeError, OSError) as e:
        print(f"SKIP: cannot make a network namespace here: {e}")
        sys.exit(SKIP)
    try:
        ip("tuntap", "add", "dev", "mtap-probe", "mode", "tap")
        ip("tuntap", "del", "dev", "mtap-probe", "mode", "tap")
    except RuntimeError as e:
        namespace.close()
        print(f"SKIP: cannot make a TAP interface here: {e}")
        sys.exit(SKIP)
    return namespace


def ip(*args):
    proc = subprocess.run(["ip"] + list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=10)
    if proc.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {proc.stdout.strip()}")


class Namespace:
    """A network namespace that this process enters for good; deleted by
    close() (the process must not need the host's network afterwards)."""

    def __init__(self):
        self.name = f"mote-tap-{os.getpid()}"
        ip("netns", "add", self.name)
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            fd = os.open(f"/run/netns/{self.name}", os.O_RDONLY)
            try:
                if libc.setns(fd, CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), "setns")
            finally:
                os.close(fd)
            ip("link", "set", "lo", "up")
        except BaseException:
            self.close()
            raise

    def close(self):
        subprocess.run(["ip", "netns", "del", self.name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=10)


class TapKernel:
    """mote-hosted with the hosted initramfs on TAP `mtap0` at 10.77.0.2,
    Linux at 10.77.0.1. Console lines go in through stdin; output is
    collected by a reader thread."""

    def __init__(self, hosted, build_dir, loss=None, reorder=None, seed=1, deadline=150):
        cmd = [hosted, "--initrd", os.path.join(build_dir, "initramfs.cpio"), "--tap", TAP]
        if loss:
            cmd += ["--net-loss", str(loss)]
        if reorder:
            cmd += ["--net-reorder", str(reorder)]
        cmd += ["--net-seed", str(seed), "--append", f"mote.ip={MOTE_ADDRESS}/24 mote.gw={LINUX_ADDRESS}"]
        self.deadline = time.monotonic() + deadline
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.output = ProcessOutput(self.proc)
        try:
            self.expect(f"on TAP interface {TAP}", timeout=20)
            ip("addr", "add", f"{LINUX_ADDRESS}/24", "dev", TAP)
            ip("link", "set", TAP, "up")
            # etc/rc's httpd answers once it is listening.
            self.wait_port(80, timeout=30)
        except BaseException:
            self.stop()
            raise

    def text(self):
        return self.output.text()

    def expect(self, needle, start=0, timeout=30):
        limit = min(self.deadline, time.monotonic() + timeout)
        try:
            return self.output.wait_for(needle, start, limit, crashed)
        except WaitFailed as e:
            raise AssertionError(f"{e}:\n{self.text()[-3000:]}") from None

    def wait_port(self, port, timeout=30):
        limit = min(self.deadline, time.monotonic() + timeout)
        while True:
            try:
                socket.create_connection((MOTE_ADDRESS, port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > limit:
                    raise AssertionError(f"nothing listens on {MOTE_ADDRESS}:{port}:\n{self.text()[-3000:]}")
                time.sleep(0.05)

    def send(self, line):
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def command(self, line, until, timeout=30):
        """Types `line` and returns the output from there to `until`."""
        at = len(self.text())
        self.send(line)
        end = self.expect(until, at, timeout)
        return self.text()[at:end]

    def stop(self):
        """Kills the kernel and every process of its session (its programs)
        by PID."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        for pid in session_members(self.proc.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.output.join(2)
