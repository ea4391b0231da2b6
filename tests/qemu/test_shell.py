#!/usr/bin/env python3
"""Boot to the user shell (init starts sh from the initramfs) and talk to it
over the serial console like a person: uname (which names the image's
profile), mem, devices, uptime, random, an unknown command and garbage bytes
must each get the right answer; the network exists in a full image and not
in a minimal one (init leaves the services that need it stopped); then
poweroff must end QEMU with status 0."""
import re
import sys

import qemu_harness


def command(sh, line):
    """Types `line`, waits for the next prompt; returns what came between
    (without the echoed line)."""
    out = sh.run(line)
    begin = out.find(line)
    return out[begin + len(line):] if begin >= 0 else out


# The boot steps every bare-metal platform marks, in order (after its own
# platform steps); see BootTimeline.
KERNEL_STEPS = ["kernel", "devices", "network", "init", "prompt"]
PLATFORM_STEPS = {"riscv64": ["early", "devicetree", "console", "memory"],
                  "aarch64": ["early", "devicetree", "console", "memory"],
                  "x86_64": ["early", "console", "acpi", "interrupts", "timer", "memory"]}


def check_boot_timeline(q, arch, answer, uptime_ms):
    """`uptime`'s boot lines: every step named in order, each a duration
    that is not negative, adding up to the total, which came before the
    uptime it was printed at; firmware time (all these machines start their
    counter at reset) present and positive."""
    head = re.search(r"boot: prompt ready (\d+\.\d) ms after kernel entry "
                     r"\(before it, firmware and loader: (\d+\.\d) ms\)", answer)
    steps = re.search(r"boot steps \(ms\): (.*)", answer)
    if not head or not steps:
        q.fail(f"uptime: no boot timeline in {answer!r}")
    total, firmware = float(head.group(1)), float(head.group(2))
    pairs = [s.strip().rsplit(" ", 1) for s in steps.group(1).strip().split(",")]
    names = [p[0] for p in pairs]
    durations = [float(p[1]) for p in pairs]
    expected = PLATFORM_STEPS[arch] + KERNEL_STEPS
    if names != expected:
        q.fail(f"uptime: boot steps {names}, expected {expected}")
    # Each figure is rounded to 0.1 ms on its own.
    if abs(sum(durations) - total) > 0.05 * len(durations) + 0.05:
        q.fail(f"uptime: boot steps add up to {sum(durations):.1f} ms, the total says {total} ms")
    if not 0 < total < uptime_ms or firmware <= 0:
        q.fail(f"uptime: boot took {total} ms of an uptime of {uptime_ms} ms, firmware {firmware} ms")


def main():
    args = qemu_harness.parse_args(__doc__)
    q = qemu_harness.Qemu(args, initrd=True)
    try:
        sh = qemu_harness.Shell(q, timeout=60)

        answer = command(sh, "uname")
        if not re.search(rf"Mote \d+\.\d+\.\d+ \(\S+\), {args.arch} build, {args.profile} profile, on ", answer):
            q.fail(f"uname: expected the {args.arch} build and the {args.profile} profile in {answer!r}")
        answer = command(sh, "services")
        network = args.profile == "full"
        for service in ("udpecho", "httpd"):
            line = next((l for l in answer.splitlines() if l.startswith(service)), "")
            stopped = re.search(r"\bstopped\b.*needs net", line) is not None
            if stopped == network:
                q.fail(f"services in a {args.profile} image: {service}: {line!r}")
        answer = command(sh, "net")
        if ("sys/net: NotFound" in answer) == network:
            q.fail(f"net in a {args.profile} image: {answer!r}")

        answer = command(sh, "mem")
        m = re.search(r"RAM (\S+ \S+) \((\d+) bytes\), reserved .*, usable", answer)
        if not m or "pages:" not in answer:
            q.fail(f"mem: unexpected answer {answer!r}")
        expected = {"128M": 128 << 20, "16M": 16 << 20, "2G": 2 << 30}.get(args.memory)
        ram = int(m.group(2))
        if expected and args.arch == "x86_64":
            # A PC's E820 map leaves out the legacy hole (0xa0000..0x100000)
            # and what the firmware keeps at the top of low RAM (ACPI tables,
            # SeaBIOS): RAM is a little less than -m, never more.
            if not expected - (2 << 20) <= ram <= expected:
                q.fail(f"mem: RAM {ram} bytes, -m {args.memory} is {expected} (less at most 2 MiB of holes)")
        elif expected and ram != expected:
            q.fail(f"mem: RAM {m.group(2)} bytes, -m {args.memory} is {expected}")
        if not re.search(r"user: \d+ processes, \d+ pages resident", answer):
            q.fail(f"mem: no line for the processes in {answer!r}")

        answer = command(sh, "devices")
        uart = "arm,pl011" if args.arch == "aarch64" else "ns16550a"
        line = next((l for l in answer.splitlines() if uart in l), None)
        if not line or "console" not in line or " irq " not in line:
            q.fail(f"devices: no bound {uart} console with an irq in {answer!r}")
        # microvm without virtio devices has nothing the kernel leaves alone:
        # console, APICs and the CMOS clock.
        if "no driver" not in answer and getattr(args, "machine", None) != "microvm":
            q.fail("devices: every device claims a driver?")
        rtc = {"riscv64": "goldfish-rtc (wall clock)", "aarch64": "pl031 (wall clock)",
               "x86_64": "cmos-rtc (wall clock)"}[args.arch]
        if rtc not in answer:
            q.fail(f"devices: the real-time clock is not listed as {rtc!r}")

        answer = command(sh, "layout")
        if not re.search(r"0x[0-9a-f]+", answer) or "no memory layout" in answer:
            q.fail(f"layout: no kernel layout in {answer!r}")

        answer = command(sh, "uptime")
        up = re.search(r"up (\d+\.\d{3}) s", answer)
        if not up or "irqs" not in answer:
            q.fail(f"uptime: unexpected answer {answer!r}")
        check_boot_timeline(q, args.arch, answer, float(up.group(1)) * 1000)

        # Random bytes come from the kernel CSPRNG once something seeded it
        # (x86_64's RDRAND/RDSEED, or the jitter and interrupt timing the
        # kernel credits); otherwise the program says so and fails.
        first, second = command(sh, "random 16"), command(sh, "random 16")
        hexes = re.findall(r"^([0-9a-f]{32})\r?$", first + second, re.M)
        if len(hexes) == 2:
            if hexes[0] == hexes[1]:
                q.fail(f"random: the same 16 bytes twice: {hexes[0]}")
        elif "not seeded yet" not in first:
            q.fail(f"random: neither bytes nor the unseeded error: {first!r}")

        answer = command(sh, "frobnicate")
        if "sh: frobnicate: not found" not in answer:
            q.fail(f"unknown command: unexpected answer {answer!r}")

        # Control and high bytes: the line is refused, the shell survives.
        q.send(b"\x01\x02\xff\xfe\x10garbage\r")
        refused = q.expect("sh: line has unreadable or too many characters; ignored", sh.at)
        sh.at = q.expect("$ ", refused)
        answer = command(sh, "uptime")
        if "up " not in answer:
            q.fail(f"shell did not survive garbage bytes: {answer!r}")

        q.send("poweroff\r")
        status = q.wait_exit()
        if "MOTE-PANIC" in q.text():
            q.fail("MOTE-PANIC in the output")
        if status != 0:
            q.fail(f"poweroff: QEMU exit status {status}, expected 0")
        print(f"OK: the user shell answered uname ({args.profile} profile), services and net as the profile has them, "
              "mem, devices, layout, uptime with the boot timeline, random, an unknown command and garbage; "
              "poweroff exit 0")
    finally:
        q.kill()


if __name__ == "__main__":
    sys.exit(main())
