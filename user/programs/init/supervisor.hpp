// Supervisor: init's half that keeps etc/services running.
//
// Each service is started with what sh would give the same program: the
// shared root (no privileged right) as working directory and root, the
// capabilities etc/caps lists for its program, its log file (tmp/NAME.log,
// appended to, or the console) as stdout and stderr, and no stdin. When it
// ends, or fails `failures` health checks in a row (then init ends it with
// Signal::Terminate), init logs why on the console and, as its restart
// policy allows, starts it again after a pause from its Backoff. Every
// change is also written to tmp/services (what `services` prints).
//
// init is the supervisor, not a program it starts, because only the parent
// holds a process's handle: a separate supervisor that died would leave its
// services running with nobody able to wait for, check or stop them, and a
// new one could only start duplicates. init never ends while the machine
// runs, so its children are never orphaned.
//
// Health checks run one at a time, each bounded by its timeout, so a hung
// service delays init's other work by at most that long.
#pragma once

#include "backoff.hpp"
#include "caps_policy.hpp"
#include "runtime.hpp"
#include "service_list.hpp"

namespace mote::user {

class Supervisor {
public:
    enum class State : u8 { Running, Waiting, Stopped };

    Supervisor(Handle root, Handle shared_root, const CapsPolicy& policy)
        : m_root(root), m_shared_root(shared_root), m_policy(policy) {}

    // Reads and decodes `path` (under the root); logs every bad line.
    // A missing file is no services (logged unless `quiet_if_missing`).
    void load(StringView path, bool quiet_if_missing);
    // Starts every service (at boot).
    void start_all();

    // The process handles to watch for kPollExited; returns how many.
    usize watch(abi::PollItem* items, usize capacity) const;
    // `child` (one of watch()'s handles) has ended.
    void on_exit(Handle child);
    // The earliest time (sys::clock) something is due; kForever if nothing.
    u64 next_deadline() const;
    // Runs what is due: restarts and health checks.
    void run_due();

    usize count() const { return m_list.count(); }

private:
    struct Service {
        State state = State::Stopped;
        Handle process = kNoHandle;
        u32 pid = 0;           // Running: its pid (the process handle's stat)
        u64 started = 0;       // sys::clock at the last start
        u64 due = 0;           // Waiting: the restart; Running with a check: the next check
        u32 starts = 0;        // how many times it was started
        u32 failed_checks = 0; // in a row
        bool stopping = false; // init ended it for failed health checks
        char last[96] = {};    // why it last ended (or "-")
        Backoff backoff {0, 0, 0};
    };

    void start(usize index);
    void check(usize index);
    // Health check of service `index`: ok, or why not.
    SysOr<void> probe(const ServiceSpec& spec);
    SysOr<Handle> open_log(const ServiceSpec& spec);
    void write_status();

    Handle m_root;
    Handle m_shared_root;
    const CapsPolicy& m_policy;
    ServiceList m_list;
    Service m_services[ServiceList::kMaxServices];
    u32 m_probe_serial = 0;
};

}  // namespace mote::user
