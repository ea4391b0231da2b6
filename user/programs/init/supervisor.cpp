#include "supervisor.hpp"

namespace mote::user {

namespace {

constexpr u32 kLoopback = 0x7f000001;  // 127.0.0.1, host byte order
constexpr usize kServicesBytes = 8192;

// Nanoseconds as "250 ms" or "2 s" (whole units, for log lines).
void append_pause(FormatBuffer& out, u64 ns) {
    if (ns % kSecondNs == 0) format_append(out, "{} s", ns / kSecondNs);
    else format_append(out, "{} ms", ns / kMillisecond);
}

// The last path component of a program word ("bin/httpd" -> "httpd"):
// etc/caps names programs so.
StringView program_name(StringView word) {
    usize start = 0;
    for (usize i = 0; i < word.length(); ++i)
        if (word[i] == '/') start = i + 1;
    return word.substr(start);
}

struct UdpProbe {
    abi::DatagramHeader header;
    char payload[48];
};

}  // namespace

void Supervisor::load(StringView path, bool quiet_if_missing) {
    static char text[kServicesBytes];
    auto file = sys::open(m_root, path, abi::kOpenRead);
    if (file.is_error()) {
        if (!(quiet_if_missing && file.error() == abi::Err::NotFound))
            print_err("init: {}: {}; no services\n", path, file.error());
        ServiceList::parse({}, m_list);
        return;
    }
    usize length = 0;
    while (length < sizeof(text)) {
        auto n = sys::read(file.value(), text + length, sizeof(text) - length, length);
        if (n.is_error()) {
            print_err("init: {}: {}\n", path, n.error());
            break;
        }
        if (n.value() == 0) break;
        length += n.value();
    }
    (void)sys::close(file.value());
    if (length == sizeof(text)) print_err("init: {}: only its first {} bytes are read\n", path, kServicesBytes);
    ServiceList::parse(StringView(text, length), m_list);
    for (const ServiceProblem& p : m_list.problems())
        print_err("init: {}:{}: {} \"{}\"; line skipped\n", path, p.line, service_fault_name(p.fault),
                  StringView(p.word));
    if (m_list.problem_count() > ServiceList::kMaxProblems)
        print_err("init: {}: {} more bad lines skipped\n", path, m_list.problem_count() - ServiceList::kMaxProblems);
    for (usize i = 0; i < m_list.count(); ++i) {
        const ServiceSpec& spec = m_list[i];
        m_services[i] = Service {};
        m_services[i].backoff = Backoff(spec.backoff_min_ns, spec.backoff_max_ns, spec.stable_ns);
        FormatBuffer last(Span<char>(m_services[i].last, sizeof(m_services[i].last)));
        last.append("-");
    }
}

void Supervisor::start_all() {
    for (usize i = 0; i < m_list.count(); ++i) start(i);
    write_status();
}

SysOr<Handle> Supervisor::open_log(const ServiceSpec& spec) {
    char path[ServiceSpec::kLogMax + 16];
    FormatBuffer out(Span<char>(path, sizeof(path)));
    if (spec.log[0]) out.append(spec.log_view());
    else format_append(out, "tmp/{}.log", spec.name_view());
    return sys::open(m_shared_root, out.view(), abi::kOpenWrite | abi::kOpenCreate | abi::kOpenAppend);
}

void Supervisor::start(usize index) {
    const ServiceSpec& spec = m_list[index];
    Service& s = m_services[index];
    StringView program = program_name(spec.word(0));
    const u32 caps = m_policy.caps_for(program);
    // A capability etc/caps names that init itself was not handed (the
    // network on an image without one) cannot be passed on: the service
    // could only fail and be restarted forever, so it is not started.
    for (u32 i = 0; i < kCapCount; ++i) {
        if (!(caps & (1u << i)) || start_handle(abi::StartHandle(abi::kPowerCap + i)) != kNoHandle) continue;
        s.state = State::Stopped;
        FormatBuffer last(Span<char>(s.last, sizeof(s.last)));
        format_append(last, "needs {}", cap_name(i));
        print_err("init: {}: not started: it needs the {} capability, which this machine does not have\n",
                  spec.name_view(), cap_name(i));
        return;
    }
    const bool console = spec.log_view() == "console";
    Handle log = std_err();
    if (!console) {
        auto opened = open_log(spec);
        if (opened.is_error()) {
            print_err("init: {}: log: {}; its output goes to the console\n", spec.name_view(), opened.error());
        } else {
            log = opened.value();
        }
    }
    Handle handles[abi::kStartHandleCount] = {kNoHandle, console ? std_out() : log, log, m_shared_root,
                                               m_shared_root};
    pass_caps(caps, handles);
    StringView argv[ServiceSpec::kMaxWords];
    for (usize i = 0; i < spec.word_count; ++i) argv[i] = spec.word(i);
    char path[ServiceSpec::kCommandMax + 8];
    FormatBuffer where(Span<char>(path, sizeof(path)));
    if (spec.word(0).starts_with("bin/")) where.append(spec.word(0));
    else format_append(where, "bin/{}", spec.word(0));
    auto child = spawn(m_root, where.view(), Span<const StringView>(argv, spec.word_count), handles);
    if (log != std_err()) (void)sys::close(log);
    const u64 now = sys::clock();
    ++s.starts;
    if (child.is_error()) {
        // Nothing to wait for: treat it as an end at once.
        FormatBuffer last(Span<char>(s.last, sizeof(s.last)));
        format_append(last, "cannot start: {}", child.error());
        if (spec.restart == RestartPolicy::Never) {
            s.state = State::Stopped;
            print_err("init: {}: cannot start {}: {}; not restarted (restart=never)\n", spec.name_view(),
                      where.view(), child.error());
            return;
        }
        u64 pause = s.backoff.next(0);
        s.state = State::Waiting;
        s.due = now + pause;
        char text[32];
        FormatBuffer p(Span<char>(text, sizeof(text)));
        append_pause(p, pause);
        print_err("init: {}: cannot start {}: {}; trying again in {}\n", spec.name_view(), where.view(),
                  child.error(), p.view());
        return;
    }
    s.process = child.value();
    abi::Stat stat {};
    s.pid = sys::stat(s.process, stat).ok() ? u32(stat.inode) : 0;
    s.state = State::Running;
    s.started = now;
    s.failed_checks = 0;
    s.stopping = false;
    s.due = spec.check == CheckKind::None ? 0 : now + spec.every_ns;
    if (s.starts == 1) print_err("init: {}: started, pid {}\n", spec.name_view(), s.pid);
    else print_err("init: {}: started again, pid {} (restart {})\n", spec.name_view(), s.pid, s.starts - 1);
}

usize Supervisor::watch(abi::PollItem* items, usize capacity) const {
    usize n = 0;
    for (usize i = 0; i < m_list.count() && n < capacity; ++i)
        if (m_services[i].state == State::Running) items[n++] = {m_services[i].process, abi::kPollExited, 0, 0};
    return n;
}

void Supervisor::on_exit(Handle child) {
    usize index = 0;
    while (index < m_list.count() &&
           !(m_services[index].state == State::Running && m_services[index].process == child))
        ++index;
    if (index == m_list.count()) return;
    const ServiceSpec& spec = m_list[index];
    Service& s = m_services[index];
    abi::ExitInfo info {};
    auto waited = sys::wait(child, info, 0);
    (void)sys::close(child);
    s.process = kNoHandle;
    const u32 pid = s.pid;
    s.pid = 0;
    const u64 now = sys::clock();
    const u64 uptime = now - s.started;
    char text[96];
    FormatBuffer why(Span<char>(text, sizeof(text)));
    bool clean = false;
    if (waited.is_error()) {
        format_append(why, "wait: {}", waited.error());
    } else if (s.stopping) {
        format_append(why, "stopped after {} failed health checks", s.failed_checks);
    } else {
        clean = describe_exit(info, why);
        if (clean) why.append("[exit 0]");
    }
    FormatBuffer last(Span<char>(s.last, sizeof(s.last)));
    last.append(why.view());
    char up[32];
    FormatBuffer up_text(Span<char>(up, sizeof(up)));
    append_pause(up_text, uptime / kMillisecond * kMillisecond);
    const bool restart = spec.restart == RestartPolicy::Always ||
                         (spec.restart == RestartPolicy::OnFailure && (!clean || s.stopping));
    if (!restart) {
        s.state = State::Stopped;
        print_err("init: {}: pid {} ended {} after {}; not restarted (restart={})\n", spec.name_view(), pid,
                  why.view(), up_text.view(), restart_policy_name(spec.restart));
        write_status();
        return;
    }
    const u64 pause = s.backoff.next(uptime);
    s.state = State::Waiting;
    s.due = now + pause;
    char pause_text[32];
    FormatBuffer p(Span<char>(pause_text, sizeof(pause_text)));
    append_pause(p, pause);
    print_err("init: {}: pid {} ended {} after {}; restarting in {}\n", spec.name_view(), pid, why.view(),
              up_text.view(), p.view());
    write_status();
}

u64 Supervisor::next_deadline() const {
    u64 next = kForever;
    for (usize i = 0; i < m_list.count(); ++i) {
        const Service& s = m_services[i];
        const bool timed = s.state == State::Waiting || (s.state == State::Running && s.due && !s.stopping);
        if (timed && s.due < next) next = s.due;
    }
    return next;
}

void Supervisor::run_due() {
    for (usize i = 0; i < m_list.count(); ++i) {
        Service& s = m_services[i];
        if (s.state == State::Waiting && s.due <= sys::clock()) {
            start(i);
            write_status();
        } else if (s.state == State::Running && s.due && !s.stopping && s.due <= sys::clock()) {
            check(i);
        }
    }
}

void Supervisor::check(usize index) {
    const ServiceSpec& spec = m_list[index];
    Service& s = m_services[index];
    auto result = probe(spec);
    s.due = sys::clock() + spec.every_ns;
    if (result.ok()) {
        if (s.failed_checks) print_err("init: {}: health check {}:{} passes again\n", spec.name_view(),
                                       check_kind_name(spec.check), spec.check_port);
        s.failed_checks = 0;
        return;
    }
    ++s.failed_checks;
    print_err("init: {}: health check {}:{} failed ({}), {} of {}\n", spec.name_view(), check_kind_name(spec.check),
              spec.check_port, result.error(), s.failed_checks, spec.failures);
    if (s.failed_checks < spec.failures) return;
    print_err("init: {}: not healthy; stopping it\n", spec.name_view());
    s.stopping = true;
    if (auto stopped = sys::signal(s.process, abi::Signal::Terminate); stopped.is_error())
        print_err("init: {}: cannot stop it: {}\n", spec.name_view(), stopped.error());
}

SysOr<void> Supervisor::probe(const ServiceSpec& spec) {
    const abi::SocketAddress target {kLoopback, spec.check_port, 0};
    if (spec.check == CheckKind::Tcp) {
        Handle s = TRY(sys::socket(net_cap(), abi::SocketKind::Tcp));
        auto connected = sys::connect(s, target, spec.timeout_ns);
        (void)sys::close(s);
        return connected;
    }
    Handle s = TRY(sys::socket(net_cap(), abi::SocketKind::Udp));
    static UdpProbe sent, back;
    sent.header = {};
    sent.header.peer = target;
    FormatBuffer payload(Span<char>(sent.payload, sizeof(sent.payload)));
    format_append(payload, "init health {} {}", spec.name_view(), ++m_probe_serial);
    const usize length = sizeof(sent.header) + payload.length();
    SysOr<void> result = abi::Err::Timeout;
    if (auto wrote = sys::write(s, &sent, length); wrote.is_error()) {
        result = wrote.error();
    } else {
        // Answers to earlier (timed-out) probes are stale: read until ours
        // comes back or the time is up.
        const u64 deadline = sys::clock() + spec.timeout_ns;
        for (;;) {
            const u64 now = sys::clock();
            if (now >= deadline) break;
            abi::PollItem item {s, abi::kPollReadable, 0, 0};
            auto ready = sys::poll(&item, 1, deadline - now);
            if (ready.is_error()) {
                result = ready.error();
                break;
            }
            if (!(item.ready & abi::kPollReadable)) continue;
            auto got = sys::read(s, &back, sizeof(back));
            if (got.is_error()) {
                result = got.error();
                break;
            }
            if (got.value() == length && mem_compare(back.payload, sent.payload, payload.length()) == 0) {
                result = SysOr<void>();
                break;
            }
        }
    }
    (void)sys::close(s);
    return result;
}

void Supervisor::write_status() {
    // One line per service, times as sys::clock() values so that `services`
    // can say how long ago (or how soon) whenever it runs:
    //   NAME STATE PID RESTARTS CLOCK LAST-END...
    // (CLOCK: when it started if running, when it starts again in backoff;
    // PID 0 and CLOCK 0 when they do not apply.)
    static char text[4096];
    FormatBuffer out(Span<char>(text, sizeof(text)));
    for (usize i = 0; i < m_list.count(); ++i) {
        const Service& s = m_services[i];
        const char* state = s.state == State::Running ? "running" : s.state == State::Waiting ? "backoff" : "stopped";
        const u64 clock = s.state == State::Running ? s.started : s.state == State::Waiting ? s.due : 0;
        format_append(out, "{} {} {} {} {} {}\n", m_list[i].name_view(), state,
                      s.state == State::Running ? s.pid : 0, s.starts ? s.starts - 1 : 0, clock, StringView(s.last));
    }
    auto file = sys::open(m_shared_root, "tmp/services", abi::kOpenWrite | abi::kOpenCreate | abi::kOpenTruncate);
    if (file.is_error()) return;  // no tmp/: no listing
    (void)write_all(file.value(), out.view());
    (void)sys::close(file.value());
}

}  // namespace mote::user
