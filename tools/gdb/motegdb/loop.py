"""The event loop's pending work: `mote-loop`.

What the loop itself holds between turns (core/loop.hpp): completions
queued for step 3 (each a Request, with the provider that finished it and
the callback that will run), deferred calls for step 4, the armed timers
(a pairing heap, walked here in full and listed by deadline) and the
interrupt sources posted but not yet drained. Requests still in flight
belong to their providers and show up here once they complete.
"""
import gdb

from . import kernel_data
from . import kernel_view


def _timers(queue):
    """Every armed timer in the heap (child/sibling links), by deadline."""
    found = []
    stack = [queue["m_root"]]
    while stack and len(found) < kernel_data.WALK_LIMIT:
        timer = stack.pop()
        if int(timer) == 0:
            continue
        found.append(timer.dereference())
        stack.append(timer["m_child"])
        stack.append(timer["m_sibling"])
    return sorted(found, key=lambda t: (int(t["m_deadline"]), int(t["m_sequence"])))


def _posted_irqs(ring):
    head, tail = int(ring["m_head"]), int(ring["m_tail"])
    capacity = ring["m_slots"].type.strip_typedefs().range()[1] + 1
    return [int(ring["m_slots"][i % capacity]) for i in range(head, tail)][:capacity]


class LoopCommand(gdb.Command):
    """Show the event loop's pending work: mote-loop.
Queued completions (request, state, provider, callback), deferred calls,
armed timers by deadline, posted interrupts, and the loop's counters."""

    def __init__(self):
        super().__init__("mote-loop", gdb.COMMAND_STATUS)

    @kernel_view.reads_kernel
    def invoke(self, argument, from_tty):
        loop = kernel_data.loop()
        stats = loop["m_stats"]
        gdb.write(f"turns {int(stats['turns'])}, completions {int(stats['completions'])}, "
                  f"timers fired {int(stats['timers_fired'])}, irqs {int(stats['irqs'])}, "
                  f"deferred calls {int(stats['deferred_calls'])}, waits {int(stats['waits'])}, "
                  f"user runs {int(stats['user_runs'])}{' (stopping)' if bool(loop['m_stopping']) else ''}\n")

        completions = kernel_data.list_items(loop["m_completions"])
        gdb.write(f"completions queued: {len(completions)}\n")
        for request in completions:
            gdb.write(f"  request {int(request.address):#x} {kernel_data.enum_name(request['m_state'])}"
                      f"{' error' if bool(request['m_has_error']) else ''}"
                      f"{' standing' if bool(request['m_standing']) else ''} value {int(request['m_value'])}"
                      f" provider {kernel_data.dynamic_class(request['m_provider'])}"
                      f" -> {kernel_data.symbol_at(request['m_callback'])}\n")

        deferred = kernel_data.list_items(loop["m_deferred"])
        gdb.write(f"deferred calls: {len(deferred)}\n")
        for call in deferred:
            gdb.write(f"  {int(call.address):#x} -> {kernel_data.symbol_at(call['m_callback'])}\n")

        timers = _timers(loop["m_timers"])
        gdb.write(f"timers armed: {int(loop['m_timers']['m_count'])}\n")
        for timer in timers:
            period = int(timer["m_period"])
            gdb.write(f"  at {int(timer['m_deadline']) / 1e6:.3f} ms"
                      f"{f' every {period / 1e6:.3f} ms' if period else ''}"
                      f" -> {kernel_data.symbol_at(timer['m_callback'])} (timer {int(timer.address):#x})\n")

        irqs = _posted_irqs(loop["m_irqs"])
        gdb.write(f"interrupts posted: {' '.join(str(s) for s in irqs) if irqs else 'none'}\n")


def register():
    LoopCommand()
