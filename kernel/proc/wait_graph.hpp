// WaitGraph: who waits on whom. A parked thread waits on an object; the
// processes that could end that wait are its targets: the child itself for
// wait(), and for an object with a counterpart (a channel endpoint's peer)
// every process holding the counterpart. Following targets from process to
// process finds cycles: processes each waiting for the next, none of which
// can move (a deadlock), which /sys/waits prints and the process table logs
// once (ProcessTable's deadlock check).
//
// Finding holders scans handle tables, so this runs when someone asks
// (/sys/waits) or once a second while threads sit in such waits, never on
// the park path.
#pragma once

#include "base/format.hpp"
#include "proc/process.hpp"

namespace mote {

class ProcessTable;

class WaitGraph {
public:
    static constexpr usize kMaxTargets = 8;
    static constexpr usize kMaxCycle = 16;

    explicit WaitGraph(ProcessTable& processes) : m_processes(processes) {}

    // The processes that could end `process`'s current wait (none if it
    // is not parked on an object). Returns how many were written.
    usize targets(Process& process, Process** out, usize max);
    // A cycle through `start`, if there is one: the processes in order
    // (out[0] is start, and the last waits on out[0]). 0 if none.
    usize cycle_from(Process& start, Process** out, usize max);

    // Every distinct cycle, one line each: "cycle: pid 3 (a) -> pid 4 (b) -> pid 3 (a)".
    // Returns how many.
    usize write_cycles(FormatBuffer& out);

private:
    bool search(Process& at, Process& start, Process** path, usize depth, usize max, usize& length);

    ProcessTable& m_processes;
};

// The holders' line for /sys/waits: " [channel #7, other end held by pid 4 (sh)]".
void describe_wait(ProcessTable& processes, Thread& thread, FormatBuffer& out);

}  // namespace mote
