#include "proc/wait_graph.hpp"

#include "proc/process_table.hpp"

namespace mote {

namespace {

bool holds(Process& process, const KernelObject& object) {
    bool found = false;
    process.handles().for_each([&](abi::Handle, HandleRef held) {
        if (held.object == &object) found = true;
    });
    return found;
}

}  // namespace

usize WaitGraph::targets(Process& process, Process** out, usize max) {
    Thread& thread = process.thread();
    if (process.state() != ProcessState::Running || thread.state() != ThreadState::Parked) return 0;
    KernelObject* object = thread.wait_object();
    if (!object) return 0;
    if (object->type() == ObjectType::Process) {
        if (max == 0) return 0;
        out[0] = static_cast<Process*>(object);
        return 1;
    }
    KernelObject* other = object->counterpart();
    if (!other) return 0;
    usize count = 0;
    m_processes.for_each([&](Process& candidate) {
        if (count < max && &candidate != &process && candidate.state() == ProcessState::Running && holds(candidate, *other))
            out[count++] = &candidate;
    });
    return count;
}

bool WaitGraph::search(Process& at, Process& start, Process** path, usize depth, usize max, usize& length) {
    if (depth >= max) return false;
    path[depth] = &at;
    Process* next[kMaxTargets];
    usize n = targets(at, next, kMaxTargets);
    // Any path back to `start` is a wait-for cycle (the usual deadlock
    // report; with several holders of one endpoint, one of the others may
    // still break it, which the printed holders let a reader judge).
    for (usize i = 0; i < n; ++i) {
        if (next[i] == &start) {
            length = depth + 1;
            return true;
        }
        bool seen = false;
        for (usize j = 0; j <= depth; ++j)
            if (path[j] == next[i]) seen = true;
        if (!seen && search(*next[i], start, path, depth + 1, max, length)) return true;
    }
    return false;
}

usize WaitGraph::cycle_from(Process& start, Process** out, usize max) {
    usize length = 0;
    if (search(start, start, out, 0, max, length)) return length;
    return 0;
}

usize WaitGraph::write_cycles(FormatBuffer& out) {
    usize found = 0;
    m_processes.for_each([&](Process& process) {
        Process* cycle[kMaxCycle];
        usize length = cycle_from(process, cycle, kMaxCycle);
        if (length == 0) return;
        // Print each cycle once: from its lowest pid.
        for (usize i = 1; i < length; ++i)
            if (cycle[i]->pid() < process.pid()) return;
        out.append("cycle:");
        for (usize i = 0; i < length; ++i) format_append(out, " pid {} ({}) ->", cycle[i]->pid(), cycle[i]->name());
        format_append(out, " pid {} ({})\n", cycle[0]->pid(), cycle[0]->name());
        ++found;
    });
    return found;
}

void describe_wait(ProcessTable& processes, Thread& thread, FormatBuffer& out) {
    KernelObject* object = thread.wait_object();
    if (!object) return;
    format_append(out, " [{} #{}", object_type_name(object->type()), object->id());
    if (object->type() == ObjectType::Process) {
        format_append(out, " pid {}", static_cast<Process*>(object)->pid());
    } else if (KernelObject* other = object->counterpart()) {
        out.append(", other end held by");
        bool any = false;
        processes.for_each([&](Process& candidate) {
            if (candidate.state() != ProcessState::Running || !holds(candidate, *other)) return;
            format_append(out, " pid {} ({})", candidate.pid(), candidate.name());
            any = true;
        });
        if (!any) out.append(" nobody");
    }
    out.append(']');
}

}  // namespace mote
