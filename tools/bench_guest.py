"""What the QEMU benchmark suites share: a guest booted with its serial
console on a pipe (_Console), and where the Linux peer's recipes are
(PEERS_DIR: ../shared/peers)."""
import os
import subprocess


class _Console:
    """A guest booted with `argv`, its serial console on a pipe: a thread
    collects the output, send() types into the serial input. The benchmarks
    that drive Mote's shell (blk, the boot timeline) share it; stop() kills
    QEMU by its PID if it is still running."""

    def __init__(self, argv):
        from process_output import ProcessOutput
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.output = ProcessOutput(self.proc)

    def text(self):
        return self.output.text()

    def wait_for(self, needle, start, timeout):
        """(all text so far, the offset just past `needle`), once it appears
        at or after `start`; None after `timeout` seconds or once QEMU has
        exited without it."""
        import time
        from process_output import WaitFailed
        try:
            at = self.output.wait_for(needle, start, time.monotonic() + timeout)
        except WaitFailed:
            return None
        return self.output.text(), at

    def send(self, line):
        self.proc.stdin.write(f"{line}\r".encode())
        self.proc.stdin.flush()

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, 9)
            self.proc.wait()


# MOTE_PEERS, else the first folder above the checkout that holds
# shared/peers (../shared/peers for the main checkout, one more level up for
# a git worktree under wt/).
def _find_peers():
    folder = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    while True:
        parent = os.path.dirname(folder)
        candidate = os.path.join(parent, "shared", "peers")
        if os.path.isdir(candidate) or parent == folder:
            return candidate
        folder = parent


PEERS_DIR = os.environ.get("MOTE_PEERS") or _find_peers()


def results(text):
    """The `RESULT {json}` lines the peers' clients print, decoded."""
    import json
    return [json.loads(line[7:]) for line in text.splitlines() if line.startswith("RESULT ")]


def boot_mote_with_client(arch, transport, machine, build_dir, fwd, marker, client, label):
    """Boots Mote (with its initramfs, on a private scratch disk, `fwd`
    host ports forwarded) under the peers' boottime.py, which runs the
    `client` command line once `marker` is on the console; returns the
    RESULT lines of the whole run (None and the output's tail printed if
    there are none)."""
    import sys
    import tempfile
    import machines
    with tempfile.TemporaryDirectory(prefix=f"mote-bench-{label}-") as tmp:
        disk = os.path.join(tmp, "disk.img")
        with open(disk, "wb") as f:
            f.truncate(1 << 20)
        opts = type("Options", (), {"transport": transport, "disk": disk, "disk_cache": None, "no_net": False,
                                    "fwd": fwd, "machine": machine})()
        argv = machines.qemu_argv(arch, machines.kernel_path(arch, build_dir(arch)), machine=machine,
                                  devices=machines.device_args(arch, opts),
                                  initrd=machines.initramfs_path(build_dir(arch)))
        cmd = [sys.executable, os.path.join(PEERS_DIR, "bench", "boottime.py"), "--runs", "1", "--timeout", "90",
               "--marker", marker, "--log", os.path.join(tmp, "console"), "--then", client, "--"] + argv
        print(f"$ {' '.join(cmd)}", flush=True)
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=400)
    found = results(proc.stdout)
    if not found:
        print(proc.stdout[-3000:])
    return found
