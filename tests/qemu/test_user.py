#!/usr/bin/env python3
"""User space under QEMU: programs from the initramfs run in their own
address spaces and reach the kernel only through syscalls.

Judged from outside: what the programs print on the serial line, the
kernel's one-line fault reports, and QEMU exiting when the first program
(mote.init=...) ends. The shell session's `ls bin` and `cat etc/motd` are
compared with the build's initramfs tree and the motd in the source tree,
not with anything the kernel says about itself. Three fpcheck programs
run at once must agree on their floating-point results to the bit."""
import argparse
import os
import re
import sys
import tempfile
import time

import qemu_harness
import machines  # noqa: E402 (qemu_harness put tools/ on the path)

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def boot_init(args, init, timeout=60, memory=None):
    """Boots with `mote.init=init`; returns the output once QEMU exits."""
    q = qemu_harness.Qemu(args, append=f"mote.init={init}", initrd=True, memory=memory)
    try:
        q.expect("init ended:", timeout=timeout)
        q.wait_exit()
        return q, q.text()
    finally:
        q.kill()


def check_init_programs(args):
    q, text = boot_init(args, "bin/echo,hello,,world")
    if "hello  world\r\n" not in text and "hello  world\n" not in text:
        q.fail("echo as init did not print its arguments")
    if "init ended: reason 1 status 0" not in text:
        q.fail("echo's exit was not reported as a clean exit 0")
    q, text = boot_init(args, "bin/false")
    if "init ended: reason 1 status 1" not in text:
        q.fail("false's exit status 1 was not reported")
    print("OK: init runs a program with its arguments and reports its exit")


# The function each fault is made in (user/programs/fault.cpp), which the
# crash report's backtrace names before main.
FAULT_FUNCTIONS = {"null": "load_from", "kernel": "load_from", "stack": "recurse", "illegal": "illegal_instruction",
                   "write-ro": "store_to"}


def check_faults(args):
    for case in ("null", "kernel", "exec", "stack", "illegal", "write-ro"):
        q, text = boot_init(args, f"bin/fault,{case}")
        report = re.search(r"proc: pid 1 \(fault\) killed: (.+) at address (0x[0-9a-f]+), pc (0x[0-9a-f]+)(.*)", text)
        if not report:
            q.fail(f"fault {case}: no one-line fault report")
        if "init ended: reason 3" not in text:
            q.fail(f"fault {case}: exit reason is not Fault")
        if "MOTE-PANIC" in text or "MOTE CRASH" in text:
            q.fail(f"fault {case}: the kernel crashed")
        if case == "null" and report.group(2) != "0x0":
            q.fail("null: fault address is not 0")
        # The program keeps its symbols: the report names the function (not
        # for exec, whose pc is in the data it jumped to).
        if case != "exec" and not re.match(r" \(.*\b\w+\+0x[0-9a-f]+\)", report.group(4)):
            q.fail(f"fault {case}: the pc is not symbolized: {report.group(0)!r}")
        if case == "kernel" and not int(report.group(2), 16) >= 1 << 47 and not int(report.group(2), 16) >= 0xffffffc000000000:
            q.fail("kernel: fault address is not a kernel address")
        # The backtrace: one line per frame from the program's frame
        # pointers, innermost first, named from its own symbols.
        frames = re.findall(r"proc: pid 1 \(fault\)   #(\d+) (0x[0-9a-f]+) ([^\r\n]+)", text)
        names = [name for _, _, name in frames]
        if [int(n) for n, _, _ in frames] != list(range(len(frames))) or len(frames) < 2:
            q.fail(f"fault {case}: no backtrace: {frames}")
        if frames[0][1] != report.group(3):
            q.fail(f"fault {case}: the backtrace does not start at the faulting pc")
        if case == "stack":
            # Deep recursion: the walk stops at its bound, and says so.
            if len(frames) != 16 or any("recurse+0x" not in name for name in names):
                q.fail(f"stack: the backtrace is not 16 frames of recurse: {names}")
            if "backtrace stops: DepthLimit" not in text:
                q.fail("stack: the backtrace does not say it stopped at its depth bound")
        elif case == "exec":
            # The pc is in data (no symbol); the frames above it are named.
            if names[0] != "?" or not any(name.startswith("runtime_start+0x") for name in names):
                q.fail(f"exec: the backtrace is not ?, ..., runtime_start: {names}")
        else:
            if FAULT_FUNCTIONS[case] + "+0x" not in names[0] or not names[1].startswith("main+0x"):
                q.fail(f"fault {case}: the backtrace does not name {FAULT_FUNCTIONS[case]}, then main: {names}")
            if not any(name.startswith("runtime_start+0x") for name in names[2:]):
                q.fail(f"fault {case}: the backtrace does not reach runtime_start: {names}")
    print("OK: every user fault ends only its process, with a report naming the program, the cause and a "
          "symbolized backtrace")


def check_bad_syscalls(args):
    q, text = boot_init(args, "bin/badcall", timeout=90)
    done = re.search(r"BADCALL done (\d+) passed, (\d+) failed", text)
    if not done:
        q.fail("badcall did not finish")
    failures = [line for line in text.splitlines() if line.startswith("BADCALL") and line.endswith("FAIL")]
    if int(done.group(2)) != 0 or failures:
        q.fail("bad syscall arguments got the wrong errors:\n" + "\n".join(failures))
    if int(done.group(1)) < 40:
        q.fail(f"badcall ran only {done.group(1)} cases")
    print(f"OK: {done.group(1)} bad syscall arguments each got their named error")


def check_storms(args):
    """Spawn storms and running out of memory get clean errors and give every
    page back (the program compares sys/memory.json before and after)."""
    for case, expect in (("spawn,1000", "STORM spawn ok count=1000"), ("concurrent,64", "STORM concurrent ok count=64"),
                         ("memory", "STORM memory ok")):
        q, text = boot_init(args, f"bin/storm,{case}", timeout=180)
        if expect not in text:
            q.fail(f"storm {case}: no {expect!r}")
        free = re.search(r"STORM free_before=(\d+) free_after=(\d+)", text)
        if not free or free.group(1) != free.group(2) or free.group(1) == "0":
            q.fail(f"storm {case}: memory not given back ({free.group(0) if free else 'no figures'})")
    print("OK: 1000 sequential spawns, 64 concurrent ones and a map-until-NoMemory give every page back")


def check_small_memory(args):
    """The whole system in 16 MiB: 16 programs alive at once, and every page
    back afterwards."""
    q, text = boot_init(args, "bin/storm,concurrent,16", timeout=120, memory="16M")
    if "STORM concurrent ok count=16" not in text:
        q.fail("16 concurrent programs did not run in 16 MiB")
    free = re.search(r"STORM free_before=(\d+) free_after=(\d+)", text)
    if not free or free.group(1) != free.group(2):
        q.fail("16 MiB: memory not given back")
    print("OK: 16 programs at once in 16 MiB of RAM")


def check_scheduler(args):
    """Two hogs in one band split the CPU 50% +- 5%; with four batch hogs an
    interactive program wakes within two timeslices, 98% of the time (the
    host may stall QEMU itself; schedtest's verdicts)."""
    for case in ("fair", "latency"):
        q, text = boot_init(args, f"bin/schedtest,{case}", timeout=120)
        verdict = re.search(rf"SCHED {case} .*", text)
        if not verdict or not verdict.group(0).rstrip().endswith("ok"):
            q.fail(f"schedtest {case}: {verdict.group(0) if verdict else 'no verdict'}")
        print(f"OK: {verdict.group(0).strip()}")


def check_syscall_fuzzer(args, seconds):
    """Random syscalls with random arguments for a bounded time: the kernel
    stays up and gives every page back."""
    q, text = boot_init(args, f"bin/sysfuzz,{seconds}", timeout=seconds + 120)
    result = re.search(r"SYSFUZZ calls=(\d+) children=(\d+) exited=(\d+) faulted=(\d+) killed=(\d+) "
                       r"free_before=(\d+) free_after=(\d+)", text)
    if not result:
        q.fail("sysfuzz did not finish")
    if result.group(6) != result.group(7):
        q.fail(f"sysfuzz: pages not given back: {result.group(0)}")
    if "init ended: reason 1 status 0" not in text:
        q.fail("sysfuzz did not exit cleanly")
    print(f"OK: {result.group(1)} random syscalls in {seconds} s, kernel up, no page lost")


def check_registers(args):
    """regcheck (user/programs/regcheck.cpp) fills every general register
    with a pattern, makes a syscall and compares them all afterwards: once a
    yield that resumes at once (the short syscall path) and once a sleep
    that parks the thread and resumes it from its saved frame. Every
    register but the result (and x86_64's rcx, r11) must come back. On
    x86_64 also a first touch of a lazy stack page: every register, rcx and
    r11 included, must come back from the fault."""
    q = qemu_harness.Qemu(args, initrd=True)
    try:
        shell = qemu_harness.Shell(q, timeout=60)
        out = shell.run("regcheck")
        want = "REGCHECK yield=ok sleep=ok" + (" fault=ok" if args.arch == "x86_64" else "")
        if want not in out:
            q.fail(f"a syscall or a resolved fault changed the caller's registers: {out!r}")
        print("OK: a syscall keeps the caller's registers, resumed at once and after parking"
              + (", and so does a fault resolved in place" if args.arch == "x86_64" else ""))
    finally:
        q.kill()


def check_floating_point(args):
    """Three fpcheck programs at once (user/programs/fpcheck.cpp), each long
    enough to be preempted many times: each checks its own FP and SIMD
    results (twice, and against exact values, and across 1000 yields), and
    all three must print the same bits for the same work. A kernel that
    lost or mixed a thread's FP registers would show a FAIL or a
    difference."""
    q = qemu_harness.Qemu(args, initrd=True)
    try:
        sh = qemu_harness.Shell(q, timeout=60)
        at = sh.at
        for _ in range(3):
            q.send("fpcheck 30000000 &\r")
        deadline = time.monotonic() + 120
        while q.text()[at:].count("fpcheck: ok") < 3:
            if "fpcheck: FAIL" in q.text()[at:]:
                q.fail("fpcheck failed with others running")
            if time.monotonic() > deadline:
                q.fail("three fpchecks did not all finish")
            time.sleep(0.1)
        out = q.text()[at:]
        bits = set(re.findall(r"fpcheck: ok: .* \(bits (0x[0-9a-f]+)\)", out))
        if len(bits) != 1:
            q.fail(f"three fpchecks of the same work disagree: {bits}")
        # They ran at the same time: all three started before one finished.
        if out.find("[3] fpcheck") > out.find("fpcheck: ok"):
            q.fail("the three fpchecks did not run at the same time")
        print(f"OK: three fpchecks at once, each preempted: same bits {bits.pop()}, no FAIL")
    finally:
        q.kill()


def pattern(n):
    return b"".join((b"sector %08d " % i).ljust(512, b".") for i in range(n))


def check_shell(args):
    tmp = tempfile.mkdtemp()
    disk = os.path.join(tmp, "disk.img")
    with open(disk, "wb") as f:
        f.write(pattern(2048))  # 1 MiB
    options = argparse.Namespace(disk=disk, no_net=True, machine=getattr(args, "machine", None))
    q = qemu_harness.Qemu(args, initrd=True, devices=machines.device_args(args.arch, options))
    try:
        run = qemu_harness.Shell(q).run

        out = run("echo hi there")
        if "hi there" not in out:
            q.fail("echo in the user shell")
        tree = os.path.join(os.path.dirname(os.path.abspath(args.kernel)), "initramfs", "bin")
        listed = [w.strip() for w in run("ls bin").splitlines()[1:-1] if w.strip()]
        expected = sorted(os.listdir(tree))
        if listed != expected:
            q.fail(f"ls bin listed {listed}, the initramfs has {expected}")
        motd = open(os.path.join(ROOT, "user", "etc", "motd")).read().strip().splitlines()
        out = run("cat etc/motd")
        for line in motd:
            if line not in out:
                q.fail(f"cat etc/motd lacks {line!r}")
        if "[exit 1]" not in run("false"):
            q.fail("the shell did not report false's exit status")
        out = run("fault null")
        if "killed:" not in out or "[fault" not in out:
            q.fail("a faulting program was not reported by the kernel and the shell")
        if "still here" not in run("echo still here"):
            q.fail("the shell did not survive its child's fault")
        out = run("cat no/such/file")
        if "NotFound" not in out:
            q.fail("cat of a missing file did not name NotFound")
        out = run("cat sys/processes")
        for name in (" init", " sh", " cat"):
            if name not in out:
                q.fail(f"sys/processes lacks{name}")
        # init waits for the shell and its services in one poll.
        if "init (poll)" not in out:
            q.fail("sys/processes does not say init waits")
        out = run("cat sys/maps")
        if not re.search(r"0x0000400000-0x[0-9a-f]+ r-x program", out) or "rw- stack" not in out:
            q.fail("sys/maps lacks the program's text or the stack")
        # A block device from user space: copy sectors 8..15 over 80..87.
        out = run("dd if=dev/vda of=dev/vda bs=4096 count=1 skip=1 seek=10")
        if "4096 bytes" not in out:
            q.fail("dd on dev/vda did not report 4096 bytes")
        # The user ends the session: the machine powers off by itself.
        q.send("poweroff\r")
        if q.wait_exit() != 0:
            q.fail("poweroff from the user shell did not end QEMU with status 0")
        data = open(disk, "rb").read()
        expected = bytearray(pattern(2048))
        expected[10 * 4096:11 * 4096] = expected[4096:8192]
        if data != bytes(expected):
            q.fail("the disk image does not hold exactly what dd copied")
        print("OK: the user shell runs programs, reports exits and faults, sys/ and dev/vda work from user space")
    finally:
        q.kill()
        for name in os.listdir(tmp):
            os.unlink(os.path.join(tmp, name))
        os.rmdir(tmp)


def check_signals(args):
    """Signals a program takes itself (kernel/proc/signal_box.hpp), through
    the shell: a background sigwait is notified twice (each reported once)
    and then interrupted, which ends it since it never asked for
    interrupts; a foreground `sigwait -i` catches Ctrl-C and stops cleanly;
    a foreground `sigwait` without -i is ended by Ctrl-C."""
    q = qemu_harness.Qemu(args, initrd=True)
    try:
        shell = qemu_harness.Shell(q)
        start = len(q.text())
        shell.run("sigwait 60 &")
        q.expect("sigwait: waiting", start=start, timeout=20)
        shell.run("kill -notify %1")
        q.expect("sigwait: notified", start=start, timeout=10)
        shell.run("kill -notify %1")
        q.expect_count("sigwait: notified", 2, timeout=10)
        shell.run("kill -int %1")
        # The shell reports the ended job before its next prompt.
        shell.run("echo reap")
        q.expect("done sigwait [interrupted]", start=start, timeout=10)
        out = shell.run("jobs")
        if "sigwait" in out:
            q.fail(f"jobs still lists the background sigwait after kill -int: {out!r}")
        if "notifications" in q.text()[start:]:
            q.fail("sigwait ended by itself after kill -int: the interrupt it never asked for was not fatal")

        start = len(q.text())
        q.send("sigwait -i 60\r")
        q.expect("sigwait: waiting (Ctrl-C stops me cleanly)", start=start, timeout=20)
        q.send("\x03")
        q.expect("sigwait: interrupted; stopping", start=start, timeout=10)
        q.expect("sigwait: 0 notifications", start=start, timeout=10)
        shell = qemu_harness.Shell(q, start=start + 1)

        start = len(q.text())
        q.send("sigwait 60\r")
        at = q.expect("sigwait: waiting", start=start, timeout=20)
        q.send("\x03")
        shell = qemu_harness.Shell(q, start=at, timeout=10)
        if "notifications" in q.text()[start:]:
            q.fail("sigwait without -i survived Ctrl-C")
        if "echo-after" not in shell.run("echo echo-after"):
            q.fail("the shell did not come back after Ctrl-C")

        # A foreground program that reads the console itself: what is typed
        # goes to it (the shell has left the console to it), and Ctrl-C,
        # which the terminal turns into Signal::Interrupt for the job the
        # shell named, still ends it. The raw console does not echo, so
        # each line shows once: cat's copy.
        start = len(q.text())
        q.send("cat\r")
        q.expect("cat", start=start, timeout=10)
        q.send("typed-to-cat\r")
        q.expect("typed-to-cat", start=start, timeout=10)
        q.send("\x03")
        at = q.expect("[interrupted]", start=start, timeout=10)
        shell = qemu_harness.Shell(q, start=at, timeout=10)
        if "after-cat" not in shell.run("echo after-cat"):
            q.fail("the shell did not come back after Ctrl-C ended cat")
        if q.text()[start:].count("typed-to-cat") != 1:
            q.fail(f"the line typed to cat did not reach it exactly once: {q.text()[start:]!r}")
        print("OK: notifications reach a polling program once each; Ctrl-C is caught only by a program that asked;"
              " a program reading the console gets the keys and Ctrl-C")
    finally:
        q.kill()


def main():
    args = qemu_harness.parse_args(__doc__, timeout=240)
    check_init_programs(args)
    check_faults(args)
    check_bad_syscalls(args)
    check_storms(args)
    check_small_memory(args)
    check_scheduler(args)
    check_syscall_fuzzer(args, int(os.environ.get("MOTE_SYSFUZZ_SECONDS", "10")))
    check_floating_point(args)
    check_registers(args)
    check_shell(args)
    check_signals(args)


if __name__ == "__main__":
    sys.exit(main())
