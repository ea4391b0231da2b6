// The riscv64 side of the arch facade (kernel/arch/arch.hpp): S-mode under
// SBI firmware (OpenSBI), Sv39, the PLIC behind the platform.
#pragma once

#include "arch/riscv64/csr.hpp"
#include "arch/riscv64/page_table.hpp"
#include "firmware/fdt.hpp"
#include "base/result.hpp"
#include "dev/irq_controller.hpp"

namespace mote {

namespace riscv {

// Everything a trap saves, in the order entry.S stores it: x0..x31 (x0's
// slot is unused), then the trap CSRs. Handlers may edit it; the exit path
// restores every field, which is how a caught fault resumes elsewhere.
struct TrapFrame {
    u64 x[32];
    u64 sepc;
    u64 sstatus;
    u64 scause;
    u64 stval;
};
static_assert(sizeof(TrapFrame) == 36 * 8, "entry.S hard-codes the frame layout");

// The riscv64 hooks of arch/fault_catch.hpp.
struct FaultCatch {
    // What arch_try (entry.S) saves: ra, sp and s0..s11.
    struct TryContext {
        u64 ra, sp, s[12];
    };
    // arch_try_landing restores `saved` from a2 and returns a0.
    static void resume_in_try(TrapFrame& frame, uptr landing, TryContext* saved) {
        frame.sepc = landing;
        frame.x[10] = 1;
        frame.x[12] = reinterpret_cast<u64>(saved);
    }
    [[gnu::always_inline]] static void breakpoint() { asm volatile("ebreak" ::: "memory"); }
};

}  // namespace riscv

extern "C" void arch_fp_save(void* state);
extern "C" void arch_fp_restore(const void* state);

struct Arch {
    using TrapFrame = riscv::TrapFrame;
    using FaultCatch = riscv::FaultCatch;
    static constexpr const char* kName = "riscv64";
    // One name per u64 of TrapFrame, in its order (the epitaph's registers).
    static constexpr const char* kRegisterNames[] = {
        "zero", "ra", "sp",  "gp",  "tp", "t0", "t1", "t2", "s0",   "s1",      "a0",     "a1",
        "a2",   "a3", "a4",  "a5",  "a6", "a7", "s2", "s3", "s4",   "s5",      "s6",     "s7",
        "s8",   "s9", "s10", "s11", "t3", "t4", "t5", "t6", "sepc", "sstatus", "scause", "stval"};

    static Result<u64> init(const fdt::Fdt& fdt);
    // The S-mode timer interrupt is CPU-local (sie.STIE), never through the PLIC.
    static Result<fdt::Interrupt> timer_interrupt(const fdt::Fdt&) { return Error::NotFound; }

    static bool disable_interrupts() {
        u64 old;
        asm volatile("csrrci %0, sstatus, 2" : "=r"(old)::"memory");
        return old & riscv::kStatusSie;
    }
    static void restore_interrupts(bool enabled) {
        if (enabled) enable_interrupts();
    }
    static void enable_interrupts() { MOTE_CSR_SET(sstatus, riscv::kStatusSie); }
    // WFI waits for an interrupt that is pending and enabled in sie, whatever
    // sstatus.SIE says (privileged spec 3.3.3), so the loop can check for
    // work with interrupts off and then sleep without a lost wake-up.
    static void wait_for_interrupt() { asm volatile("wfi" ::: "memory"); }

    static u64 counter() { return MOTE_CSR_READ(time); }
    static void set_timer(u64 deadline);

    static arch::Frame current_frame() {
        return {reinterpret_cast<uptr>(__builtin_frame_address(0)), reinterpret_cast<uptr>(__builtin_return_address(0))};
    }
    static arch::Frame caller_frame(arch::Frame frame);
    static arch::Frame trap_frame(const TrapFrame& trap) { return {trap.x[8], trap.sepc}; }
    static void write_registers(const TrapFrame& trap, arch::LineSink sink, void* context);
    static const char* trap_cause(const TrapFrame& trap);
    static uptr trap_address(const TrapFrame& trap) { return trap.stval; }

    static bool catch_fault(void (*body)(void*), void* context, arch::FaultInfo& fault);
    [[noreturn]] static void breakpoint_panic(const char* message);

    // User mode (trap.cpp, entry.S).
    static void user_frame_init(TrapFrame& frame, u64 entry, u64 sp, u64 argument);
    static void enter_user(TrapFrame& frame);
    static u64 syscall_number(const TrapFrame& frame) { return frame.x[17]; }     // a7
    static u64 frame_pointer(const TrapFrame& frame) { return frame.x[8]; }       // s0
    static const u64* syscall_arguments(const TrapFrame& frame) { return &frame.x[10]; }  // a0..a5
    static void set_syscall_result(TrapFrame& frame, u64 value) { frame.x[10] = value; }
    // f0..f31 then fcsr (fp_state.S); sstatus.FS is never Off (cpu.cpp).
    static constexpr usize kFpStateBytes = 33 * 8;
    static void fp_init(void* state);
    static void fp_save(void* state) { arch_fp_save(state); }
    static void fp_restore(void* state) { arch_fp_restore(state); }
    // A user address space's tables; the kernel half is the kernel tree's
    // upper root entries, copied in (again when the kernel tree's root
    // changed since: its generation says).
    using UserTables = riscv::UserPageTables;
    static riscv::Sv39Format user_table_format() { return {}; }
    static void share_kernel_half(UserTables& tables) {
        const riscv::PageTables& kernel = riscv::kernel_page_tables();
        if (tables.copied_generation() != kernel.kernel_generation() || tables.copied_generation() == 0)
            tables.copy_kernel_half(kernel);
    }
    static void switch_address_space(u64 root_phys, u16 asid);
    static void flush_user_page(u64 va, u16 asid) { asm volatile("sfence.vma %0, %1" ::"r"(va), "r"(u64(asid)) : "memory"); }
    static void flush_address_space(u16 asid) { asm volatile("sfence.vma zero, %0" ::"r"(u64(asid)) : "memory"); }
    // One hart: fence.i orders this hart's fetches after its stores (Zifencei).
    static void sync_instruction_cache(void*, u64) { asm volatile("fence.i" ::: "memory"); }
    // How many ASIDs satp holds (1 << ASIDLEN, probed at init; 1 = none).
    static u32 asid_count();

    static Result<volatile u8*> map_device(u64 phys, u64 size);
    static Result<IrqController*> irq_controller(const fdt::Fdt& fdt, fdt::Node node);
    static const arch::BootLayout& boot_layout();

    // `failure`: tell the firmware this is a crash (QEMU then exits non-zero).
    [[noreturn]] static void power_off(bool failure = false);
    [[noreturn]] static void reboot();
    [[noreturn]] static void halt();
};

}  // namespace mote
