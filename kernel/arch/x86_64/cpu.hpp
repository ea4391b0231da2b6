// The x86_64 side of the arch facade (kernel/arch/arch.hpp): long mode at
// CPL 0 after a PVH entry, 4-level paging, the local APIC timer and the I/O
// APIC behind the platform (kernel/platform/pvh/).
//
// x86 PCs describe themselves through ACPI, not a devicetree: the
// devicetree hooks of the facade (init, timer_interrupt, irq_controller)
// answer NotFound here, and the PVH platform uses the x86-specific calls
// below (x86::init_cpu, x86::start_timer, ...) instead.
#pragma once

#include "arch/x86_64/io.hpp"
#include "arch/x86_64/page_table.hpp"
#include "firmware/fdt.hpp"
#include "base/result.hpp"
#include "dev/irq_controller.hpp"

namespace mote {

namespace x86 {

// What entry.S saves on every interrupt and exception, lowest address
// first: CR2, the general registers, the vector and error code, then what
// the CPU pushed (SDM vol. 3A 6.14.1, 64-bit interrupt stack frame).
// Handlers may edit it; the exit path restores every field with IRETQ,
// which is how a caught fault resumes elsewhere.
//
// A user thread's registers live in one too (Thread's frame storage): the
// syscall entry pushes the same layout straight into it (vector
// kVectorSyscall), a trap from ring 3 is copied into it, and
// arch_enter_user IRETQs from it.
struct TrapFrame {
    u64 cr2;
    u64 r15, r14, r13, r12, r11, rcx, rbx, rax, rbp;
    // The syscall arguments in the ABI's order, one after the other, so the
    // syscall path reads them in place (Arch::syscall_arguments).
    u64 rdi, rsi, rdx, r10, r8, r9;
    u64 vector, error;
    u64 rip, cs, rflags, rsp, ss;
};
static_assert(sizeof(TrapFrame) == 23 * 8, "entry.S hard-codes the frame layout");
static_assert(__builtin_offsetof(TrapFrame, rsi) == __builtin_offsetof(TrapFrame, rdi) + 8 &&
              __builtin_offsetof(TrapFrame, rdx) == __builtin_offsetof(TrapFrame, rdi) + 16 &&
              __builtin_offsetof(TrapFrame, r10) == __builtin_offsetof(TrapFrame, rdi) + 24 &&
              __builtin_offsetof(TrapFrame, r8) == __builtin_offsetof(TrapFrame, rdi) + 32 &&
              __builtin_offsetof(TrapFrame, r9) == __builtin_offsetof(TrapFrame, rdi) + 40,
              "the syscall arguments must be consecutive");

// The x86_64 hooks of arch/fault_catch.hpp.
struct FaultCatch {
    // What arch_try (entry.S) saves: the callee-saved registers and rsp.
    struct TryContext {
        u64 rbx, rbp, r12, r13, r14, r15, rsp;
    };
    // arch_try_landing restores `saved` from rdx and returns rax.
    static void resume_in_try(TrapFrame& frame, uptr landing, TryContext* saved) {
        frame.rip = landing;
        frame.rax = 1;
        frame.rdx = reinterpret_cast<u64>(saved);
    }
    [[gnu::always_inline]] static void breakpoint() { asm volatile("int3" ::: "memory"); }
};

// Interrupt vectors (the IDT is laid out in trap.cpp).
inline constexpr u32 kVectorTimer = 0x20;     // the local APIC timer
inline constexpr u32 kVectorIrqBase = 0x30;   // I/O APIC input n -> 0x30 + n
inline constexpr u32 kMaxIrqInputs = 0xa0;    // vectors 0x30..0xcf
inline constexpr u32 kVectorPicBase = 0xe0;   // the masked legacy PIC, remapped out of the way
inline constexpr u32 kVectorSpurious = 0xff;  // the local APIC's spurious vector
// Not a vector: what the syscall entry stores in TrapFrame::vector.
inline constexpr u64 kVectorSyscall = 0x100;

// GDT selectors (trap.cpp lays the GDT out). SYSCALL loads CS from
// STAR[47:32] and SS from it + 8; SYSRET to 64-bit mode loads CS from
// STAR[63:48] + 16 and SS from STAR[63:48] + 8, both with RPL 3 (SDM vol. 2B,
// SYSCALL/SYSRET). So the user data segment sits right below the user code
// segment, and the slot at STAR[63:48] (SYSRET's 32-bit code) stays null.
inline constexpr u16 kKernelCode = 0x08;
inline constexpr u16 kKernelData = 0x10;
inline constexpr u16 kSysretBase = 0x18;
inline constexpr u16 kUserData = 0x20 | 3;
inline constexpr u16 kUserCode = 0x28 | 3;
inline constexpr u16 kTssSelector = 0x30;

// RFLAGS bits (SDM vol. 1 3.4.3).
inline constexpr u64 kFlagsReserved1 = u64(1) << 1;  // always 1
inline constexpr u64 kFlagsIf = u64(1) << 9;
// What user code may keep in its RFLAGS across a trap: the arithmetic flags
// and DF. Never IF clear, IOPL, TF, NT, AC, VM or anything else.
inline constexpr u64 kUserFlags = 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x400 | 0x800;

// The lower canonical half: the only RIPs the kernel returns to in ring 3.
inline bool user_canonical(u64 address) { return address < kUserTop; }

// CPU features for user mode, set up once at boot (cpu.cpp): SYSCALL,
// SMEP/SMAP, PCID/INVPCID, and the FPU/SSE for ring 3 (FXSAVE state).
void init_user_mode();
// What init_user_mode found and turned on, for the boot log.
struct UserModeFeatures {
    bool pcid = false, invpcid = false, smep = false, smap = false, umip = false;
};
const UserModeFeatures& user_mode_features();

const char* exception_name(u64 vector);

// Whether the CPU has NX (EFER.NXE was set at boot).
bool has_nx();

}  // namespace x86

struct Arch {
    using TrapFrame = x86::TrapFrame;
    using FaultCatch = x86::FaultCatch;
    static constexpr const char* kName = "x86_64";
    // One name per u64 of TrapFrame, in its order (the epitaph's registers).
    static constexpr const char* kRegisterNames[] = {
        "cr2", "r15", "r14", "r13", "r12", "r11", "rcx",    "rbx",   "rax", "rbp", "rdi",    "rsi",
        "rdx", "r10", "r8",  "r9",  "vector", "error", "rip", "cs", "rflags", "rsp", "ss"};

    static Result<u64> init(const fdt::Fdt&) { return Error::NotFound; }
    static Result<fdt::Interrupt> timer_interrupt(const fdt::Fdt&) { return Error::NotFound; }

    static bool disable_interrupts() {
        u64 flags;
        asm volatile("pushfq\n popq %0\n cli" : "=r"(flags)::"memory");
        return flags & (1 << 9);
    }
    static void restore_interrupts(bool enabled) {
        if (enabled) enable_interrupts();
    }
    static void enable_interrupts() { asm volatile("sti" ::: "memory"); }
    // STI delays interrupts until after the next instruction (SDM vol. 2B,
    // STI), so "sti; hlt" sleeps with no window for a lost wake-up. The
    // loop calls this with interrupts off; it returns with them on, as the
    // other ports' wfi effectively does once the loop re-enables them.
    static void wait_for_interrupt() { asm volatile("sti\n hlt\n cli" ::: "memory"); }

    // The time-stamp counter; the timer is programmed in its ticks.
    static u64 counter() { return x86::rdtsc(); }
    static void set_timer(u64 deadline);

    static arch::Frame current_frame() {
        return {reinterpret_cast<uptr>(__builtin_frame_address(0)), reinterpret_cast<uptr>(__builtin_return_address(0))};
    }
    static arch::Frame caller_frame(arch::Frame frame);
    static arch::Frame trap_frame(const TrapFrame& trap) { return {trap.rbp, trap.rip}; }
    static void write_registers(const TrapFrame& trap, arch::LineSink sink, void* context);
    static const char* trap_cause(const TrapFrame& trap);
    static uptr trap_address(const TrapFrame& trap) { return trap.vector == 14 ? trap.cr2 : 0; }

    static bool catch_fault(void (*body)(void*), void* context, arch::FaultInfo& fault);
    [[noreturn]] static void breakpoint_panic(const char* message);

    // User mode (trap.cpp, entry.S, cpu.cpp). No swapgs and no per-CPU GS
    // area: there is one CPU, so entry.S reaches the running thread's frame
    // and the kernel stack through RIP-relative globals.
    static void user_frame_init(TrapFrame& frame, u64 entry, u64 sp, u64 argument);
    static void enter_user(TrapFrame& frame);
    static u64 syscall_number(const TrapFrame& frame) { return frame.rax; }
    static u64 frame_pointer(const TrapFrame& frame) { return frame.rbp; }
    // rdi rsi rdx r10 r8 r9: r10, not rcx, which SYSCALL fills with the
    // return RIP.
    static const u64* syscall_arguments(const TrapFrame& frame) { return &frame.rdi; }
    static void set_syscall_result(TrapFrame& frame, u64 value) { frame.rax = value; }
    // The FXSAVE image: x87, MMX and SSE (CR4.OSFXSR, cpu.cpp); user
    // programs are built for x86-64's baseline, which has no AVX state.
    static constexpr usize kFpStateBytes = 512;
    static void fp_init(void* state);
    static void fp_save(void* state) { asm volatile("fxsave64 %0" : "=m"(*static_cast<u8(*)[512]>(state))); }
    static void fp_restore(void* state) { asm volatile("fxrstor64 %0" ::"m"(*static_cast<const u8(*)[512]>(state))); }
    // A user address space's tables: PML4 entries 256..511 are the kernel
    // tree's, copied in (again when its generation moved on).
    using UserTables = x86::UserPageTables;
    // NX only if EFER.NXE is on: with it off, bit 63 is reserved.
    static x86::X86Format user_table_format() { return {.nx = x86::has_nx()}; }
    // x86 keeps instruction fetches coherent with stores (SDM vol. 3, 11.6).
    static void sync_instruction_cache(void*, u64) {}
    static void share_kernel_half(UserTables& tables) {
        const x86::PageTables& kernel = x86::kernel_page_tables();
        if (tables.copied_generation() != kernel.kernel_generation() || tables.copied_generation() == 0)
            tables.copy_kernel_half(kernel);
    }
    // CR3 = root (0: the kernel's own tables); with PCID the ASID is the
    // PCID and switching keeps its cached translations, without it
    // asid_count() is 1 and every switch flushes.
    static void switch_address_space(u64 root_phys, u16 asid);
    static void flush_user_page(u64 va, u16 asid);
    static void flush_address_space(u16 asid);
    static u32 asid_count();

    static Result<volatile u8*> map_device(u64 phys, u64 size);
    static Result<IrqController*> irq_controller(const fdt::Fdt&, fdt::Node) { return Error::NotFound; }
    static const arch::BootLayout& boot_layout();

    // `failure` is accepted for parity; an x86 PC has no way to report it.
    [[noreturn]] static void power_off(bool failure = false);
    [[noreturn]] static void reboot();
    [[noreturn]] static void halt();
};

}  // namespace mote
