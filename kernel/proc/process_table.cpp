#include "proc/process_table.hpp"

#include "core/log.hpp"
#include "proc/wait_graph.hpp"

namespace mote {

ProcessTable::ProcessTable(Loop& loop, PageAllocator& pages, UserPlatform& platform)
    : m_loop(loop),
      m_pages(pages),
      m_platform(platform),
      m_scheduler(loop, platform),
      m_cache("process", sizeof(Process), alignof(Process), pages) {
    loop.set_user_runner(&m_scheduler);
    m_reaper.set_callback([](Deferred& call) { static_cast<ProcessTable*>(call.context())->reap(); }, this);
    m_deadlock_timer.set_callback([](Timer& timer) { static_cast<ProcessTable*>(timer.context())->check_deadlocks(); },
                                  this);
}

void ProcessTable::note_wait(Thread& thread) {
    KernelObject* object = thread.wait_object();
    // Only waits on objects with a counterpart (channels) start the check:
    // a parent waiting for a child (init, for ever) is no reason to wake
    // the loop every second, and every cycle passes through a channel (a
    // process can only wait for its own children otherwise).
    if (!object || m_deadlock_timer.armed() || !object->counterpart()) return;
    m_loop.arm_after(m_deadlock_timer, kDeadlockCheck);
}

void ProcessTable::check_deadlocks() {
    WaitGraph graph(*this);
    Nanoseconds now = m_loop.now();
    bool still_waiting = false;
    for (Process& process : m_all) {
        Thread& thread = process.thread();
        if (thread.state() != ThreadState::Parked || !thread.wait_object()) continue;
        still_waiting = true;
        if (now - thread.parked_since() < kDeadlockCheck) continue;
        Process* cycle[WaitGraph::kMaxCycle];
        usize length = graph.cycle_from(process, cycle, WaitGraph::kMaxCycle);
        if (length == 0) continue;
        // Log each cycle once: its signature is the same from every member.
        u64 signature = 0;
        for (usize i = 0; i < length; ++i) signature += u64(cycle[i]->pid()) * 0x9e3779b97f4a7c15ull;
        bool logged = false;
        for (u64 seen : m_logged_cycles)
            if (seen == signature) logged = true;
        if (logged) continue;
        m_logged_cycles[m_logged_next++ % 8] = signature;
        ++m_deadlocks_logged;
        FixedString<160> text;
        for (usize i = 0; i < length; ++i) {
            char part[48];
            FormatBuffer piece(Span<char>(part, sizeof(part)));
            format_append(piece, "pid {} ({}) -> ", cycle[i]->pid(), cycle[i]->name());
            text.append(piece.view());
        }
        log_warn("proc", "deadlock: {}pid {} ({})", text.view(), cycle[0]->pid(), cycle[0]->name());
    }
    if (still_waiting) m_loop.arm_after(m_deadlock_timer, kDeadlockCheck);
}

void ProcessTable::seed_secrets(u64 entropy) { m_secret_state ^= entropy; }

u32 ProcessTable::next_secret() {
    // splitmix64 over a state the clock and the CSPRNG feed: not a
    // cryptographic generator, but a forger in another process sees none
    // of its outputs (each process learns only its own secret's effect on
    // its own values).
    m_secret_state += 0x9e3779b97f4a7c15ull ^ m_loop.now();
    u64 z = m_secret_state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return u32(z ^ (z >> 31));
}

void ProcessTable::end_all() {
    for (Process& process : m_all) {
        if (process.state() == ProcessState::Running) end(process, {u32(abi::ExitReason::Killed), 0, 0, 0});
    }
    if (m_reaper.queued()) m_loop.cancel(m_reaper);
    reap();
}

ProcessTable::~ProcessTable() {
    m_loop.set_user_runner(nullptr);
    if (m_deadlock_timer.armed()) m_loop.cancel(m_deadlock_timer);
    end_all();
    // Exited processes still named by handles of exited processes are
    // gone with those handles; anything left is a leak.
    VERIFY_MSG(m_all.empty(), "processes outlive their table");
}

bool ProcessTable::holds_spawn_capability(const Process& process) const {
    // The table's one capability object (proc/spawn_capability.hpp says so).
    return process.handles().count(ObjectType::Capability) > 0;
}

// The root a new child of `parent` would be charged to; nullptr when the
// child starts a tree of its own (the parent may spawn without limits).
static Process* tree_root_for(const ProcessTable& table, const Process* parent) {
    if (!parent || table.holds_spawn_capability(*parent)) return nullptr;
    // A parent started with the capability that has since closed it is
    // the root of a tree from now on.
    return parent->charged_to() ? parent->charged_to() : const_cast<Process*>(parent);
}

// Whether `root` already counts its tree (a parent becoming a root does not yet).
static bool counting(const Process& root) { return root.charged_to() == &root;
}

bool ProcessTable::may_spawn(const Process* parent) const {
    const Process* root = tree_root_for(*this, parent);
    if (!root) return true;
    // A parent just becoming a root counts itself.
    const u32 live = counting(*root) ? root->charged_live() : 1;
    return live < SpawnCapability::kLimitedTree;
}

Result<Process*> ProcessTable::create(StringView name, Process* parent, bool unlimited) {
    if (m_all.size() >= kMaxProcesses) {
        ++m_stats.create_failures;
        return Error::Overflow;
    }
    if (!may_spawn(parent)) {
        ++m_stats.limited;
        return Error::Busy;
    }
    void* memory = nullptr;
    if (auto slot = m_cache.allocate(); slot.ok()) {
        memory = slot.value();
    } else {
        ++m_stats.create_failures;
        return slot.error();
    }
    auto mmu = m_platform.create_mmu();
    if (mmu.is_error()) {
        m_cache.free(memory);
        ++m_stats.create_failures;
        return mmu.error();
    }
    Process* process = new (memory) Process(*this, m_next_pid++, name, parent, m_pages, *mmu.value());
    process->handles().set_secret(next_secret());
    // Charge it: to its parent's tree, or as the root of a new one.
    if (Process* root = tree_root_for(*this, parent)) {
        if (!counting(*root)) {  // the parent becomes a root
            root->m_charged_to = root;
            root->m_charged_live = 1;
        }
        root->retain();
        ++root->m_charged_live;
        process->m_charged_to = root;
    } else if (!unlimited) {
        process->m_charged_to = process;
        process->m_charged_live = 1;
    }
    process->retain();  // the table's reference, dropped when it ends
    m_all.push_back(*process);
    ++m_stats.created;
    return process;
}

void ProcessTable::start(Process& process, u64 entry, u64 sp, u64 argument) {
    m_platform.start_frame(process.thread(), entry, sp, argument);
    m_scheduler.make_runnable(process.thread());
}

void ProcessTable::end(Process& process, const abi::ExitInfo& info) {
    if (process.m_state == ProcessState::Exited) return;
    process.retain();  // keep it alive through teardown
    Thread& thread = process.thread();
    // Off every queue: the run queue, or whatever it was parked on.
    m_scheduler.remove(thread);
    if (thread.m_state == ThreadState::Parked && thread.wait_object()) thread.wait_object()->cancel_wait(thread);
    // A thread parked in poll() is watched by each object it polls.
    process.handles().for_each([&](abi::Handle, HandleRef held) {
        held.object->unwatch(thread);
        held.object->cancel_wait(thread);
    });
    process.signals().unwatch(thread);  // a poll on kNoHandle (its own signals)
    thread.set_polling(false);
    if (thread.timer().armed()) m_loop.cancel(thread.timer());
    thread.m_state = ThreadState::Dead;
    m_platform.end_thread(thread);
    process.m_state = ProcessState::Exited;
    process.m_exit = info;
    ++m_stats.exited;

    process.handles().close_all();
    process.space().clear();
    m_platform.destroy_mmu(process.mmu());

    // Children lose their parent (they keep running; nobody can wait).
    for (Process& other : m_all)
        if (other.m_parent == &process) other.m_parent = nullptr;
    // Wake whoever waits for this one: wait() (its ExitInfo pointer is in
    // pending[0], already checked when it parked) and poll().
    while (Thread* waiter = process.exit_waiters().pop_front()) {
        i64 result = 0;
        if (waiter->pending[0]) {
            Span<const u8> bytes(reinterpret_cast<const u8*>(&info), sizeof(info));
            if (waiter->process().space().copy_out(waiter->pending[0], bytes).is_error())
                result = -i64(abi::Err::BadAddress);
        }
        waiter->wake(result);
    }
    if (process.m_poller) {
        Thread* poller = process.m_poller;
        process.m_poller = nullptr;
        poller->poll_event();
    }
    // Out of its limited tree (proc/spawn_capability.hpp). A root keeps
    // pointing at itself: its object still counts its tree's processes.
    if (Process* root = process.m_charged_to) {
        --root->m_charged_live;
        if (root != &process) {
            process.m_charged_to = nullptr;
            root->release();
        }
    }
    m_all.remove(process);
    if (m_exit_observer) m_exit_observer(process, m_exit_context);
    // The table's reference goes in a deferred call: this may be the
    // process whose thread the CPU is still returning from (exit(), a
    // fault), and the scheduler touches that thread once more.
    m_dying.push_back(process);
    if (!m_reaper.queued()) m_loop.defer(m_reaper);
    process.release();  // ours
}

Result<void> ProcessTable::signal(Process& process, abi::Signal signal) {
    // Decode first: a bad signal number is InvalidArgument whatever state
    // the target is in (a child that has just ended must not change it).
    if (u64(signal) < u64(abi::Signal::Terminate) || u64(signal) > u64(abi::Signal::Notify))
        return Error::InvalidArgument;
    if (process.state() == ProcessState::Exited) return Error::BadState;
    switch (signal) {
    case abi::Signal::Notify:
        process.signals().post(abi::kPollNotify);
        return {};
    case abi::Signal::Interrupt:
        if (process.signals().catches_interrupt()) {
            process.signals().post(abi::kPollInterrupt);
            return {};
        }
        break;
    case abi::Signal::Cancel:
        if (process.thread().state() != ThreadState::Parked) return Error::BadState;
        cancel_wait(process.thread());
        return {};
    case abi::Signal::Terminate: break;
    default: return Error::InvalidArgument;
    }
    abi::ExitInfo info {};
    info.reason = u32(abi::ExitReason::Killed);
    info.status = i32(signal);
    ++m_stats.killed;
    end(process, info);
    return {};
}

void ProcessTable::cancel_wait(Thread& thread) {
    if (thread.m_state != ThreadState::Parked) return;
    if (KernelObject* object = thread.wait_object()) object->cancel_wait(thread);
    if (thread.polling()) stop_watching(thread);
    thread.wake(-i64(abi::Err::Cancelled));
}

void ProcessTable::stop_watching(Thread& thread) {
    thread.process().handles().for_each([&](abi::Handle, HandleRef held) { held.object->unwatch(thread); });
    thread.set_polling(false);
}

void ProcessTable::reap() {
    while (Process* process = m_dying.pop_front()) process->release();
}

void ProcessTable::fault(Process& process, const UserFault& fault) {
    ++m_stats.faulted;
    // The call chain, from the program's own stack, read as the program
    // could read it (user_backtrace.hpp: every record checked).
    auto read = [](void* context, u64 address, Span<u8> out) -> Result<void> {
        return static_cast<AddressSpace*>(context)->copy_in(out, address);
    };
    const UserBacktrace trace = walk_user_stack(read, &process.space(), fault.pc, fault.frame_pointer,
                                                abi::kStackTop - abi::kStackSize, abi::kStackTop);
    for (UserFrameName& name : m_frame_names) name.text[0] = 0;
    if (m_symbolizer)
        m_symbolizer(process, trace.frames(), Span<UserFrameName>(m_frame_names, trace.count), m_symbolizer_context);
    FixedString<112> where;
    if (m_frame_names[0].text[0]) {
        where.append(" (");
        where.append(StringView(m_frame_names[0].text));
        where.append(")");
    }
    log_warn("proc", "pid {} ({}) killed: {} at address {:#x}, pc {:#x}{}", process.pid(), process.name(), fault.name,
             fault.address, fault.pc, where.view());
    // The backtrace, when there is more than the pc: one line per frame,
    // innermost first, then why the walk stopped unless the chain ended.
    if (trace.count > 1) {
        for (usize i = 0; i < trace.count; ++i) {
            StringView name(m_frame_names[i].text);
            log_warn("proc", "pid {} ({})   #{} {:#x} {}", process.pid(), process.name(), i, trace.pcs[i],
                     name.empty() ? StringView("?") : name);
        }
        if (trace.stop != BacktraceStop::ChainEnd)
            log_warn("proc", "pid {} ({})   backtrace stops: {} at frame pointer {:#x}", process.pid(),
                     process.name(), backtrace_stop_name(trace.stop), trace.stop_fp);
    }
    end(process, {u32(abi::ExitReason::Fault), i32(fault.cause), fault.address, fault.pc});
}

void ProcessTable::discard(Process& process) { end(process, {u32(abi::ExitReason::Killed), 0, 0, 0}); }

Process* ProcessTable::find(u32 pid) {
    for (Process& process : m_all)
        if (process.pid() == pid) return &process;
    return nullptr;
}

void ProcessTable::free(Process& process) {
    VERIFY_MSG(process.state() == ProcessState::Exited, "a running process lost its last reference");
    process.~Process();
    m_cache.free(&process);
}

}  // namespace mote
