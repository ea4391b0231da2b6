#include "proc/process.hpp"

#include "proc/process_table.hpp"

namespace mote {

Process::Process(ProcessTable& table, u32 pid, StringView name, Process* parent, PageAllocator& pages, UserMmu& mmu)
    : KernelObject(ObjectType::Process),
      m_table(table),
      m_pid(pid),
      m_parent_pid(parent ? parent->pid() : 0),
      m_parent(parent),
      m_mmu(mmu),
      m_space(pages, mmu, PageOwner(pid)),
      m_thread(*this) {
    m_name.append(name);
    m_started = table.loop().now();
}

Process::~Process() { set_program(nullptr); }

void Process::set_program(ProgramFile* file) {
    if (file) file->retain();
    if (m_program) m_program->release();
    m_program = file;
}

ProcessTable& Process::table() { return m_table; }

Result<void> Process::stat(abi::Stat& stat) {
    stat = {};
    stat.type = u32(abi::NodeType::Process);
    stat.inode = m_pid;
    stat.size = m_space.resident_pages() * kPageSize;
    return {};
}

u32 Process::poll_ready(u32 events) { return m_state == ProcessState::Exited ? (events & abi::kPollExited) : 0; }

void Process::watch(Thread& thread) { m_poller = &thread; }

void Process::unwatch(Thread& thread) {
    if (m_poller == &thread) m_poller = nullptr;
}

void Process::cancel_wait(Thread& thread) {
    if (thread.wait_node.is_linked()) m_exit_waiters.remove(thread);
    unwatch(thread);
}

void Process::destroy() { m_table.free(*this); }

}  // namespace mote
