"""Mote's gdb helper: `source tools/gdb/mote.py` in gdb-multiarch (./mote
debug does it). Adds the mote-* commands (`apropos mote-` lists them; the
package motegdb/ has one file per concept) and maps the debug info's
tree-relative source paths to this checkout.
"""
import os
import sys

import gdb

_HERE = os.path.dirname(os.path.abspath(__file__))
_ROOT = os.path.dirname(os.path.dirname(_HERE))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

import motegdb  # noqa: E402

# Images and programs are compiled with -ffile-prefix-map (README,
# "Reproducible images"): the debug info names sources `kernel/...` in the
# compilation directory `build`, whatever the clone's path.
gdb.execute(f"set substitute-path build {_ROOT}")

if not getattr(motegdb, "registered", False):
    motegdb.register()
    motegdb.registered = True
