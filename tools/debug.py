"""./mote debug: a machine under QEMU's gdbstub and gdb-multiarch on it.

    ./mote debug [--arch ARCH] [run options]

QEMU starts halted (-S) with its gdbstub on a free port of 127.0.0.1, in
its own session (gdb's Ctrl-C interrupts the guest, it does not end
QEMU). gdb-multiarch gets the kernel ELF (the symbols at their link
addresses), tools/gdb/mote.py (the mote-* commands) and runs to the
kernel's entry (mote-entry). When gdb exits, QEMU is killed by its PID.

gdb has the terminal, so the machine's serial console is a TCP socket on
127.0.0.1 instead of stdio: `./mote console` in another terminal types
into it and shows it (the port is in build/<arch>/debug-console), and
everything it prints is also kept in build/<arch>/debug-console.log.
"""
import os
import signal
import subprocess
import sys
import time

import machines

GDB = "gdb-multiarch"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HELPER = os.path.join(ROOT, "tools", "gdb", "mote.py")


def console_file(build_dir):
    """Where `./mote console` finds the running session's console port."""
    return os.path.join(build_dir, "debug-console")


def with_console_socket(argv, port, log):
    """`argv` with the serial console on a TCP socket (server, not waiting
    for a client) instead of stdio; QEMU also writes what it prints to `log`."""
    at = argv.index("-serial")
    return (argv[:at] + ["-chardev", f"socket,id=console,host=127.0.0.1,port={port},server=on,wait=off,"
                         f"logfile={log}", "-serial", "chardev:console"] + argv[at + 2:])


def wait_listening(qemu, port, deadline):
    """True once something holds `port` while QEMU still runs (checked by
    trying to bind it: a probe connection would pause the machine)."""
    import socket
    while time.monotonic() < deadline and qemu.poll() is None:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                return qemu.poll() is None
        time.sleep(0.05)
    return False


def stop(process, grace=0.0):
    """Ends `process` by its PID: SIGTERM first when given a `grace` period
    (gdb then puts the terminal back), SIGKILL after it."""
    if process.poll() is None and grace:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()


class _Ended(Exception):
    pass


def _ended(signum, frame):
    raise _Ended()


def run_gdb(argv):
    """Runs gdb to its end; its exit status. gdb takes Ctrl-C (it stops the
    guest) and this process ignores it; a SIGTERM or SIGHUP here (the
    terminal closed, a timeout) ends gdb too, so nothing is left behind."""
    handlers = {signal.SIGINT: signal.SIG_IGN, signal.SIGTERM: _ended, signal.SIGHUP: _ended}
    previous = {number: signal.signal(number, handler) for number, handler in handlers.items()}
    gdb = None
    try:
        gdb = subprocess.Popen(argv, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        return gdb.wait()
    except _Ended:
        return 1
    finally:
        if gdb:
            stop(gdb, grace=2.0)
        for number, handler in previous.items():
            signal.signal(number, handler)


def run(arch, build_dir, args, log):
    """Boots `arch` from `build_dir` under the gdbstub and runs gdb until it exits."""
    gdb_port = machines.free_port("tcp")
    console_port = machines.free_port("tcp")
    console_log = os.path.join(build_dir, "debug-console.log")
    argv = machines.qemu_command(arch, build_dir, args)
    argv = with_console_socket(argv, console_port, console_log)
    argv += ["-gdb", f"tcp:127.0.0.1:{gdb_port}", "-S"]
    log("QEMU: " + " ".join(argv))
    qemu_errors = os.path.join(build_dir, "debug-qemu.log")
    with open(qemu_errors, "w") as errors:
        qemu = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=errors, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        if not wait_listening(qemu, gdb_port, time.monotonic() + 20):
            with open(qemu_errors) as f:
                sys.stderr.write(f.read())
            raise SystemExit(f"mote: QEMU did not start its gdbstub (its messages: {qemu_errors})")
        with open(console_file(build_dir), "w") as f:
            f.write(f"127.0.0.1:{console_port}\n")
        log(f"console: ./mote console --arch {arch} (127.0.0.1:{console_port}); output also in {console_log}")
        log(f"gdb: {GDB} on 127.0.0.1:{gdb_port}; the mote-* commands: apropos mote-")
        gdb = [GDB, "-q", os.path.join(build_dir, "mote.elf"),
               "-ex", f"source {HELPER}",
               "-ex", f"target remote 127.0.0.1:{gdb_port}",
               "-ex", "mote-entry"]
        return run_gdb(gdb)
    finally:
        stop(qemu)
        try:
            os.remove(console_file(build_dir))
        except FileNotFoundError:
            pass
