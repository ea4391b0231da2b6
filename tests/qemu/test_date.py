#!/usr/bin/env python3
"""The wall clock under QEMU: the kernel reads the machine's real-time clock
at boot (riscv64 virt: Goldfish RTC, aarch64 virt: PL031, x86_64 q35, pc
and microvm: the CMOS clock) and `date` prints it.

Judged from outside, against the host: QEMU starts its RTC at the host's
UTC time (-rtc base=utc, tools/machines.py), so `date` must print a time
within a few minutes of the host's clock when it ran (Python's own calendar
conversion, not the kernel's); with -rtc base=<fixed date> it must print
that date, a few seconds on. sys/clock's seconds, ISO string and source are
checked the same way. On microvm with rtc=off there is no RTC at all: the
clock counts from 1970-01-01 and says so."""
import datetime
import re
import sys

import qemu_harness

SOURCES = {"riscv64": "goldfish-rtc", "aarch64": "pl031", "x86_64": "cmos-rtc"}
DATE_LINE = re.compile(r"^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d) UTC\r?$", re.M)
# A TCG boot to `date` takes seconds; the slack also covers a loaded host.
TOLERANCE = datetime.timedelta(minutes=3)


def run(args, init, extra=()):
    """Boots with `mote.init=init`; returns (output, host UTC before, after)."""
    before = datetime.datetime.now(datetime.timezone.utc)
    q = qemu_harness.Qemu(args, append=f"mote.init={init}", initrd=True, extra=extra)
    try:
        q.expect("init ended:", timeout=60)
        q.wait_exit()
        after = datetime.datetime.now(datetime.timezone.utc)
        text = q.text()
        if "init ended: reason 1 status 0" not in text:
            q.fail(f"{init} did not exit 0")
        return q, text, before, after
    finally:
        q.kill()


def printed_date(q, text):
    m = DATE_LINE.search(text)
    if not m:
        q.fail("date printed no YYYY-MM-DD HH:MM:SS UTC line")
    return datetime.datetime(*map(int, m.groups()), tzinfo=datetime.timezone.utc)


def check_source(q, text, arch):
    source = SOURCES[arch]
    if not re.search(rf"clock: wall clock \d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\dZ from {source}", text):
        q.fail(f"no boot log line saying the wall clock came from {source}")


def check_host_time(args):
    q, text, before, after = run(args, "bin/date")
    check_source(q, text, args.arch)
    shown = printed_date(q, text)
    if not before - TOLERANCE <= shown <= after + TOLERANCE:
        q.fail(f"date printed {shown}, the host's UTC was {before:%Y-%m-%d %H:%M:%S}..{after:%H:%M:%S}")
    print(f"OK: date printed {shown:%Y-%m-%d %H:%M:%S} UTC, host {before:%H:%M:%S}..{after:%H:%M:%S}")


def check_fixed_base(args):
    # A leap day, ten seconds before midnight: date, month and year roll
    # over if the boot took that long, so allow for both sides of it.
    base = datetime.datetime(2040, 2, 29, 23, 59, 50, tzinfo=datetime.timezone.utc)
    q, text, before, after = run(args, "bin/date", extra=["-rtc", f"base={base:%Y-%m-%dT%H:%M:%S}"])
    shown = printed_date(q, text)
    if not base <= shown <= base + (after - before) + datetime.timedelta(seconds=5):
        q.fail(f"with -rtc base={base:%Y-%m-%dT%H:%M:%S} date printed {shown}")
    print(f"OK: -rtc base={base:%Y-%m-%dT%H:%M:%S}: date printed {shown:%Y-%m-%d %H:%M:%S} UTC")


def check_sys_clock(args):
    q, text, before, after = run(args, "bin/cat,sys/clock")
    fields = dict(re.findall(r"^(seconds|ns|utc|known|source|uptime_ns) (\S+)\r?$", text, re.M))
    for key in ("seconds", "ns", "utc", "known", "source", "uptime_ns"):
        if key not in fields:
            q.fail(f"sys/clock has no {key} line")
    seconds = int(fields["seconds"])
    if int(fields["ns"]) // 1_000_000_000 != seconds:
        q.fail(f"sys/clock: ns {fields['ns']} is not seconds {seconds}")
    shown = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
    if fields["utc"] != f"{shown:%Y-%m-%dT%H:%M:%SZ}":
        q.fail(f"sys/clock: utc {fields['utc']} is not {seconds} s after 1970 ({shown:%Y-%m-%dT%H:%M:%SZ})")
    if not before - TOLERANCE <= shown <= after + TOLERANCE:
        q.fail(f"sys/clock: {shown} is not the host's time ({before}..{after})")
    if fields["known"] != "yes" or fields["source"] != SOURCES[args.arch]:
        q.fail(f"sys/clock: known {fields['known']} source {fields['source']}")
    print(f"OK: sys/clock says {fields['utc']} from {fields['source']}")


def check_no_rtc(args):
    """microvm without its RTC (-machine rtc=off): nothing at ports 0x70/0x71."""
    q, text, _, _ = run(args, "bin/date", extra=["-machine", "rtc=off"])
    if "clock: no real-time clock (CMOS RTC rejected: NotPresent)" not in text:
        q.fail("no log line saying there is no real-time clock")
    shown = printed_date(q, text)
    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    if not epoch <= shown <= epoch + datetime.timedelta(seconds=60):
        q.fail(f"without an RTC date printed {shown}, not the uptime after 1970-01-01")
    if "date: no real-time clock" not in text:
        q.fail("date did not say the time is only the time since boot")
    print(f"OK: microvm,rtc=off: date printed {shown:%Y-%m-%d %H:%M:%S} UTC and said there is no RTC")


def main():
    args = qemu_harness.parse_args(__doc__, timeout=120)
    check_host_time(args)
    check_fixed_base(args)
    check_sys_clock(args)
    if args.arch == "x86_64" and args.machine == "microvm":
        check_no_rtc(args)


if __name__ == "__main__":
    sys.exit(main())
