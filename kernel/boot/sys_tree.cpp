#include "boot/sys_tree.hpp"

#include "base/civil_time.hpp"
#include "base/version.hpp"
#include "boot/kernel.hpp"
#include "base/parse_number.hpp"
#include "boot/crash_requests.hpp"
#include "boot/kernel_reports.hpp"
#include "core/previous_boot.hpp"
#if MOTE_HAVE_DRIVERS
#include "net/net_report.hpp"
#include "socket/socket_report.hpp"
#endif
#include "core/log.hpp"
#include "core/wall_clock.hpp"
#include "mm/slab_cache.hpp"
#include "proc/process.hpp"
#include "proc/wait_graph.hpp"

namespace mote {

namespace {

void line_to_buffer(StringView line, void* context) {
    auto* out = static_cast<FormatBuffer*>(context);
    out->append(line);
    out->append('\n');
}

u64 ms(Nanoseconds t) { return t / kMillisecond; }

const char* band_name(Band band) { return band == Band::Interactive ? "interactive" : "batch"; }

const char* process_state(Process& p) {
    return p.state() == ProcessState::Exited ? "exited" : thread_state_name(p.thread().state());
}

void generate_memory(FormatBuffer& out, Kernel& kernel, UserSpace& user) {
    if (this_cpu().frames) this_cpu().frames->trim();
    if (write_machine_memory(kernel.machine(), line_to_buffer, &out).is_error()) out.append("no memory report\n");
    u64 total = 0;
    user.processes().for_each([&](Process& p) { total += p.space().resident_pages(); });
    format_append(out, "user: {} processes, {} pages resident\n", user.processes().count(), total);
}

void generate_memory_json(FormatBuffer& out, Kernel& kernel, UserSpace& user) {
    // Frames kept for reuse go back to their slabs first, so the figures
    // are what live objects need (FrameCache's magazines).
    if (this_cpu().frames) this_cpu().frames->trim();
    PageAllocator* pages = kernel.machine().pages();
    PageAllocatorStats s = pages ? pages->stats() : PageAllocatorStats {};
    // Empty slabs a cache keeps for reuse (SlabCache::kKeepEmptySlabs) are
    // not in use by anything: a leak check counts them with the free pages,
    // or the first use of a rarely used cache would look like a leak.
    u64 slab_cached = 0;
    SlabCache::for_each_cache(
        [&](const SlabCache& cache) { slab_cached += cache.empty_slab_count() << cache.slab_order(); });
    format_append(out,
                  "{{\"page_size\": {}, \"total_pages\": {}, \"free_pages\": {}, \"slab_cached_pages\": {}, "
                  "\"metadata_pages\": {}, \"allocations\": {}, \"frees\": {}, \"failures\": {}, \"processes\": [",
                  kPageSize, s.total_pages, s.free_pages, slab_cached, s.metadata_pages, s.allocations, s.frees,
                  s.failures);
    bool first = true;
    user.processes().for_each([&](Process& p) {
        format_append(out, "{}{{\"pid\": {}, \"pages\": {}}}", first ? "" : ", ", p.pid(), p.space().resident_pages());
        first = false;
    });
    out.append("]}\n");
}

void generate_processes(FormatBuffer& out, UserSpace& user) {
    out.append("  PID  PPID STATE     BAND        CPU_MS SWITCHES  WAIT_MS SYSCALLS PAGES HANDLES NAME (WAITING ON)\n");
    user.processes().for_each([&](Process& p) {
        const ThreadStats& t = p.thread().stats();
        format_append(out, "{:5} {:5} {:9} {:11} {:6} {:8} {:8} {:8} {:5} {:7} {}", p.pid(), p.parent_pid(),
                      process_state(p), band_name(p.thread().band()), ms(t.cpu_time), t.switches, ms(t.wait_time),
                      t.syscalls, p.space().resident_pages(), p.handles().used(), p.name());
        if (p.thread().wait_reason()) format_append(out, " ({})", p.thread().wait_reason());
        out.append('\n');
    });
}

void generate_processes_json(FormatBuffer& out, UserSpace& user) {
    out.append("[");
    bool first = true;
    user.processes().for_each([&](Process& p) {
        const ThreadStats& t = p.thread().stats();
        format_append(out,
                      "{}{{\"pid\": {}, \"ppid\": {}, \"name\": \"{}\", \"state\": \"{}\", \"band\": \"{}\", "
                      "\"cpu_ns\": {}, \"switches\": {}, \"wait_ns\": {}, \"ready_ns\": {}, \"syscalls\": {}, "
                      "\"pages\": {}, \"handles\": {}, \"waiting_on\": \"{}\"}}",
                      first ? "" : ", ", p.pid(), p.parent_pid(), p.name(), process_state(p),
                      band_name(p.thread().band()), t.cpu_time, t.switches, t.wait_time, t.ready_time, t.syscalls,
                      p.space().resident_pages(), p.handles().used(),
                      p.thread().wait_reason() ? p.thread().wait_reason() : "");
        first = false;
    });
    out.append("]\n");
}

// How processes came and went since boot; sys/processes lists the ones
// there are now.
void generate_process_table(FormatBuffer& out, UserSpace& user) {
    const ProcessTableStats& s = user.processes().stats();
    format_append(out, "created {}\nexited {}\nfaulted {}\nkilled {}\ncreate_failures {}\nlimited {}\n", s.created,
                  s.exited, s.faulted, s.killed, s.create_failures, s.limited);
}

void generate_maps(FormatBuffer& out, UserSpace& user) {
    user.processes().for_each([&](Process& p) {
        format_append(out, "pid {} {}\n", p.pid(), p.name());
        const AddressSpace& space = p.space();
        for (usize i = 0; i < space.region_count(); ++i) {
            const Region& r = space.regions()[i];
            format_append(out, "  {:#012x}-{:#012x} {}{}{} {:8} {} pages\n", r.start, r.end(),
                          (r.access & kUserRead) ? 'r' : '-', (r.access & kUserWrite) ? 'w' : '-',
                          (r.access & kUserExecute) ? 'x' : '-', region_kind_name(r.kind), r.size / kPageSize);
        }
    });
}

void generate_waits(FormatBuffer& out, Kernel& kernel, UserSpace& user) {
    Nanoseconds now = kernel.loop().now();
    ProcessTable& processes = user.processes();
    processes.for_each([&](Process& p) {
        Thread& t = p.thread();
        if (t.state() != ThreadState::Parked) return;
        format_append(out, "pid {} ({}) waits on {}", p.pid(), p.name(), t.wait_reason() ? t.wait_reason() : "?");
        describe_wait(processes, t, out);
        format_append(out, " for {} ms\n", ms(now - t.parked_since()));
    });
    WaitGraph graph(processes);
    graph.write_cycles(out);
}

void generate_channels(FormatBuffer& out, UserSpace& user) {
    const ChannelTableStats& s = user.channels().stats();
    format_append(out, "channels {} live {} message_failures {}\n", s.created, s.live, s.message_failures);
    out.append("   ID QUEUED_A QUEUED_B MESSAGES   DIRECT      BYTES HANDLES HIGH_WATER FULL STATE\n");
    user.channels().for_each([&](Channel& c) {
        const ChannelStats& st = c.stats();
        const char* state = c.closed(0) ? "a closed" : c.closed(1) ? "b closed" : "open";
        format_append(out, "{:5} {:8} {:8} {:8} {:8} {:10} {:7} {:10} {:4} {}\n", c.id(), c.end(0).queued(),
                      c.end(1).queued(), st.messages, st.handed_over, st.bytes, st.handles, st.high_water, st.times_full,
                      state);
    });
}

// The console as programs use it: `dropped` is input typed while nobody
// read and the buffer was full, `writes_parked` how often a program waited
// for a slow console to take its output.
void generate_console(FormatBuffer& out, UserSpace& user) {
    const ConsoleStreamStats& s = user.console().stats();
    format_append(out,
                  "bytes_in {}\nbytes_out {}\ndropped {}\nreads_parked {}\nwrites_parked {}\ninterrupts {}\n"
                  "flushed {}\n",
                  s.bytes_in, s.bytes_out, s.dropped, s.reads_parked, s.writes_parked, s.interrupts, s.flushed);
}

// One reading of the wall clock, in every form a program may want: whole
// seconds and nanoseconds since 1970, ISO 8601 UTC, whether a real-time
// clock set it and which, and the uptime it was read at.
void generate_clock(FormatBuffer& out, Kernel& kernel) {
    Nanoseconds uptime = kernel.loop().now();
    i64 ns = wall_clock_ns();
    i64 seconds = ns / i64(kSecond);
    format_append(out, "seconds {}\nns {}\nutc ", seconds, ns);
    auto civil = civil_from_unix(seconds);
    if (civil.ok()) format_iso8601(out, civil.value());
    else out.append('?');
    format_append(out, "\nknown {}\nsource {}\nuptime_ns {}\n", wall_clock_known() ? "yes" : "no",
                  wall_clock_source(), uptime);
}

}  // namespace

SysTree::SysTree(Kernel& kernel, UserSpace& user)
    : m_kernel(kernel),
      m_user(user),
      m_memory("memory", [](FormatBuffer& o, void* c) { auto* t = static_cast<SysTree*>(c); generate_memory(o, t->m_kernel, t->m_user); }, this),
      m_memory_json("memory.json", [](FormatBuffer& o, void* c) { auto* t = static_cast<SysTree*>(c); generate_memory_json(o, t->m_kernel, t->m_user); }, this),
      m_processes("processes", [](FormatBuffer& o, void* c) { generate_processes(o, static_cast<SysTree*>(c)->m_user); }, this),
      m_processes_json("processes.json", [](FormatBuffer& o, void* c) { generate_processes_json(o, static_cast<SysTree*>(c)->m_user); }, this),
      m_process_table("process_table", [](FormatBuffer& o, void* c) { generate_process_table(o, static_cast<SysTree*>(c)->m_user); }, this),
      m_maps("maps", [](FormatBuffer& o, void* c) { generate_maps(o, static_cast<SysTree*>(c)->m_user); }, this),
      m_waits("waits", [](FormatBuffer& o, void* c) { auto* t = static_cast<SysTree*>(c); generate_waits(o, t->m_kernel, t->m_user); }, this),
      m_uptime("uptime", [](FormatBuffer& o, void* c) { write_uptime_report(static_cast<SysTree*>(c)->m_kernel, line_to_buffer, &o); }, this),
      m_clock("clock", [](FormatBuffer& o, void* c) { generate_clock(o, static_cast<SysTree*>(c)->m_kernel); }, this),
      m_log("log", [](FormatBuffer& o, void*) { write_log_report(~u64(0), line_to_buffer, &o); }, this, nullptr,
            fs::SysFile::Access::Privileged),
      m_console("console", [](FormatBuffer& o, void* c) { generate_console(o, static_cast<SysTree*>(c)->m_user); }, this),
      m_audit("audit", [](FormatBuffer& o, void* c) { write_audit(static_cast<SysTree*>(c)->m_user.processes().audit(), o); },
              this, nullptr, fs::SysFile::Access::Privileged),
      m_trust("trust", [](FormatBuffer& o, void* c) { static_cast<SysTree*>(c)->m_user.trust().write_report(o); }, this),
      m_channels("channels", [](FormatBuffer& o, void* c) { generate_channels(o, static_cast<SysTree*>(c)->m_user); }, this),
      m_devices("devices",
                [](FormatBuffer& o, void* c) {
                    auto r = static_cast<SysTree*>(c)->m_kernel.machine().describe(MachineReport::Devices, line_to_buffer, &o);
                    if (r.is_error()) o.append("no device report on this machine\n");
                },
                this),
      m_scheduler("scheduler",
                  [](FormatBuffer& o, void* c) {
                      Scheduler& s = static_cast<SysTree*>(c)->m_user.processes().scheduler();
                      format_append(o,
                                    "timeslice_ms {}\nrunnable {}\nruns {}\npreemptions {}\nidle_returns {}\n"
                                    "direct_switches {}\n",
                                    s.timeslice() / kMillisecond, s.runnable(), s.stats().runs, s.stats().preemptions,
                                    s.stats().idle_returns, s.stats().direct_switches);
                  },
                  this),
      m_timeslice(
          "timeslice_ms",
          [](FormatBuffer& o, void* c) {
              format_append(o, "{}\n", static_cast<SysTree*>(c)->m_user.processes().scheduler().timeslice() / kMillisecond);
          },
          this,
          [](StringView text, void* c) -> Result<void> {
              u64 value = TRY(parse_u64(text));
              if (value == 0 || value > 1000) return Error::OutOfRange;
              static_cast<SysTree*>(c)->m_user.processes().scheduler().set_timeslice(value * kMillisecond);
              return {};
          },
          fs::SysFile::Access::WritePrivileged),
      m_log_level(
          "log_level", [](FormatBuffer& o, void*) { format_append(o, "{}\n", log_level_name(klog().console_level())); },
          this,
          [](StringView text, void*) -> Result<void> {
              LogLevel level;
              if (!parse_log_level(text, level)) return Error::InvalidArgument;
              klog().set_console_level(level);
              return {};
          },
          fs::SysFile::Access::WritePrivileged),
      m_power(
          "power", [](FormatBuffer& o, void*) { o.append("write \"off\" or \"reboot\"\n"); }, this,
          [](StringView text, void* c) -> Result<void> {
              Kernel& kernel = static_cast<SysTree*>(c)->m_kernel;
              if (text == "off") kernel.request_power(PowerAction::PowerOff);
              else if (text == "reboot") kernel.request_power(PowerAction::Reboot);
              else return request_crash(kernel, text);
              return {};
          },
          fs::SysFile::Access::Privileged),
      m_epitaph("epitaph", [](FormatBuffer& o, void*) { write_previous_boot(previous_boot(), false, line_to_buffer, &o); },
                this),
      m_epitaph_log(
          "epitaph_log", [](FormatBuffer& o, void*) { write_previous_boot(previous_boot(), true, line_to_buffer, &o); },
          this, nullptr, fs::SysFile::Access::Privileged),
      m_version("version",
                [](FormatBuffer& o, void* c) {
                    format_append(o, "Mote {} ({}), {} build, {} profile, on {}\n", kVersion, kRevision, kArch,
                                  MOTE_PROFILE_NAME, static_cast<SysTree*>(c)->m_kernel.machine().name());
                },
                this),
      m_layout("layout",
               [](FormatBuffer& o, void* c) {
                   auto r = static_cast<SysTree*>(c)->m_kernel.machine().describe(MachineReport::Layout, line_to_buffer, &o);
                   if (r.is_error()) o.append("no memory layout on this machine\n");
               },
               this)
#if MOTE_HAVE_DRIVERS
      ,
      m_net("net",
            [](FormatBuffer& o, void* c) {
                if (write_net_report(static_cast<SysTree*>(c)->m_kernel.net(), line_to_buffer, &o).is_error())
                    o.append("no network device\n");
            },
            this),
      m_sockets("sockets",
                [](FormatBuffer& o, void* c) {
                    if (SocketTable* table = static_cast<SysTree*>(c)->m_user.sockets()) write_socket_report(*table, o);
                    else o.append("no sockets: the network is not up\n");
                },
                this)
#endif
{
    fs::SysFile* files[] = {&m_memory,   &m_memory_json, &m_processes, &m_processes_json, &m_process_table,
                            &m_maps,     &m_waits,       &m_uptime,    &m_clock,          &m_log,
                            &m_console,  &m_audit,       &m_trust,     &m_channels,       &m_devices,
                            &m_scheduler, &m_timeslice,  &m_log_level, &m_power,          &m_epitaph,
                            &m_epitaph_log, &m_version, &m_layout};
    for (fs::SysFile* file : files) m_root.add(*file);
#if MOTE_HAVE_DRIVERS
    m_root.add(m_net);
    m_root.add(m_sockets);
#endif
}

}  // namespace mote
