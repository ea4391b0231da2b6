// The architecture facade: what every port under kernel/arch/<isa>/ provides
// to the platform and the portable kernel, checked at compile time.
//
// Each port defines `struct Arch` (in arch/<isa>/cpu.hpp) with static
// functions only; the ArchFacade concept below lists them, and the
// static_assert at the end of this file makes a missing or mistyped hook a
// build error in every file that includes the facade, not a boot failure.
#pragma once

#include "firmware/fdt.hpp"
#include "base/result.hpp"
#include "base/span.hpp"
#include "base/types.hpp"
#include "dev/irq_controller.hpp"

namespace mote {

// Arch::set_timer(kTimerNever) disarms the one-shot timer.
inline constexpr u64 kTimerNever = ~u64(0);

namespace arch {

template <typename A, typename B>
concept SameAs = __is_same(A, B);

// One step of a frame-pointer walk: the frame record's address and the
// return address found in it.
struct Frame {
    uptr fp = 0;
    uptr pc = 0;
};

// What a fault caught by Arch::catch_fault looked like.
struct FaultInfo {
    u64 cause = 0;       // the architecture's exception code (scause / ESR_EL1.EC)
    uptr address = 0;    // the faulting data address (stval / FAR_EL1), if any
    uptr pc = 0;         // the instruction that faulted
    const char* name = "";
};

using LineSink = void (*)(StringView line, void* context);

// Why a trap from user mode other than a syscall happened, as the port
// tells the platform (a syscall has its own hook, the fast path).
enum class UserTrapKind : u8 { Interrupt, Fault };

// What arch_enter_user's trap path asks the platform's user-trap hook, and
// what the hook answers: resume the thread at once, or return from
// Arch::enter_user to the loop.
enum class UserTrapAction : u8 { Resume, Leave };

// Counted by the trap handlers; shown by `uptime`-style reports and checked
// by the self-tests. A "weird" interrupt is one no handler recognised.
struct TrapStats {
    u64 timer_interrupts = 0;
    u64 external_interrupts = 0;
    u64 spurious_interrupts = 0;  // the controller had nothing to claim
    u64 weird_interrupts = 0;
    u64 caught_faults = 0;
};
TrapStats& trap_stats();

// Where the boot code put things, for the platform's memory map and the
// `layout` command. Virtual addresses unless named *_phys.
struct BootLayout {
    uptr text_start, text_end;      // r-x
    uptr rodata_start, rodata_end;  // r--
    uptr data_start, data_end;      // rw- (data and bss)
    uptr stack_guard;               // one unmapped page, right below the stack
    uptr stack_bottom, stack_top;
    u64 kernel_phys, kernel_phys_end;  // the whole image in RAM, page tables included
    u64 direct_map_offset;             // virt = phys + offset for RAM
    u64 dtb_phys;
    usize table_pages_used, table_pages_total;
    // Arch::counter() when the kernel was entered: the platform starts its
    // clock there, so time zero is kernel entry, and on machines whose
    // counter starts at machine reset it also tells how long the firmware
    // ran (BootTimeline).
    u64 entry_counter;
};

}  // namespace arch

template <typename A>
concept ArchFacade = requires(u64 ticks, bool flag, arch::Frame frame, const typename A::TrapFrame& trap,
                              typename A::TrapFrame& user_frame, u32 index, u16 asid, typename A::UserTables& tables,
                              arch::LineSink sink, void* context, void (*body)(void*), arch::FaultInfo& fault,
                              u64 phys, u64 size, const fdt::Fdt& fdt, fdt::Node node) {
    { A::kName } -> arch::SameAs<const char* const&>;
    // The names of TrapFrame's u64 words, in order (crash reports, epitaph).
    { A::kRegisterNames[0] } -> arch::SameAs<const char* const&>;
    // Reads what the CPU side needs from the devicetree (counter frequency,
    // optional timer extensions, the firmware call conduit), unmasks the
    // CPU-local interrupts, and returns the counter frequency in Hz.
    { A::init(fdt) } -> arch::SameAs<Result<u64>>;
    // The timer's interrupt, if it arrives through the interrupt controller
    // (the arm generic timer's PPI); NotFound if it is CPU-local (riscv).
    { A::timer_interrupt(fdt) } -> arch::SameAs<Result<fdt::Interrupt>>;
    // Interrupts: the only global state the loop's wait needs.
    { A::disable_interrupts() } -> arch::SameAs<bool>;  // returns whether they were on
    { A::restore_interrupts(flag) } -> arch::SameAs<void>;
    { A::enable_interrupts() } -> arch::SameAs<void>;
    // Sleeps until an interrupt is pending (it wakes even with interrupts
    // masked, so a check-then-sleep with interrupts off has no lost wake-up).
    { A::wait_for_interrupt() } -> arch::SameAs<void>;
    // The monotonic counter and its one-shot compare: the whole tick-less
    // timer. set_timer(kNever) disarms it.
    { A::counter() } -> arch::SameAs<u64>;
    { A::set_timer(ticks) } -> arch::SameAs<void>;
    // Backtraces by frame pointer.
    { A::current_frame() } -> arch::SameAs<arch::Frame>;
    { A::caller_frame(frame) } -> arch::SameAs<arch::Frame>;
    { A::trap_frame(trap) } -> arch::SameAs<arch::Frame>;
    { A::write_registers(trap, sink, context) } -> arch::SameAs<void>;
    { A::trap_cause(trap) } -> arch::SameAs<const char*>;
    { A::trap_address(trap) } -> arch::SameAs<uptr>;
    // Runs body(context); a synchronous exception inside it is caught and
    // described instead of reported as a crash. Returns whether one was.
    { A::catch_fault(body, context, fault) } -> arch::SameAs<bool>;
    // Stops with a report: `message` names the cause (VERIFY text, a crash request).
    { A::breakpoint_panic("") };
    // User mode. A thread's registers live in an Arch::TrapFrame (the same
    // layout a trap from user mode saves). enter_user runs it, with
    // interrupts off on entry and on return, until the platform's
    // platform_user_syscall or platform_user_trap hook answers Leave.
    { A::user_frame_init(user_frame, ticks, ticks, ticks) } -> arch::SameAs<void>;
    { A::enter_user(user_frame) } -> arch::SameAs<void>;
    { A::syscall_number(trap) } -> arch::SameAs<u64>;
    // The six arguments, consecutive in the frame (read in place).
    { A::syscall_arguments(trap) } -> arch::SameAs<const u64*>;
    { A::set_syscall_result(user_frame, ticks) } -> arch::SameAs<void>;
    // FP/SIMD registers, which user programs may use and the kernel never
    // does (it is built general-regs-only): a thread's stay in the CPU
    // through its traps and syscalls and move only when another thread
    // runs. A thread's state is kFpStateBytes at a 16-byte boundary;
    // fp_init writes the state a new thread starts with.
    { A::kFpStateBytes } -> arch::SameAs<const usize&>;
    { A::fp_init(context) } -> arch::SameAs<void>;
    { A::fp_save(context) } -> arch::SameAs<void>;
    { A::fp_restore(context) } -> arch::SameAs<void>;
    // The frame pointer a saved frame holds, where a backtrace of that
    // thread starts (proc/user_backtrace.hpp).
    { A::frame_pointer(trap) } -> arch::SameAs<u64>;
    // The user-space translation: page tables for one address space, made
    // current with an address-space id (ASID; x86: PCID or a flush).
    // The entry format a user tree is built with (x86_64: whether NX may
    // be used, known only at run time); passed to UserTables::init.
    { A::user_table_format() };
    { A::share_kernel_half(tables) } -> arch::SameAs<void>;
    { A::switch_address_space(phys, asid) } -> arch::SameAs<void>;
    { A::flush_user_page(ticks, asid) } -> arch::SameAs<void>;
    { A::flush_address_space(asid) } -> arch::SameAs<void>;
    { A::asid_count() } -> arch::SameAs<u32>;
    // Instructions were written as data at this kernel address (the loader
    // filling a program's text through the direct map): make instruction
    // fetches see them (aarch64: clean D, invalidate I; riscv: fence.i).
    { A::sync_instruction_cache(context, size) } -> arch::SameAs<void>;
    // Memory: device registers mapped into the kernel's address space.
    { A::map_device(phys, size) } -> arch::SameAs<Result<volatile u8*>>;
    // The driver for the interrupt controller at `node`; NotFound if this
    // architecture has none for its compatible.
    { A::irq_controller(fdt, node) } -> arch::SameAs<Result<IrqController*>>;
    { A::boot_layout() } -> arch::SameAs<const arch::BootLayout&>;
    // Power, through the firmware.
    { A::power_off() };
    { A::reboot() };
    { A::halt() };
};

}  // namespace mote

#if defined(__riscv)
#include "arch/riscv64/cpu.hpp"
#elif defined(__aarch64__)
#include "arch/aarch64/cpu.hpp"
#elif defined(__x86_64__)
#include "arch/x86_64/cpu.hpp"
#else
#error "no kernel/arch port for this target"
#endif

namespace mote {

// Provided by the platform (kernel/platform/<platform>/) to the arch code.
// The boot code calls platform_main once the MMU is on and never returns.
[[noreturn]] void platform_main(u64 dtb_phys);
// The trap handler saw an external interrupt: claim, mask, acknowledge and
// post it to the loop (nothing more: the real work runs in loop context).
// `frame` is what it interrupted (user code if `from_user`).
void platform_interrupt(const Arch::TrapFrame& frame, bool from_user);
// The CPU timer fired (riscv64, x86_64: a CPU-local interrupt; aarch64's
// arrives through the controller and its platform calls this itself), after
// the port has acknowledged it and left it disarmed: the kernel watchdog's
// tick (platform/bare_metal/kernel_watchdog.hpp), which may re-arm it.
void platform_timer_interrupt(const Arch::TrapFrame& frame, bool from_user);
// An exception nobody expected, or a panic (`message` set): print the crash
// report and stop.
[[noreturn]] void platform_crash(const Arch::TrapFrame& frame, const char* message);
// A syscall from user mode (interrupts are off): the frame holds the
// thread's registers, and the port has already stepped past the syscall
// instruction. Its own hook, called straight from the trap path: every
// syscall goes through here, so nothing on the way asks what kind of trap
// it was twice.
arch::UserTrapAction platform_user_syscall(Arch::TrapFrame& frame);
// Any other trap from user mode (interrupts are off): an interrupt already
// acknowledged and posted by the port, or a fault.
arch::UserTrapAction platform_user_trap(Arch::TrapFrame& frame, arch::UserTrapKind kind, const arch::FaultInfo& fault);

static_assert(ArchFacade<Arch>, "kernel/arch/<isa>/cpu.hpp does not provide the whole arch facade");
static_assert(sizeof(Arch::kRegisterNames) / sizeof(Arch::kRegisterNames[0]) * sizeof(u64) == sizeof(Arch::TrapFrame),
              "Arch::kRegisterNames must name every u64 of Arch::TrapFrame");
}  // namespace mote
