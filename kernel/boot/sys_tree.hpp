// SysTree: the kernel's information as the files under sys/ in every
// program's root. Read a file to get a report (text; the .json twin has
// the same facts for programs), write a setting's file to change it.
//
//   sys/memory[.json]     physical memory, allocator, slab caches, what each process holds
//   sys/processes[.json]  one line per process: pid, parent, state, band, CPU time, switches,
//                         wait time, syscalls, pages, handles, name, what it waits on
//   sys/process_table     the process table's counters: created, exited, faulted, killed,
//                         refused (create_failures, limited)
//   sys/maps              every process's regions (start-end, access, kind)
//   sys/waits             every parked thread: what it waits on and since when
//   sys/uptime            uptime, the boot timeline, loop counters
//   sys/clock             the wall clock: seconds and ns since 1970, ISO 8601 UTC, known (an RTC set it), source
//   sys/log               the kernel log ring
//   sys/console           the console stream's counters: bytes in and out, input dropped,
//                         reads and writes that waited, Ctrl-C interrupts and the input they flushed
//   sys/version           the kernel: version, revision, ISA, profile, machine
//   sys/layout            the kernel's address space and the physical memory map (bare metal)
//   sys/devices           devices and their drivers
//   sys/net               the network stack (images with drivers)
//   sys/sockets           every open socket: kind, state, local and peer address, what waits
//                         to be read, drops, retransmissions, bytes in and out (images with drivers)
//   sys/scheduler         scheduler counters; sys/timeslice_ms (read/write)
//   sys/log_level         console log level (read/write)
//   sys/power             write "off" or "reboot" (or crash on purpose: boot/crash_requests.hpp)
//   sys/epitaph           how the previous boot ended (core/previous_boot.hpp), without its log lines
//   sys/epitaph_log       the same with the log lines it kept (privileged, like sys/log)
#pragma once

#include "base/config.hpp"
#include "fs/sys_node.hpp"

namespace mote {

class Kernel;
class UserSpace;

class SysTree {
public:
    SysTree(Kernel& kernel, UserSpace& user);
    fs::SysDirectory& root() { return m_root; }

private:
    Kernel& m_kernel;
    UserSpace& m_user;
    fs::SysFile m_memory, m_memory_json, m_processes, m_processes_json, m_process_table, m_maps, m_waits, m_uptime, m_clock, m_log,
        m_console, m_audit, m_trust, m_channels, m_devices, m_scheduler, m_timeslice, m_log_level, m_power, m_epitaph, m_epitaph_log,
        m_version, m_layout;
#if MOTE_HAVE_DRIVERS
    fs::SysFile m_net, m_sockets;
#endif
    // Last: destroyed first, while the files it lists still exist.
    fs::SysDirectory m_root {"sys"};
};

}  // namespace mote
