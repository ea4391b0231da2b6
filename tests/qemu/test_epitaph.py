#!/usr/bin/env python3
"""What a crash leaves behind, judged from outside, across warm resets of one
QEMU (RAM kept; no -no-reboot, so a reset boots again in the same process):

1. A cold boot finds no epitaph (sys/epitaph says so).
2. `+power crash secret HEX` makes HEX the CSPRNG's key and panics holding
   it (the crash program keeps it in its own buffer too). Neither the
   console nor the epitaph page (read by QEMU's monitor, pmemsave, at the
   address the report names) may hold the secret, as text or as bytes.
   The monitor then resets the machine.
3. The next boot prints "previous boot ended in a crash: ..." and
   sys/epitaph shows the record: kind, cause, the crash program as the
   current process, the registers withheld; sys/epitaph_log (with the
   log lines) is refused to the shell, as sys/log is.
4. `+power crash hang` wedges a kernel handler: the kernel watchdog
   (mote.watchdog=2) reports it by name, leaves an epitaph and resets the
   machine by itself; the boot after says so.
5. `crash hang-irqoff` wedges it with interrupts off: on x86_64 q35 (with
   -device i6300esb) the watchdog device resets the machine and the next
   boot says so; elsewhere (no watchdog device) the kernel refuses it.
6. `poweroff reboot` leaves a Clean record: the next boot says "ended
   cleanly"."""
import os
import re
import sys
import tempfile
import time

import qemu_harness


def secret_forms(key):
    """The ways the key could show: its hex text and each 8-byte word as the
    report prints registers (hex, both byte orders)."""
    forms = [key.hex()]
    for i in range(0, 32, 8):
        word = key[i:i + 8]
        forms += [word[::-1].hex(), word.hex()]
    return forms


def main():
    args = qemu_harness.parse_args(__doc__, timeout=240)
    device = args.arch == "x86_64" and (args.machine or "q35") == "q35"
    q = qemu_harness.Qemu(args, initrd=True, append="mote.watchdog=2",
                          extra=["-device", "i6300esb"] if device else [])
    dump = tempfile.NamedTemporaryFile(prefix="mote-epitaph-", delete=False)
    dump.close()
    try:
        sh = qemu_harness.Shell(q, timeout=90)
        out = sh.run("cat sys/epitaph")
        if "no epitaph from a previous boot" not in out:
            q.fail(f"a cold boot should find no epitaph: {out!r}")
        if device and "i6300esb at 0x" not in q.text():
            q.fail("the i6300esb was not started")
        if not device:
            out = sh.run("+power crash hang-irqoff")
            if "crash: Unsupported" not in out:
                q.fail(f"hang-irqoff without a watchdog device must be refused: {out!r}")

        # 2: a crash holding a secret.
        key = os.urandom(32)
        crash_at = len(q.text())
        q.send(f"+power crash secret {key.hex()}\r")
        crash_at = q.expect("MOTE CRASH", crash_at, timeout=60, panic_ok=True)
        end = q.expect("MOTE-PANIC", crash_at, timeout=60, panic_ok=True)
        q.expect("\n", end, timeout=60, panic_ok=True)
        report = q.text()[crash_at:]
        for form in secret_forms(key):
            if form in report:
                q.fail(f"the crash report shows the secret ({form})")
        if "registers: withheld" not in report:
            q.fail("a crash inside the CSPRNG must withhold the registers")
        m = re.search(r"epitaph: boot (\d+) in RAM at (0x[0-9a-f]+)", report)
        if not m:
            q.fail("the report does not say where the epitaph went")
        boot, address = int(m.group(1)), m.group(2)
        # QEMU's monitor (Ctrl-A c on the mon:stdio serial): save the page, reset.
        q.send(b"\x01c")
        q.send(f"pmemsave {address} 4096 \"{dump.name}\"\r")
        limit = time.monotonic() + 20
        while os.path.getsize(dump.name) < 4096 and time.monotonic() < limit:
            time.sleep(0.1)
        time.sleep(0.2)
        page = open(dump.name, "rb").read()
        if len(page) != 4096 or not page.startswith(b"MOTEEPI1"):
            q.fail(f"the page at {address} holds no epitaph ({page[:8]!r})")
        if key.hex().encode() in page or any(key[i:i + 8] in page for i in range(0, 32, 8)):
            q.fail("the epitaph page holds the secret")
        reset_at = len(q.text())
        q.send("system_reset\r")
        q.send(b"\x01c")

        # 3: the next boot tells.
        booted = q.expect("previous boot ended in a crash: crash requested through sys/power (holding a secret)",
                          reset_at, timeout=90, panic_ok=True)
        sh = qemu_harness.Shell(q, timeout=90, start=booted, panic_ok=True)
        out = sh.run("cat sys/epitaph")
        for needle in ("state: crashed", "kind: panic", f"boot: {boot}", "process: pid", "(crash)",
                       "registers: withheld", f"place: RAM {address}", "log: "):
            if needle not in out:
                q.fail(f"sys/epitaph lacks {needle!r}: {out!r}")
        out = sh.run("cat sys/epitaph_log")
        if "AccessDenied" not in out:
            q.fail(f"sys/epitaph_log (with the log lines) must be privileged: {out!r}")
        # Everything but the command line typed (and echoed) with the key.
        text = q.text().replace(f"crash secret {key.hex()}", "")
        for form in secret_forms(key):
            if form in text:
                q.fail(f"the console shows the secret ({form})")

        # 4: the kernel watchdog.
        hang_at = len(q.text())
        q.send("+power crash hang\r")
        end = q.expect("MOTE-PANIC: watchdog:", hang_at, timeout=60, panic_ok=True)
        report = q.text()[hang_at:]
        for needle in ("MOTE CRASH: kernel watchdog", "deferred call", "wedged_loop_handler"):
            if needle not in report:
                q.fail(f"the watchdog's report lacks {needle!r}")
        booted = q.expect("previous boot ended in a crash: watchdog:", end, timeout=90, panic_ok=True)
        sh = qemu_harness.Shell(q, timeout=90, start=booted, panic_ok=True)
        out = sh.run("cat sys/epitaph")
        for needle in ("kind: watchdog", f"boot: {boot + 1}", "wedged_loop_handler", "registers: "):
            if needle not in out:
                q.fail(f"sys/epitaph after the watchdog lacks {needle!r}: {out!r}")
        if device:
            # 5: interrupts off: only the i6300esb can reset this.
            at = len(q.text())
            sh.q.send("+power crash hang-irqoff\r")
            booted = q.expect("reset by the i6300esb watchdog", at, timeout=60, panic_ok=True)
            if "MOTE-PANIC" in q.text()[at:]:
                q.fail("a kernel wedged with interrupts off cannot report; something else did")
            if "ended without an epitaph" not in q.text()[at:]:
                q.fail("after the device's reset the previous boot's record must read 'without an epitaph'")
            out = qemu_harness.Shell(q, timeout=90, start=booted, panic_ok=True).run("cat sys/epitaph")
            for needle in ("state: running", "reset by: the i6300esb watchdog device"):
                if needle not in out:
                    q.fail(f"sys/epitaph after the device's reset lacks {needle!r}: {out!r}")
        # 6: an orderly reboot leaves a Clean record.
        at = len(q.text())
        sh.q.send("poweroff reboot\r")
        booted = q.expect("ended cleanly", at, timeout=90, panic_ok=True)
        qemu_harness.Shell(q, timeout=90, start=booted, panic_ok=True)
        print("OK: no epitaph cold; a secret crash scrubbed from report and page; the next boot's line and "
              "sys/epitaph; the kernel watchdog named the wedged handler, reset, and was told of" +
              ("; the i6300esb reset a kernel wedged with interrupts off" if device else "") +
              "; an orderly reboot was told of as clean")
    finally:
        q.kill()
        os.unlink(dump.name)


if __name__ == "__main__":
    sys.exit(main())
