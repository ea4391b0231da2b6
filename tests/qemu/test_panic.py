#!/usr/bin/env python3
"""A kernel panic asked for from the user shell (`+power crash panic`: the
crash program writes "panic" to sys/power, kernel/boot/crash_requests.hpp)
must print the whole crash report: the cause, registers, a symbolized
backtrace through the write syscall that asked for it, then the MOTE-PANIC
line last; with mote.panic=poweroff the machine must then power off by
itself."""
import sys

import qemu_harness


def main():
    args = qemu_harness.parse_args(__doc__)
    q = qemu_harness.Qemu(args, append="mote.panic=poweroff", initrd=True)
    try:
        sh = qemu_harness.Shell(q, timeout=60)
        at = sh.at
        q.send("+power crash panic\r")
        q.wait_exit()
        text = q.text()[at:]
        for needle in ("MOTE CRASH: kernel panic", "crash requested through sys/power", "registers:", "backtrace:",
                       "MOTE-PANIC: crash requested through sys/power"):
            if needle not in text:
                q.fail(f"crash report lacks {needle!r}")
        # The panic happens inside the write to sys/power: the backtrace
        # names the request's handler (or, where -Os made the call a tail
        # call, the machine's crash_on_request it ends in) and the syscall.
        if "request_crash" not in text and "crash_on_request" not in text:
            q.fail("crash report lacks 'request_crash' (or its tail callee 'crash_on_request')")
        backtrace = text[text.index("backtrace:"):]
        for frame in ("Syscalls::sys_write",):
            if frame not in backtrace:
                q.fail(f"the backtrace does not pass through {frame!r}")
        if text.index("backtrace:") > text.index("MOTE-PANIC"):
            q.fail("MOTE-PANIC must be the report's last line")
        print("OK: crash report with registers and a symbolized backtrace, then MOTE-PANIC and power-off")
    finally:
        q.kill()


if __name__ == "__main__":
    sys.exit(main())
