"""./mote console: the serial console of the machine `./mote debug` runs.

    ./mote console [--arch ARCH]

`./mote debug` gives the terminal to gdb and puts the machine's console on
a TCP socket of 127.0.0.1, writing its address to build/<arch>/debug-console.
This connects to it: what the machine prints appears here, keys go to it
(the terminal in raw mode, as `./mote run` has it), Ctrl-] quits. The
machine keeps running when the console closes; a later `./mote console`
picks it up again.
"""
import os
import select
import socket
import sys

ESCAPE = b"\x1d"  # Ctrl-]


def address_of(path):
    try:
        with open(path) as f:
            host, port = f.read().strip().rsplit(":", 1)
        return host, int(port)
    except (OSError, ValueError):
        raise SystemExit(f"mote: no debug session's console at {path} (start one: ./mote debug)")


def run(path, log):
    host, port = address_of(path)
    try:
        sock = socket.create_connection((host, port), timeout=5)
    except OSError as e:
        raise SystemExit(f"mote: cannot reach the console at {host}:{port}: {e}")
    sock.settimeout(None)
    log(f"console of {host}:{port}; Ctrl-] quits")
    stdin, stdout = sys.stdin.fileno(), sys.stdout.fileno()
    saved = None
    if os.isatty(stdin):
        import termios
        import tty
        saved = termios.tcgetattr(stdin)
        tty.setraw(stdin)
    try:
        while True:
            ready, _, _ = select.select([sock, stdin], [], [])
            if sock in ready:
                data = sock.recv(4096)
                if not data:
                    break  # the machine is gone
                os.write(stdout, data)
            if stdin in ready:
                data = os.read(stdin, 1024)
                if not data or ESCAPE in data:
                    break
                sock.sendall(data)
    finally:
        if saved is not None:
            import termios
            termios.tcsetattr(stdin, termios.TCSADRAIN, saved)
        sock.close()
