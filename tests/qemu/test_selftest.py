#!/usr/bin/env python3
"""Boot with mote.test=all: every in-kernel self-test must pass, the summary
line must appear, nothing may panic, and the machine must power off with
QEMU exit status 0, all within the timeout."""
import re
import sys

import qemu_harness


def main():
    args = qemu_harness.parse_args(__doc__)
    q = qemu_harness.Qemu(args, append="mote.test=all mote.panic=poweroff")
    try:
        q.expect(" passed, ")
        status = q.wait_exit()
        text = q.text()
        summary = re.search(r"(\d+) passed, (\d+) failed", text)
        if "MOTE-PANIC" in text:
            q.fail("MOTE-PANIC in the output")
        if not summary:
            q.fail("no 'N passed, N failed' summary")
        passed, failed = int(summary.group(1)), int(summary.group(2))
        if failed or passed == 0:
            q.fail(f"self-tests: {passed} passed, {failed} failed")
        if status != 0:
            q.fail(f"QEMU exit status {status}, expected 0")
        print(f"OK: {passed} self-tests passed")
    finally:
        q.kill()


if __name__ == "__main__":
    sys.exit(main())
