// BareMetalUserMode: the UserPlatform of every bare-metal machine. It runs
// threads in user mode through the arch facade (Arch::enter_user), builds
// their address spaces from the arch page tables (ArchUserMmu), and turns
// the traps that come back into syscalls for the portable kernel
// (platform_user_syscall), fault reports or a return to the loop
// (platform_user_trap).
//
// The syscall fast path: a syscall that finishes at once while the loop has
// nothing ready resumes the thread straight from the trap path, without a
// loop turn; everything else leaves to the loop, which runs its work and
// then the scheduler again.
#pragma once

#include "arch/arch.hpp"
#include "core/tick_clock.hpp"
#include "mm/slab_cache.hpp"
#include "proc/process_table.hpp"
#include "syscall/syscalls.hpp"

namespace mote {

class ArchUserMmu;

// The process whose thread is on the CPU (in user mode or in one of its
// syscalls), for the crash report; false if none. Interrupt- and crash-safe.
bool user_mode_current(StringView& name, u32& pid);

class BareMetalUserMode final : public UserPlatform {
public:
    BareMetalUserMode(PageAllocator& pages, const TickClock& clock);

    // UserPlatform
    void attach(ProcessTable& processes, Syscalls& syscalls) override;
    Result<UserMmu*> create_mmu() override;
    void destroy_mmu(UserMmu& mmu) override;
    void start_frame(Thread& thread, u64 entry, u64 sp, u64 argument) override;
    void set_result(Thread& thread, i64 result) override;
    RunExit run(Thread& thread, Nanoseconds deadline) override;
    void end_thread(Thread& thread) override;

    // From platform_user_syscall and platform_user_trap, with interrupts off.
    arch::UserTrapAction on_syscall(Arch::TrapFrame& frame);
    arch::UserTrapAction on_other_trap(const Arch::TrapFrame& frame, arch::UserTrapKind kind,
                                       const arch::FaultInfo& fault);

private:
    friend bool user_mode_current(StringView& name, u32& pid);
    u16 allocate_asid();
    void free_asid(u16 asid);

    PageAllocator& m_pages;
    const TickClock& m_clock;
    SlabCache m_mmus;
    ProcessTable* m_processes = nullptr;
    Syscalls* m_syscalls = nullptr;
    Thread* m_running = nullptr;
    // Whose FP/SIMD registers the CPU holds: they move only when another
    // thread runs (the kernel never touches them), not on every trap.
    Thread* m_fp_owner = nullptr;
    // The last deadline run() armed the timer for, and its counter value.
    Nanoseconds m_timer_deadline = kNoDeadline;
    u64 m_timer_counter = kTimerNever;
    RunExit m_exit = RunExit::Loop;
    ArchUserMmu* m_current_tables = nullptr;
    // ASIDs 1..kAsids handed out one per address space; 0 means "none,
    // flush on every switch", used when the CPU has too few.
    static constexpr u32 kAsids = ProcessTable::kMaxProcesses + 1;
    u64 m_asid_used[(kAsids + 63) / 64] {};
    bool m_asids = false;
};

}  // namespace mote
