#!/usr/bin/env python3
"""Reproducible images: one commit built in two clones gives the same bytes.

Clones HEAD of the source tree (committed work only: `git clone`, never a
copy of the work tree) into two temporary folders whose paths differ in
length and depth, builds one preset in each at a different time, with a
different time zone and locale, and compares every image the builds produce
(tools/images.py: the kernel, its stripped copy and raw image, and for a
full preset every program and the initramfs) byte for byte. A difference is
reported as the first file and offset that differ, with the bytes around
it; the clones are deleted either way.

    tests/integration/test_reproducible.py [--preset P] [--timeout SECONDS]

Exits 77 (CTest's skip) when the source tree is not a git checkout or git,
cmake or ninja is missing. The default preset is riscv64: the kernel, every
program and the initramfs, about a minute per build at -j2 (riscv64-minimal
takes a quarter of that but has no user space); MOTE_REPRO_PRESET or
--preset picks another.
CTest passes --hosted and --build-dir, as to every integration test; they
are not used.
"""
import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import images  # noqa: E402

SKIP = 77


def skip(why):
    print(f"SKIP: {why}", flush=True)
    sys.exit(SKIP)


def run(cmd, cwd, env=None, timeout=None, what=None):
    """Runs cmd, quiet on success; on failure prints its output and fails.
    On a timeout the whole process group goes (ninja and its compilers, not
    just cmake)."""
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise RuntimeError(f"{what or ' '.join(cmd)} took more than {timeout:.0f} s")
    if proc.returncode != 0:
        sys.stdout.write(out[-8000:])
        raise RuntimeError(f"{what or ' '.join(cmd)} failed (exit {proc.returncode})")
    return out


def head_commit():
    """HEAD of the source tree, or a skip if it is not a git checkout."""
    if shutil.which("git") is None:
        skip("git is not installed")
    proc = subprocess.run(["git", "-C", ROOT, "rev-parse", "--verify", "HEAD"], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True)
    if proc.returncode != 0:
        skip(f"{ROOT} is not a git checkout with a commit; nothing to clone")
    return proc.stdout.strip()


def clone_and_build(commit, clone, preset, jobs, environment, deadline):
    os.makedirs(os.path.dirname(clone), exist_ok=True)
    run(["git", "clone", "-q", "--no-checkout", ROOT, clone], cwd="/", what="git clone")
    run(["git", "checkout", "-q", "--detach", commit], cwd=clone, what="git checkout")
    env = dict(os.environ)
    env.update(environment)
    started = time.monotonic()
    run(["cmake", "--preset", preset], cwd=clone, env=env, timeout=max(1, deadline - time.monotonic()),
        what=f"cmake --preset {preset} in {clone}")
    run(["cmake", "--build", os.path.join("build", preset), "--parallel", str(jobs)], cwd=clone, env=env,
        timeout=max(1, deadline - time.monotonic()), what=f"building {preset} in {clone}")
    print(f"built {preset} in {clone} in {time.monotonic() - started:.0f} s", flush=True)
    return os.path.join(clone, "build", preset)


def first_difference(a, b):
    """Offset of the first byte that differs between two byte strings, or
    None when they are equal."""
    if a == b:
        return None
    for offset in range(min(len(a), len(b))):
        if a[offset] != b[offset]:
            return offset
    return min(len(a), len(b))


def context(data, offset, width=32):
    start = max(0, offset - width // 2)
    chunk = data[start:start + width]
    text = "".join(chr(c) if 32 <= c < 127 else "." for c in chunk)
    return f"@0x{start:x}: {chunk.hex(' ')}  |{text}|"


def compare(dir_a, dir_b):
    """Failure messages (empty when every image is identical) and how many
    files were compared."""
    names_a, names_b = images.all_images(dir_a), images.all_images(dir_b)
    problems = []
    for name in sorted(set(names_a) ^ set(names_b)):
        problems.append(f"{name}: only in {dir_a if name in names_a else dir_b}")
    for name in sorted(set(names_a) & set(names_b)):
        with open(os.path.join(dir_a, name), "rb") as f:
            a = f.read()
        with open(os.path.join(dir_b, name), "rb") as f:
            b = f.read()
        offset = first_difference(a, b)
        if offset is None:
            continue
        differing = sum(x != y for x, y in zip(a, b)) + abs(len(a) - len(b))
        problems.append(f"{name}: differs first at offset {offset} (0x{offset:x}); {differing} bytes differ, "
                        f"sizes {len(a)} and {len(b)}\n"
                        f"    first clone  {context(a, offset)}\n"
                        f"    second clone {context(b, offset)}")
    return problems, len(set(names_a) & set(names_b))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default=os.environ.get("MOTE_REPRO_PRESET", "riscv64"))
    parser.add_argument("--timeout", type=float, default=540,
                        help="seconds for both clones and builds together (default 540)")
    parser.add_argument("--jobs", type=int, default=2, help="parallel build jobs (default 2)")
    parser.add_argument("--keep", action="store_true", help="keep the clones (their paths are printed)")
    args, _ = parser.parse_known_args()  # --hosted, --build-dir: CTest's, unused

    commit = head_commit()
    for tool in ("cmake", "ninja"):
        if shutil.which(tool) is None:
            skip(f"{tool} is not installed")
    deadline = time.monotonic() + args.timeout
    top = tempfile.mkdtemp(prefix="mote-repro-")
    # Paths of different lengths and depths: a path that reached an image
    # would move everything after it.
    clone_a = os.path.join(top, "a")
    clone_b = os.path.join(top, "second", "clone", "at", "a", "much", "deeper", "path")
    print(f"commit {commit}, preset {args.preset}", flush=True)
    try:
        dir_a = clone_and_build(commit, clone_a, args.preset, args.jobs,
                                {"TZ": "UTC", "LC_ALL": "C"}, deadline)
        # A second apart at least, in another time zone and locale: no
        # clock or locale may reach an image.
        time.sleep(1)
        dir_b = clone_and_build(commit, clone_b, args.preset, args.jobs,
                                {"TZ": "Pacific/Kiritimati", "LC_ALL": "C.UTF-8"}, deadline)
        problems, count = compare(dir_a, dir_b)
        if count == 0:
            print(f"FAIL: {args.preset} produced no images in {dir_a}", flush=True)
            return 1
        if problems:
            print(f"FAIL: {args.preset} built from {commit} in two clones differs in {len(problems)} "
                  f"of {count} files:", flush=True)
            for problem in problems:
                print("  " + problem)
            return 1
        print(f"OK: {count} images of {args.preset} identical in both clones:", flush=True)
        for name in images.top_level_images(dir_a):
            print(f"  {name} sha256 {images.sha256(os.path.join(dir_a, name))}")
        return 0
    except RuntimeError as error:
        print(f"FAIL: {error}", flush=True)
        return 1
    finally:
        if args.keep:
            print(f"kept {clone_a} and {clone_b}")
        else:
            shutil.rmtree(top, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
