#!/usr/bin/env python3
"""Signed programs and a read-only system under QEMU, each case a new boot of
an initramfs this test changes from the build's own (build/<arch>/
initramfs.cpio, signed by the build with the key the kernel trusts):

  1. One byte of bin/date flipped, and bin/intruder (a copy of bin/true)
     added after signing. The machine boots to the user shell; `date` and
     `intruder` are refused with Untrusted, a kernel log line naming each
     program and the reason, and an audit record each; `ls`, `echo` and
     `true` still run. /sys/trust counts the refusals. Writes to the
     system (bin/, etc/, www/) fail with ReadOnly and change nothing.
  2. The manifest re-signed by a key the test makes (openssl): the boot log
     says the manifest is not signed by this kernel's key, init is refused,
     and with nothing to run (the kernel has no shell of its own) the
     machine says so and powers off by itself, status 0, no program ran.

QEMU is bounded in time and killed by PID (qemu_harness)."""
import os
import re
import subprocess
import sys
import tempfile

import qemu_harness

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
import mkcpio  # noqa: E402
import sign_manifest  # noqa: E402

def load_entries(kernel):
    path = os.path.join(os.path.dirname(os.path.abspath(kernel)), "initramfs.cpio")
    with open(path, "rb") as f:
        return mkcpio.read_newc(f.read())


def write_archive(entries, folder, name):
    path = os.path.join(folder, name)
    with open(path, "wb") as f:
        f.write(mkcpio.newc_archive(entries))
    return path


def entry_index(entries, name):
    for i, (entry_name, _, _) in enumerate(entries):
        if entry_name == name.encode():
            return i
    raise SystemExit(f"FAIL: the build's initramfs has no {name}")


def tampered_boot(args, folder, original):
    entries = list(original)
    date = entry_index(entries, "bin/date")
    name, mode, data = entries[date]
    middle = len(data) // 2
    changed = data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1:]
    entries[date] = (name, mode, changed)
    _, true_mode, true_data = entries[entry_index(entries, "bin/true")]
    entries.append((b"bin/intruder", true_mode, true_data))
    initrd = write_archive(entries, folder, "tampered.cpio")

    q = qemu_harness.Qemu(args, initrd=initrd)
    try:
        q.expect("trust: etc/manifest: ", timeout=30)
        shell = qemu_harness.Shell(q, timeout=60)
        out = shell.run("date")
        if "sh: date: Untrusted" not in out:
            q.fail(f"date (one byte flipped) was not refused with Untrusted: {out!r}")
        q.expect("trust: refused date: its SHA-512 is not the signed manifest's")
        out = shell.run("intruder")
        if "sh: intruder: Untrusted" not in out:
            q.fail(f"intruder (added after signing) was not refused with Untrusted: {out!r}")
        q.expect("trust: refused intruder: not in the signed manifest")
        # The rest of the system runs.
        out = shell.run("echo still here")
        if "still here" not in out:
            q.fail(f"echo did not run after the refusals: {out!r}")
        out = shell.run("ls /bin")
        if "date" not in out.split() or "intruder" not in out.split():
            q.fail(f"ls /bin does not list the refused programs: {out!r}")
        out = shell.run("true")
        if "sh: true" in out:
            q.fail(f"true (the intruder's own, signed copy) did not run: {out!r}")
        out = shell.run("cat /sys/trust")
        refused = re.search(r"^refused: (\d+)", out, re.M)
        if not refused or int(refused.group(1)) != 2 or "manifest: verified" not in out:
            q.fail(f"/sys/trust does not show the manifest verified and 2 refusals: {out!r}")
        out = shell.run("audit")
        untrusted = [line for line in out.splitlines() if line.endswith(" Untrusted") and " deny " in line]
        if len(untrusted) != 2:
            q.fail(f"audit shows {len(untrusted)} Untrusted denials, not 2: {out!r}")
        # The system is read-only: every kind of write fails with a named
        # error, and the files are unchanged.
        for line, said in [("rm /bin/ls", "rm: /bin/ls: ReadOnly"),
                           ("echo x > /bin/sh", "sh: /bin/sh: ReadOnly"),
                           ("mkdir /etc/new", "mkdir: /etc/new: ReadOnly"),
                           ("touch /www/new", "touch: /www/new: ReadOnly"),
                           ("mv /etc/motd /etc/motd2", "mv: /etc/motd: ReadOnly")]:
            out = shell.run(line)
            if said not in out:
                q.fail(f"{line!r}: expected {said!r}, got {out!r}")
        out = shell.run("ls /bin")
        if "ls" not in out.split():
            q.fail(f"bin/ls is gone after a refused rm: {out!r}")
        if "MOTE-PANIC" in q.text():
            q.fail("the kernel panicked")
    finally:
        q.kill()
    print(f"OK: {args.arch}: a changed and an added program are refused (Untrusted, logged, audited), "
          "the others run, the system is read-only")


def other_key_boot(args, folder, original):
    key = os.path.join(folder, "other.pem")
    subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", key], check=True,
                   stdout=subprocess.DEVNULL)
    entries = list(original)
    files = [(name, data) for name, mode, data in entries if mode & 0o170000 == mkcpio.TYPE_REGULAR]
    at = entry_index(entries, sign_manifest.MANIFEST_PATH)
    name, mode, _ = entries[at]
    entries[at] = (name, mode, sign_manifest.manifest_for(files, key))
    initrd = write_archive(entries, folder, "other-key.cpio")

    q = qemu_harness.Qemu(args, initrd=initrd)
    try:
        q.expect("trust: etc/manifest is not signed by this kernel's key", timeout=30)
        q.expect("trust: refused init: the initramfs's manifest is not signed by this kernel's key (WrongKey)")
        at = q.expect("cannot start bin/init: Untrusted")
        q.expect("no init: the kernel has no interface of its own; powering off", start=at)
        status = q.wait_exit()
        if status != 0:
            q.fail(f"QEMU exit status {status} after the power-off, expected 0")
        text = q.text()
        if "Welcome to Mote." in text or "$ " in text[at:]:
            q.fail("the user shell ran from an initramfs signed by another key")
        if "MOTE-PANIC" in text:
            q.fail("the kernel panicked instead of powering off")
    finally:
        q.kill()
    print(f"OK: {args.arch}: a manifest signed by another key is refused at boot; the machine powers off")


def main():
    args = qemu_harness.parse_args(__doc__, timeout=150.0)
    original = load_entries(args.kernel)
    with tempfile.TemporaryDirectory(prefix="mote-signing-") as folder:
        tampered_boot(args, folder, original)
        other_key_boot(args, folder, original)
    print(f"PASS: {args.arch}: only signed programs run, and the system is read-only")
    return 0


if __name__ == "__main__":
    sys.exit(main())
