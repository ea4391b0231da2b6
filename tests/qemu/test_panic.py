#!/usr/bin/env python3
"""`panic` in the shell must print the whole crash report (registers and a
symbolized backtrace through the shell), then the MOTE-PANIC line, and with
mote.panic=poweroff the machine must power off by itself."""
import sys

import qemu_harness


def main():
    args = qemu_harness.parse_args(__doc__)
    q = qemu_harness.Qemu(args, append="mote.panic=poweroff")
    try:
        at = q.expect("mote> ", timeout=30)
        q.send("panic\r")
        q.wait_exit()
        text = q.text()[at:]
        for needle in ("MOTE CRASH: kernel panic", "registers:", "backtrace:",
                       "Shell::run_line", "MOTE-PANIC: panic requested from the shell"):
            if needle not in text:
                q.fail(f"crash report lacks {needle!r}")
        # command_panic ends in a call to Machine::crash_on_request, which -Os
        # may compile as a tail call (x86_64 does): then only the callee's
        # frame is on the stack.
        if "command_panic" not in text and "crash_on_request" not in text:
            q.fail("crash report lacks 'command_panic' (or its tail callee 'crash_on_request')")
        if text.index("backtrace:") > text.index("MOTE-PANIC"):
            q.fail("MOTE-PANIC must be the report's last line")
        print("OK: crash report with registers and a symbolized backtrace, then MOTE-PANIC and power-off")
    finally:
        q.kill()


if __name__ == "__main__":
    sys.exit(main())
