// The aarch64 side of the arch facade (kernel/arch/arch.hpp): EL1, 4 KiB
// granule with 48-bit addresses, the GIC behind the platform, the generic
// timer, PSCI for power.
#pragma once

#include "arch/aarch64/page_table.hpp"
#include "arch/aarch64/sysreg.hpp"
#include "firmware/fdt.hpp"
#include "base/result.hpp"
#include "dev/irq_controller.hpp"

namespace mote {

namespace aarch64 {

// What the vectors (entry.S) save: x0..x30, the interrupted sp, then the
// exception registers. Handlers may edit it; the exit path restores every
// field. It is also a user thread's saved state: a trap from EL0 stores the
// thread's registers in its own frame, with `sp` holding SP_EL0, and
// arch_enter_user returns to EL0 from it.
struct TrapFrame {
    u64 x[31];
    u64 sp;
    u64 elr;
    u64 spsr;
    u64 esr;
    u64 far;
};
static_assert(sizeof(TrapFrame) == 36 * 8, "vectors.S hard-codes the frame layout");

// The aarch64 hooks of arch/fault_catch.hpp.
struct FaultCatch {
    // What arch_try (entry.S) saves: x19..x30, then sp.
    struct TryContext {
        u64 x19_x30[12];
        u64 sp;
    };
    // arch_try_landing restores `saved` from x2 and returns x0.
    static void resume_in_try(TrapFrame& frame, uptr landing, TryContext* saved) {
        frame.elr = landing;
        frame.x[0] = 1;
        frame.x[2] = reinterpret_cast<u64>(saved);
    }
    [[gnu::always_inline]] static void breakpoint() { asm volatile("brk #0xf000" ::: "memory"); }
};

}  // namespace aarch64

extern "C" void arch_fp_save(void* state);
extern "C" void arch_fp_restore(const void* state);

struct Arch {
    using TrapFrame = aarch64::TrapFrame;
    using FaultCatch = aarch64::FaultCatch;
    static constexpr const char* kName = "aarch64";
    // One name per u64 of TrapFrame, in its order (the epitaph's registers).
    static constexpr const char* kRegisterNames[] = {
        "x0",  "x1",  "x2",  "x3",  "x4",  "x5",  "x6",  "x7",  "x8",  "x9",  "x10", "x11",
        "x12", "x13", "x14", "x15", "x16", "x17", "x18", "x19", "x20", "x21", "x22", "x23",
        "x24", "x25", "x26", "x27", "x28", "x29", "x30", "sp",  "elr", "spsr", "esr", "far"};

    static Result<u64> init(const fdt::Fdt& fdt);
    static Result<fdt::Interrupt> timer_interrupt(const fdt::Fdt& fdt);

    static bool disable_interrupts() {
        u64 daif = MOTE_SYSREG_READ(daif);
        asm volatile("msr daifset, #2" ::: "memory");
        return !(daif & aarch64::kDaifIrq);
    }
    static void restore_interrupts(bool enabled) {
        if (enabled) enable_interrupts();
    }
    static void enable_interrupts() { asm volatile("msr daifclr, #2" ::: "memory"); }
    // WFI wakes on a pending IRQ even while PSTATE.I masks it (ARM ARM
    // D1.6.2, "Wait for Interrupt"), so check-then-sleep with IRQs masked
    // cannot lose a wake-up.
    static void wait_for_interrupt() { asm volatile("dsb sy\n wfi" ::: "memory"); }

    static u64 counter() {
        MOTE_ISB();
        return MOTE_SYSREG_READ(cntvct_el0);
    }
    static void set_timer(u64 deadline);

    static arch::Frame current_frame() {
        return {reinterpret_cast<uptr>(__builtin_frame_address(0)), reinterpret_cast<uptr>(__builtin_return_address(0))};
    }
    static arch::Frame caller_frame(arch::Frame frame);
    static arch::Frame trap_frame(const TrapFrame& trap) { return {trap.x[29], trap.elr}; }
    static void write_registers(const TrapFrame& trap, arch::LineSink sink, void* context);
    static const char* trap_cause(const TrapFrame& trap) { return aarch64::exception_class_name(trap.esr >> 26); }
    static uptr trap_address(const TrapFrame& trap) { return trap.far; }

    static bool catch_fault(void (*body)(void*), void* context, arch::FaultInfo& fault);
    [[noreturn]] static void breakpoint_panic(const char* message);

    // User mode (trap.cpp, entry.S). Syscalls: svc #0, the number in x8,
    // arguments in x0..x5, the result in x0 (abi/syscalls.hpp).
    static void user_frame_init(TrapFrame& frame, u64 entry, u64 sp, u64 argument);
    static void enter_user(TrapFrame& frame);
    static u64 syscall_number(const TrapFrame& frame) { return frame.x[8]; }
    static u64 frame_pointer(const TrapFrame& frame) { return frame.x[29]; }  // AAPCS64's fp
    static const u64* syscall_arguments(const TrapFrame& frame) { return &frame.x[0]; }  // x0..x5
    static void set_syscall_result(TrapFrame& frame, u64 value) { frame.x[0] = value; }
    // q0..q31, then FPCR and FPSR (fp_state.S); CPACR_EL1.FPEN lets EL0 and
    // EL1 use them (cpu.cpp).
    static constexpr usize kFpStateBytes = 32 * 16 + 16;
    static void fp_init(void* state);
    static void fp_save(void* state) { arch_fp_save(state); }
    static void fp_restore(void* state) { arch_fp_restore(state); }
    // A user address space's tables: TTBR0's own tree. The kernel lives in
    // TTBR1 for good, so there is no kernel half to share.
    using UserTables = aarch64::UserPageTables;
    static void share_kernel_half(UserTables&) {}
    static void switch_address_space(u64 root_phys, u16 asid);
    static void flush_user_page(u64 va, u16 asid);
    static void flush_address_space(u16 asid);
    static void sync_instruction_cache(void* address, u64 size);
    static aarch64::Vmsa4kFormat user_table_format() { return {}; }
    // 65536 with 16-bit ASIDs (enabled at init when the CPU has them), else 256.
    static u32 asid_count();

    static Result<volatile u8*> map_device(u64 phys, u64 size);
    static Result<IrqController*> irq_controller(const fdt::Fdt& fdt, fdt::Node node);
    static const arch::BootLayout& boot_layout();

    [[noreturn]] static void power_off(bool failure = false);
    [[noreturn]] static void reboot();
    [[noreturn]] static void halt();
};

}  // namespace mote
