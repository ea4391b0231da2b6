#!/usr/bin/env python3
"""init's service supervision under QEMU, judged from the console and from
the host through QEMU user networking.

The machine boots `mote.init=bin/init,etc/test-services` (user/etc/
test-services), whose services misbehave on purpose:

  * the bad line 9 is reported with its number and the option at fault,
    and the other services still start,
  * crashy (`fault null`) is restarted with growing pauses, 250 ms, 500 ms,
    1 s, then 2 s (its backoff's bound), each end logged with its reason,
    and each crash report names the program, the cause and a backtrace
    through its own functions (load_from, main),
  * flaky answers three UDP datagrams, then hangs: its health check over
    the loopback fails twice, init stops it and starts it again,
  * web, a healthy httpd, passes its TCP check over the loopback and is
    never restarted; udpecho passes its UDP check,
  * stale, an httpd checked on a port it does not serve, is restarted every
    few seconds, and a host client fetches its page through a forwarded
    port after a restart,
  * `services` lists them all with their state, pid, restarts and last
    end, and nothing panicked.

QEMU is bounded in time and killed by PID (qemu_harness)."""
import argparse
import http.client
import os
import re
import time

import qemu_harness
from qemu_harness import machines

HERE = os.path.dirname(os.path.abspath(__file__))
INDEX = open(os.path.join(HERE, "..", "..", "user", "www", "index.html"), "rb").read()


def fetch(port, timeout=3):
    """GET / from the forwarded port; the body, or None."""
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        c.request("GET", "/")
        r = c.getresponse()
        body = r.read()
        c.close()
        return body if r.status == 200 else None
    except (OSError, http.client.HTTPException):
        return None


def fetch_until(q, port, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = fetch(port)
        if body is not None:
            return body
        time.sleep(0.25)
    q.fail(f"no page from the forwarded port {port}")


def expect_re(q, pattern, why, timeout=15):
    """Waits until `pattern` matches the console; fails with `why`."""
    deadline = time.monotonic() + timeout
    while not re.search(pattern, q.text()):
        if time.monotonic() > deadline:
            q.fail(why)
        time.sleep(0.1)


def check_bad_line(q):
    q.expect("init: etc/test-services:9: UnknownOption \"flavor=strawberry\"; line skipped", timeout=60)
    for name in ("crashy", "flaky", "udpecho", "web", "stale"):
        q.expect(f"init: {name}: started, pid ", timeout=30)


def check_crashy(q):
    # Five ends: the pauses double from 250 ms up to the 2 s bound.
    # Wait for five whole lines, not five prefixes: the fifth line's tail
    # can still be on its way when its start has arrived.
    end = re.compile(r"init: crashy: pid \d+ ended (\[fault [^\]]*\]) after \d+ ms; restarting in (\d+ m?s)\r?\n")
    deadline = time.monotonic() + 60
    while len(pauses := end.findall(q.text())) < 5:
        if time.monotonic() > deadline:
            q.fail(f"crashy's ends are not logged with a reason and a pause: {pauses}")
        time.sleep(0.1)
    if [p for _, p in pauses[:5]] != ["250 ms", "500 ms", "1 s", "2 s", "2 s"]:
        q.fail(f"crashy's pauses do not grow 250 ms, 500 ms, 1 s, 2 s, 2 s: {[p for _, p in pauses]}")
    if not re.search(r"init: crashy: started again, pid \d+ \(restart 4\)", q.text()):
        q.fail("crashy was not started a fifth time")
    # The crash report: the program, the cause, then its backtrace with
    # names from its own symbols.
    report = re.search(r"proc: pid (\d+) \(fault\) killed: [^\n]*? at address 0x0, pc (0x[0-9a-f]+) \((.*)\)",
                       q.text())
    if not report or "load_from+0x" not in report.group(3):
        q.fail("crashy's crash report does not name the faulting function")
    pid = report.group(1)
    frames = re.findall(rf"proc: pid {pid} \(fault\)   #(\d+) (0x[0-9a-f]+) ([^\r\n]+)", q.text())
    names = [name for _, _, name in frames]
    if len(frames) < 3 or "load_from+0x" not in names[0] or not names[1].startswith("main+0x"):
        q.fail(f"crashy's backtrace is not load_from, main, ...: {frames}")
    print(f"OK: crashy restarted after 250 ms, 500 ms, 1 s, 2 s, 2 s; its crash report: {' <- '.join(names)}")


def check_flaky(q):
    q.expect("init: flaky: health check udp:9 failed (Timeout), 1 of 2", timeout=60)
    q.expect("init: flaky: health check udp:9 failed (Timeout), 2 of 2", timeout=30)
    q.expect("init: flaky: not healthy; stopping it", timeout=10)
    expect_re(q, r"init: flaky: pid \d+ ended stopped after 2 failed health checks after \d+ ms; "
                 r"restarting in 250 ms", "flaky's end is not logged with its reason and its first pause")
    q.expect("init: flaky: started again, pid ", timeout=10)
    print("OK: flaky stopped answering, failed two health checks, was stopped and started again")


def check_stale_httpd(q, port):
    q.expect("init: stale: health check tcp:8081 failed", timeout=30)
    q.expect("init: stale: started again, pid ", timeout=30)
    # After the restart its page is there again for a host client.
    if fetch_until(q, port) != INDEX:
        q.fail("stale's page after a restart is not www/index.html")
    print("OK: an unhealthy httpd was restarted and a host client fetched its page after the restart")


def check_listing(q):
    shell = qemu_harness.Shell(q, timeout=30)
    out = shell.run("services")
    rows = {}
    for line in out.splitlines():
        m = re.match(r"(\w+)\s+(running|backoff|stopped)\s+(\d+|-)\s+(\d+)\s+(up|in|-)", line)
        if m:
            rows[m.group(1)] = m
    if set(rows) != {"crashy", "flaky", "udpecho", "web", "stale"}:
        q.fail(f"services does not list the five services: {out!r}")
    for name in ("web", "udpecho"):
        if rows[name].group(2) != "running" or rows[name].group(3) == "-" or rows[name].group(4) != "0":
            q.fail(f"{name} is not running unrestarted, with a pid, after its health checks: {out!r}")
    if int(rows["crashy"].group(4)) < 4 or int(rows["stale"].group(4)) < 1 or int(rows["flaky"].group(4)) < 1:
        q.fail(f"services does not count the restarts: {out!r}")
    if "[fault cause=" not in out or "stopped after 2 failed health checks" not in out:
        q.fail(f"services does not give the last ends' reasons: {out!r}")
    for name in ("web", "udpecho"):
        if f"init: {name}: health check" in q.text() or f"init: {name}: pid" in q.text():
            q.fail(f"{name}'s health check failed or it ended")
    print("OK: services lists state, pid, restarts and the last end; web's TCP and udpecho's UDP checks pass")


def main():
    args = qemu_harness.parse_args(__doc__, transport=True, timeout=150.0)
    port = machines.free_port("tcp")
    options = argparse.Namespace(transport=args.transport, disk=None, disk_cache=None, no_net=False,
                                 machine=getattr(args, "machine", None), fwd=[f"tcp:{port}:8080"])
    devices = machines.device_args(args.arch, options)
    q = qemu_harness.Qemu(args, append="mote.init=bin/init,etc/test-services", initrd=True, devices=devices)
    try:
        check_bad_line(q)
        check_crashy(q)
        check_flaky(q)
        check_stale_httpd(q, port)
        check_listing(q)
        if "MOTE-PANIC" in q.text() or "MOTE CRASH" in q.text():
            q.fail("the kernel crashed")
        print(f"PASS: {args.arch}: init restarts crashed and unhealthy services with backoff and says why")
    finally:
        q.kill()


if __name__ == "__main__":
    main()
