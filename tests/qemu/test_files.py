#!/usr/bin/env python3
"""The file programs on a bare-metal kernel: a short session in the user
shell on /tmp (a ramfs) over the serial console: redirection, cp, ln and
ln -s, ls -l link counts, mv over an existing file, mkdir -p and rm -r, df,
and a failure named by its error. The longer version runs under the hosted
kernel (tests/integration/test_hosted_user.py, test_file_programs_on_tmp);
expected contents and link counts are POSIX's."""
import re
import sys

import qemu_harness


def main():
    args = qemu_harness.parse_args(__doc__, timeout=120)
    q = qemu_harness.Qemu(args, initrd=True)
    try:
        run = qemu_harness.Shell(q).run

        def output(line):
            """What `line` printed, without the echoed line, CRs dropped."""
            text = run(line).replace("\r", "")
            if text.endswith("$ "):
                text = text[:-2]  # the next prompt
            return text.split("\n", 1)[1] if "\n" in text else ""

        output("echo hi > /tmp/a")
        output("cp /tmp/a /tmp/b")
        if "hi\n" not in output("cat /tmp/b"):
            q.fail("cp did not copy what echo wrote through the redirection")
        output("ln /tmp/a /tmp/a2")
        output("ln -s b /tmp/lb")
        listing = output("ls -l /tmp")
        for pattern in (r"(?m)^-rw-r--r--\s+2\s+3 \S+ \S+ a$", r"(?m)^-rw-r--r--\s+2\s+3 \S+ \S+ a2$",
                        r"(?m)^lrwxrwxrwx\s+1\s+1 \S+ \S+ lb -> b$"):
            if not re.search(pattern, listing):
                q.fail(f"ls -l /tmp: no line matching {pattern!r} in {listing!r}")
        output("echo new > /tmp/c")
        output("mv /tmp/c /tmp/a")
        if "new\n" not in output("cat /tmp/a") or "hi\n" not in output("cat /tmp/a2"):
            q.fail("mv over an existing file: wrong contents behind the two names")
        if "hi\n" not in output("cat /tmp/lb"):
            q.fail("cat through a symlink")
        output("mkdir -p /tmp/d/e/f")
        output("echo x >> /tmp/d/e/f/g")
        output("rm -r /tmp/d")
        # The services init starts keep their logs in /tmp too, and init its
        # record of them (tmp/services).
        names = [n for n in output("ls /tmp").split() if n not in ("httpd.log", "udpecho.log", "services")]
        if names != ["a", "a2", "b", "lb"]:
            q.fail(f"ls /tmp after rm -r: {names}")
        failed = output("rm /tmp/nope")
        if "rm: /tmp/nope: NotFound" not in failed or "[exit 1]" not in failed:
            q.fail(f"rm of a missing name: {failed!r}")
        df = output("df")
        if not re.search(r"(?m)^ramfs\s+\S+\s+\S+\s+\S+\s+\d+% /tmp$", df):
            q.fail(f"df does not show /tmp as a ramfs: {df!r}")
        if output("sync"):
            q.fail("sync printed something")
        q.send("poweroff\r")
        if q.wait_exit() != 0:
            q.fail("poweroff did not end QEMU with status 0")
        print("OK: files on /tmp: redirection, cp, ln, ln -s, ls -l, mv over a file, mkdir -p, rm -r, df, sync")
    finally:
        q.kill()


if __name__ == "__main__":
    sys.exit(main())
