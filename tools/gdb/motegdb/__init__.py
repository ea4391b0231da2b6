"""gdb commands for Mote kernels: tools/gdb/mote.py registers them.

    mote-entry          run to the kernel's first instruction (entry.py)
    mote-ps             processes (processes.py)
    mote-threads        threads, their queues and waits (processes.py)
    mote-loop           the event loop's pending work (loop.py)
    mote-maps [PID]     a process's mappings (mappings.py)
    mote-user [PROG]    a user program's symbols; its breakpoints stop only
                        in its process, $_mote_current(NAME) (user_program.py)
"""
from . import entry, loop, mappings, processes, user_program


def register():
    for module in (entry, processes, loop, mappings, user_program):
        module.register()
