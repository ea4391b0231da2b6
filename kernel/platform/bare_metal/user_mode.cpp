#include "platform/bare_metal/user_mode.hpp"

#include "core/cpu.hpp"
#include "platform/bare_metal/arch_user_mmu.hpp"
#include "platform/bare_metal/kernel_watchdog.hpp"
#include "proc/process.hpp"

namespace mote {

namespace {
// Also how the gdb helper finds the process table and the thread on the
// CPU (tools/gdb/motegdb/kernel_data.py).
BareMetalUserMode* g_user_mode = nullptr;

Arch::TrapFrame& frame_of(Thread& thread) { return *static_cast<Arch::TrapFrame*>(thread.frame()); }
static_assert(sizeof(Arch::TrapFrame) <= kUserFrameBytes, "a thread's frame does not fit Thread's storage");
static_assert(alignof(Arch::TrapFrame) <= 16);
static_assert(Arch::kFpStateBytes <= kUserFpBytes, "a thread's FP state does not fit Thread's storage");
}  // namespace

arch::UserTrapAction platform_user_syscall(Arch::TrapFrame& frame) {
    VERIFY_MSG(g_user_mode, "a syscall from user mode without user mode");
    return g_user_mode->on_syscall(frame);
}

arch::UserTrapAction platform_user_trap(Arch::TrapFrame& frame, arch::UserTrapKind kind, const arch::FaultInfo& fault) {
    VERIFY_MSG(g_user_mode, "a trap from user mode without user mode");
    return g_user_mode->on_other_trap(frame, kind, fault);
}

bool user_mode_current(StringView& name, u32& pid) {
    if (!g_user_mode || !g_user_mode->m_running) return false;
    Process& process = g_user_mode->m_running->process();
    name = process.name();
    pid = process.pid();
    return true;
}

BareMetalUserMode::BareMetalUserMode(PageAllocator& pages, const TickClock& clock)
    : m_pages(pages), m_clock(clock), m_mmus("user-mmu", sizeof(ArchUserMmu), alignof(ArchUserMmu), pages) {}

void BareMetalUserMode::attach(ProcessTable& processes, Syscalls& syscalls) {
    m_processes = &processes;
    m_syscalls = &syscalls;
    m_asids = Arch::asid_count() > kAsids;
    g_user_mode = this;
}

u16 BareMetalUserMode::allocate_asid() {
    if (!m_asids) return 0;
    for (u32 asid = 1; asid < kAsids; ++asid) {
        u64& word = m_asid_used[asid / 64];
        if (word & (u64(1) << (asid % 64))) continue;
        word |= u64(1) << (asid % 64);
        return u16(asid);
    }
    return 0;  // cannot happen: one per process, and processes are capped
}

void BareMetalUserMode::free_asid(u16 asid) {
    if (asid == 0) return;
    // Nothing of the old address space may survive into the next one that
    // gets this ASID.
    Arch::flush_address_space(asid);
    m_asid_used[asid / 64] &= ~(u64(1) << (asid % 64));
}

Result<UserMmu*> BareMetalUserMode::create_mmu() {
    void* memory = TRY(m_mmus.allocate());
    auto* tables = new (memory) ArchUserMmu(m_pages);
    auto made = tables->init(allocate_asid());
    if (made.is_error()) {
        free_asid(tables->asid());
        tables->~ArchUserMmu();
        m_mmus.free(memory);
        return made.error();
    }
    return static_cast<UserMmu*>(tables);
}

void BareMetalUserMode::destroy_mmu(UserMmu& mmu) {
    auto& tables = static_cast<ArchUserMmu&>(mmu);
    // The CPU may still be on these tables (the process is ending from its
    // own syscall or fault): move to the kernel's before they are freed.
    if (m_current_tables == &tables) {
        Arch::switch_address_space(0, 0);
        m_current_tables = nullptr;
    }
    u16 asid = tables.asid();
    tables.destroy();
    free_asid(asid);
    tables.~ArchUserMmu();
    m_mmus.free(&tables);
}

void BareMetalUserMode::start_frame(Thread& thread, u64 entry, u64 sp, u64 argument) {
    Arch::user_frame_init(frame_of(thread), entry, sp, argument);
    // A new thread starts with clean FP registers, never the last owner's.
    Arch::fp_init(thread.fp_state());
    if (m_fp_owner == &thread) m_fp_owner = nullptr;
}

void BareMetalUserMode::end_thread(Thread& thread) {
    if (m_fp_owner == &thread) m_fp_owner = nullptr;
}

void BareMetalUserMode::set_result(Thread& thread, i64 result) { Arch::set_syscall_result(frame_of(thread), u64(result)); }

RunExit BareMetalUserMode::run(Thread& thread, Nanoseconds deadline) {
    Loop& loop = m_processes->loop();
    Arch::disable_interrupts();
    // Anything that arrived since the loop last looked goes first. A
    // deadline already past needs no clock read here: the timer armed
    // below for it fires as soon as user mode enables interrupts.
    if (loop.irq_pending()) {
        Arch::enable_interrupts();
        return RunExit::Loop;
    }
    auto& tables = static_cast<ArchUserMmu&>(thread.process().mmu());
    if (m_current_tables != &tables) {
        tables.sync_kernel_half();
        Arch::switch_address_space(tables.root_phys(), tables.asid());
        m_current_tables = &tables;
    }
    // A syscall that never returns is the kernel watchdog's: its tick comes
    // even when nothing else would.
    // The loop's next deadline rarely changes from one run to the next:
    // its counter value is kept rather than computed again.
    if (deadline != m_timer_deadline) {
        m_timer_deadline = deadline;
        m_timer_counter = deadline == kNoDeadline ? kTimerNever : m_clock.counter_at(deadline);
    }
    Arch::set_timer(kernel_watchdog_clamp(m_timer_counter));
    if (m_fp_owner != &thread) {
        if (m_fp_owner) Arch::fp_save(m_fp_owner->fp_state());
        Arch::fp_restore(thread.fp_state());
        m_fp_owner = &thread;
    }
    m_running = &thread;
    m_exit = RunExit::Loop;
    Arch::enter_user(frame_of(thread));
    m_running = nullptr;
    Arch::enable_interrupts();
    return m_exit;
}

// Kept out of the syscall path: the fault report's formatting would
// otherwise give every syscall its stack frame and saved registers.
[[gnu::noinline]] arch::UserTrapAction BareMetalUserMode::on_other_trap(const Arch::TrapFrame& frame,
                                                                       arch::UserTrapKind kind,
                                                                       const arch::FaultInfo& fault) {
    Thread& thread = *m_running;
    if (kind == arch::UserTrapKind::Interrupt) {
        // The port has posted it; the loop services it.
        m_exit = RunExit::Loop;
        return arch::UserTrapAction::Leave;
    }
    // The first touch of a lazy page (the stack) is not a fault of the
    // program: map the page and retry the instruction.
    if (thread.process().space().resolve_fault(fault.address).ok()) return arch::UserTrapAction::Resume;
    m_processes->fault(thread.process(),
                       {fault.cause, fault.address, fault.pc, fault.name, Arch::frame_pointer(frame)});
    m_exit = RunExit::Ended;
    return arch::UserTrapAction::Leave;
}

arch::UserTrapAction BareMetalUserMode::on_syscall(Arch::TrapFrame& frame) {
    Thread& thread = *m_running;
    // The arguments stay where the trap entry saved them: SyscallArgs is
    // exactly six u64s, and the frame holds them consecutively.
    static_assert(sizeof(SyscallArgs) == 6 * sizeof(u64) && alignof(SyscallArgs) == alignof(u64));
    const auto& args = *reinterpret_cast<const SyscallArgs*>(Arch::syscall_arguments(frame));
    SysResult result = m_syscalls->dispatch(thread, Arch::syscall_number(frame), args);
    switch (thread.state()) {
    case ThreadState::Running: break;
    case ThreadState::Dead: m_exit = RunExit::Ended; return arch::UserTrapAction::Leave;
    // Parked, or parked and woken within its own syscall (yield: already
    // queued with its result set).
    default: m_exit = RunExit::Parked; return arch::UserTrapAction::Leave;
    }
    Arch::set_syscall_result(frame, u64(result.user_value()));
    // Only work the syscall itself queued sends the thread to the loop. No
    // clock read: the timer is armed for the next deadline (run()), so a due
    // timer is a pending interrupt that ends the thread's turn as soon as
    // it resumes. No look at posted interrupts either: run() found none with
    // interrupts off, they have been off since, and every interrupt taken
    // from user mode leaves (on_other_trap).
    if (m_processes->loop().has_queued_calls()) {
        m_exit = RunExit::Loop;
        return arch::UserTrapAction::Leave;
    }
    return arch::UserTrapAction::Resume;
}

}  // namespace mote
