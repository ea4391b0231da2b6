// UserPlatform: what a platform provides so that the portable kernel can
// run user programs. Bare metal (kernel/platform/virt/user_mode.cpp, shared
// by PVH) builds address spaces from the arch page tables and enters user
// mode through the arch facade; the portable layers never see a register.
#pragma once

#include "core/timer.hpp"
#include "proc/user_mmu.hpp"

namespace mote {

class Thread;
class ProcessTable;
class Syscalls;

// Room for one thread's saved user registers, whatever the ISA; each port
// static_asserts that its frame fits.
inline constexpr usize kUserFrameBytes = 384;
// Room for one thread's FP/SIMD registers (Arch::kFpStateBytes), likewise.
inline constexpr usize kUserFpBytes = 528;

enum class RunExit : u8 {
    Loop,    // something needs the loop (an interrupt, a timer, a wake-up)
    Parked,  // the thread's syscall parked it
    Ended,   // the thread's process ended (exit, a fault, killed)
    // The thread runs elsewhere (the hosted kernel: in its own Linux
    // process) and stays Running; its next syscall comes as an event that
    // makes it runnable again. The scheduler does not requeue it.
    Detached,
};

class UserPlatform {
public:
    // The kernel's process table and syscall layer, once, before any
    // process exists: where traps from user mode are delivered.
    virtual void attach(ProcessTable& processes, Syscalls& syscalls) = 0;
    virtual Result<UserMmu*> create_mmu() = 0;
    virtual void destroy_mmu(UserMmu& mmu) = 0;
    // Sets up a new thread's registers: start at `entry` with `sp` and
    // `argument` in the first argument register.
    virtual void start_frame(Thread& thread, u64 entry, u64 sp, u64 argument) = 0;
    // A parked syscall finished: put its result where the thread sees it.
    virtual void set_result(Thread& thread, i64 result) = 0;
    // Runs `thread` in user mode until the loop is needed or `deadline`
    // (the loop's next timer or the end of the thread's timeslice).
    virtual RunExit run(Thread& thread, Nanoseconds deadline) = 0;
    // The thread will not run again (its process ended): forget whatever
    // the platform keeps of it outside its frame (its FP registers, still
    // in the CPU). Its storage is freed or reused after this.
    virtual void end_thread(Thread& thread) { (void)thread; }

protected:
    ~UserPlatform() = default;
};

}  // namespace mote
