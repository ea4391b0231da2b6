"""Processes and threads: `mote-ps`, `mote-threads`, and the lookups the
other commands share (every process, one by pid, the one on the CPU).

The process table is reached through the bare-metal user mode
(platform/bare_metal/user_mode.cpp: g_user_mode), which also knows the
thread it is running: set just before the CPU enters user mode and cleared
when the loop has it back, so while a user program is stopped, or the
kernel is in one of its syscalls, that thread's process is "current".
"""
import gdb

from . import kernel_data
from . import kernel_view

# Each ISA's saved user pc in its TrapFrame (arch/<isa>/cpu.hpp), tried in
# turn: only the built one exists in the debug info.
_FRAME_TYPES = [("mote::riscv::TrapFrame", "sepc"), ("mote::aarch64::TrapFrame", "elr"),
                ("mote::x86::TrapFrame", "rip")]


def table():
    return kernel_data.user_mode()["m_processes"].dereference()


def processes():
    return kernel_data.list_items(table()["m_all"])


def find(pid):
    for process in processes():
        if int(process["m_pid"]) == pid:
            return process
    raise gdb.GdbError(f"mote: no process {pid}")


def current_thread():
    """The thread on the CPU (in user mode or in its syscall), or None."""
    running = kernel_data.user_mode()["m_running"]
    return running.dereference() if int(running) else None


def current_process():
    thread = current_thread()
    return thread["m_process"].referenced_value() if thread is not None else None


def saved_user_pc(thread):
    """The pc the thread resumes at, from its saved frame (valid while it is
    off the CPU); None if this build's frame type is unknown."""
    for type_name, pc_field in _FRAME_TYPES:
        try:
            frame_type = gdb.lookup_type(type_name)
        except gdb.error:
            continue
        frame = thread["m_frame"].address.cast(frame_type.pointer()).dereference()
        return int(frame[pc_field])
    return None


def _syscall_name(number):
    """The thread's last syscall by its name in abi::Sys (its number if the
    debug info has no such enumerator)."""
    try:
        return kernel_data.enum_name(number.cast(gdb.lookup_type("mote::abi::Sys")))
    except gdb.error:
        return str(int(number))


def _user_pc_text(process, pc):
    """A saved user pc, symbolized only if this process runs the program
    whose symbols are loaded (the same address is other code elsewhere)."""
    if pc is None:
        return "?"
    from . import user_program  # it imports this module
    if user_program.loaded_name() == name_of(process):
        return kernel_data.symbol_at(pc)
    return f"{pc:#x}"


def name_of(process):
    return kernel_data.text(process["m_name"])


def pid_of(process):
    return int(process["m_pid"])


class ProcessesCommand(gdb.Command):
    """List the processes: mote-ps.
The process on the CPU (in user mode or in a syscall) is marked with *."""

    def __init__(self):
        super().__init__("mote-ps", gdb.COMMAND_STATUS)

    @kernel_view.reads_kernel
    def invoke(self, argument, from_tty):
        current = current_process()
        current_pid = pid_of(current) if current is not None else None
        gdb.write("   PID  PPID STATE    THREAD    PAGES NAME\n")
        for process in processes():
            pid = pid_of(process)
            thread = process["m_thread"]
            mark = "*" if pid == current_pid else " "
            gdb.write(f"{mark}{pid:5} {int(process['m_parent_pid']):5} "
                      f"{kernel_data.enum_name(process['m_state']):8} "
                      f"{kernel_data.enum_name(thread['m_state']):8} "
                      f"{int(process['m_space']['m_resident']):6} {name_of(process)}\n")


class ThreadsCommand(gdb.Command):
    """List the threads and what each waits on: mote-threads.
Shows each thread's state, band, last syscall, what it is parked on, and
the user pc it resumes at (saved in its frame while it is off the CPU)."""

    def __init__(self):
        super().__init__("mote-threads", gdb.COMMAND_STATUS)

    @kernel_view.reads_kernel
    def invoke(self, argument, from_tty):
        current = current_thread()
        current_address = int(current.address) if current is not None else None
        scheduler = table()["m_scheduler"]
        gdb.write("   PID NAME         STATE    BAND        SYSCALL      SWITCHES USER_PC / WAITING ON\n")
        for process in processes():
            thread = process["m_thread"]
            on_cpu = int(thread.address) == current_address
            if on_cpu:
                where = "on the CPU"
            else:
                where = _user_pc_text(process, saved_user_pc(thread))
            reason = kernel_data.text(thread["m_wait_reason"])
            if reason:
                where += f" (parked: {reason})"
            stats = thread["m_stats"]
            gdb.write(f"{'*' if on_cpu else ' '}{pid_of(process):5} {name_of(process):12} "
                      f"{kernel_data.enum_name(thread['m_state']):8} {kernel_data.enum_name(thread['m_band']):11} "
                      f"{_syscall_name(thread['m_syscall']) if int(stats['syscalls']) else '-':12} {int(stats['switches']):8} {where}\n")
        queues = scheduler["m_queues"]
        low, high = queues.type.strip_typedefs().range()
        for band in range(low, high + 1):
            queued = [f"{pid_of(t['m_process'].referenced_value())}"
                      for t in kernel_data.list_items(queues[band])]
            gdb.write(f"run queue {band}: {' '.join(queued) if queued else '(empty)'}\n")


def register():
    ProcessesCommand()
    ThreadsCommand()
