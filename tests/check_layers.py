#!/usr/bin/env python3
"""The layer rule of docs/ARCHITECTURE.md, checked from the includes.

"The folders are the layers": the folder map there lists kernel/'s folders
in order, and a layer may use only the layers above it, except that boot/
assembles everything. This reads the order from that page (so the page and
the check cannot drift apart) and looks at every `#include "layer/..."` in
kernel/. A file whose include points down the list is named, with the
line, and the exit status is 1.

Usage: check_layers.py [ROOT]   (ROOT: the checkout, default: this file's)"""
import os
import re
import sys

# boot/ assembles everything.
EXCEPTIONS = {("boot", None)}


def layer_order(architecture_md):
    """kernel/'s top-level folders in the order the folder map lists them."""
    text = open(architecture_md, encoding="utf-8").read()
    block = re.search(r"```\nkernel/\n(.*?)```", text, re.S)
    if not block:
        raise SystemExit(f"{architecture_md}: no folder map (a ``` block starting with kernel/)")
    order = []
    for line in block.group(1).splitlines():
        m = re.match(r"  ([a-z_0-9]+)/ ", line)
        if m:
            order.append(m.group(1))
        elif line and not line.startswith(" "):
            break  # the map's next top-level entry (user/, tests/, ...)
    return order


def violations(root, order):
    rank = {layer: i for i, layer in enumerate(order)}
    kernel = os.path.join(root, "kernel")
    found = []
    for folder, _, files in sorted(os.walk(kernel)):
        relative = os.path.relpath(folder, kernel)
        layer = relative.split(os.sep)[0]
        if layer == "." or layer not in rank:
            continue
        for name in sorted(files):
            if not name.endswith((".hpp", ".cpp", ".h", ".S")):
                continue
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8", errors="replace") as f:
                for number, line in enumerate(f, 1):
                    m = re.match(r'\s*#\s*include\s+"(([a-z_0-9]+)/[^"]+)"', line)
                    if not m:
                        continue
                    target, used = m.group(1), m.group(2)
                    if used == layer or used not in rank or rank[used] < rank[layer]:
                        continue
                    if (layer, None) in EXCEPTIONS or (layer, target) in EXCEPTIONS:
                        continue
                    found.append(f"{os.path.relpath(path, root)}:{number}: {layer}/ includes {target}, "
                                 f"a layer below it")
    return found


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    order = layer_order(os.path.join(root, "docs", "ARCHITECTURE.md"))
    missing = sorted(d for d in os.listdir(os.path.join(root, "kernel"))
                     if os.path.isdir(os.path.join(root, "kernel", d)) and d not in order)
    if missing:
        print(f"FAIL: kernel/ folders not in ARCHITECTURE.md's folder map: {', '.join(missing)}")
        return 1
    found = violations(root, order)
    for line in found:
        print(line)
    if found:
        print(f"FAIL: {len(found)} includes break the layer order {' > '.join(order)}")
        return 1
    print(f"OK: every include in kernel/ follows the layer order {' > '.join(order)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
