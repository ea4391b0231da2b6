// aarch64 CPU services: generic timer, PSCI power, register dumps, frames.
#include "arch/arch.hpp"
#include "arch/timer_shadow.hpp"
#include "base/format.hpp"
#include "base/memory.hpp"

extern "C" char __emergency_stack_bottom[], __emergency_stack_top[], __kernel_start[];

namespace mote {

namespace {

enum class Conduit : u8 { None, Hvc, Smc };
Conduit g_psci = Conduit::None;

// PSCI function ids (Arm PSCI spec DEN0022, 5.1: SMC32 calling convention).
constexpr u64 kPsciSystemOff = 0x84000008;
constexpr u64 kPsciSystemReset = 0x84000009;

// System register fields (ARM ARM D19.2).
constexpr u64 kTcrEpd0 = u64(1) << 7;             // TCR_EL1: no TTBR0 walks
constexpr u64 kTcrAs = u64(1) << 36;              // TCR_EL1: 16-bit ASIDs
constexpr u64 kSctlrSpan = u64(1) << 23;          // SCTLR_EL1: 0 = exception entry sets PSTATE.PAN
constexpr u64 kPstatePan = u64(1) << 22;          // the PAN register's bit
constexpr u64 kTtbrAsidShift = 48;

u32 g_asid_count = 256;

// TTBR0's tree while no user address space is current: one table of
// invalid entries, so a TTBR0 walk finds nothing (and caches nothing)
// without toggling TCR_EL1.EPD0 on every switch.
alignas(4096) u64 g_empty_user_root[512];

u64 empty_user_root_phys() {
    return reinterpret_cast<uptr>(g_empty_user_root) - reinterpret_cast<uptr>(__kernel_start) +
           Arch::boot_layout().kernel_phys;
}

// The whole TLB, after a change that any cached entry may predate.
void flush_all() { asm volatile("dsb ishst\n tlbi vmalle1\n dsb nsh\n isb" ::: "memory"); }

// Gets TTBR0, EL0 and the kernel's view of user memory ready for user
// threads (boot left TTBR0 walks off, EPD0, once its identity blocks were
// no longer needed; nothing in the kernel uses TTBR0 addresses since).
void init_user_mode() {
    // 16-bit ASIDs if the CPU has them (ID_AA64MMFR0_EL1.ASIDBits = 0b0010,
    // D19.2.64): enough for one per process; 8-bit ones are not (the
    // platform then runs without ASIDs and flushes on every switch).
    u64 tcr = MOTE_SYSREG_READ(tcr_el1) & ~kTcrEpd0;
    if (((MOTE_SYSREG_READ(id_aa64mmfr0_el1) >> 4) & 0xf) == 2) {
        tcr |= kTcrAs;
        g_asid_count = 65536;
    }
    MOTE_SYSREG_WRITE(ttbr0_el1, empty_user_root_phys());
    MOTE_SYSREG_WRITE(tcr_el1, tcr);
    MOTE_ISB();
    // TCR_EL1.AS and EPD0 may be cached in TLB entries: start clean.
    flush_all();
    // FP/SIMD without traps at EL0 and EL1 (CPACR_EL1.FPEN = 0b11,
    // D19.2.30): user programs may use them, and each thread's registers
    // are saved when another one runs (fp_state.S). The kernel is built
    // with -mgeneral-regs-only and uses none.
    MOTE_SYSREG_WRITE(cpacr_el1, u64(3) << 20);
    // No EL0 access to the counter or timers (CNTKCTL_EL1, D19.12.2): user
    // programs read the clock through the clock syscall.
    MOTE_SYSREG_WRITE(cntkctl_el1, 0);
    // PAN (FEAT_PAN, ID_AA64MMFR1_EL1.PAN): EL1 accesses to EL0-accessible
    // pages fault. The kernel never needs them (it copies user memory
    // through the direct map), so a stray user pointer dereferenced by the
    // kernel is a crash report, not a silent read. SPAN = 0 sets PSTATE.PAN
    // on every exception entry, which covers traps from EL0; the MSR covers
    // the code running now.
    if ((MOTE_SYSREG_READ(id_aa64mmfr1_el1) >> 20) & 0xf) {
        MOTE_SYSREG_WRITE(sctlr_el1, MOTE_SYSREG_READ(sctlr_el1) & ~kSctlrSpan);
        MOTE_ISB();
        MOTE_SYSREG_WRITE(S3_0_C4_C2_3, kPstatePan);  // PAN
        MOTE_ISB();
    }
}

void psci_call(u64 function) {
    register u64 x0 asm("x0") = function;
    if (g_psci == Conduit::Hvc) asm volatile("hvc #0" : "+r"(x0)::"memory", "x1", "x2", "x3");
    else if (g_psci == Conduit::Smc) asm volatile("smc #0" : "+r"(x0)::"memory", "x1", "x2", "x3");
}

}  // namespace

void Arch::fp_init(void* state) { mem_set(state, 0, kFpStateBytes); }

Result<u64> Arch::init(const fdt::Fdt& fdt) {
    // PSCI: the conduit is the /psci node's "method" (devicetree binding
    // arm,psci): "hvc" when a hypervisor (or QEMU's built-in firmware at
    // EL2) implements it, "smc" for EL3 firmware.
    fdt.for_each_node([&](const fdt::Node& node) {
        if (!node.is_compatible("arm,psci") && !node.is_compatible("arm,psci-0.2") &&
            !node.is_compatible("arm,psci-1.0"))
            return true;
        auto method = node.property("method");
        StringView m = method.ok() ? method.value().as_string().value_or("") : StringView("");
        if (m == "hvc") g_psci = Conduit::Hvc;
        else if (m == "smc") g_psci = Conduit::Smc;
        return false;
    });
    // The counter frequency: CNTFRQ_EL0, which firmware sets (D11.1.2);
    // a clock-frequency in the timer node overrides a firmware that did not.
    u64 frequency = MOTE_SYSREG_READ(cntfrq_el0) & 0xffffffff;
    fdt.for_each_compatible("arm,armv8-timer", [&](const fdt::Node& node) {
        auto clock = node.property("clock-frequency");
        if (clock.ok()) frequency = clock.value().as_number().value_or(frequency);
        return false;
    });
    if (frequency == 0) return Error::Malformed;
    set_timer(kTimerNever);
    init_user_mode();
    return frequency;
}

u32 Arch::asid_count() { return g_asid_count; }

void Arch::switch_address_space(u64 root_phys, u16 asid) {
    // TTBR0 = the tree and its ASID (D19.2.150): translations of other
    // ASIDs stay cached, so a switch needs no flush. ASID 0 is "none": the
    // platform uses it when the CPU has too few ASIDs, and then every switch
    // flushes. root_phys 0: no user tables (the empty root).
    if (root_phys == 0) root_phys = empty_user_root_phys();
    MOTE_SYSREG_WRITE(ttbr0_el1, root_phys | (u64(asid) << kTtbrAsidShift));
    MOTE_ISB();
    if (asid == 0) flush_all();
}

void Arch::flush_user_page(u64 va, u16 asid) {
    // TLBI VAE1IS (D7.7): this page's entries of this ASID, all levels, so
    // a freed table's walk-cache entries go too. The DSBs order it after
    // the descriptor write and complete it before the page is reused.
    u64 operand = ((va >> 12) & 0xfffffffffff) | (u64(asid) << kTtbrAsidShift);
    asm volatile("dsb ishst\n tlbi vae1is, %0\n dsb ish\n isb" ::"r"(operand) : "memory");
}

void Arch::flush_address_space(u16 asid) {
    asm volatile("dsb ishst\n tlbi aside1is, %0\n dsb ish\n isb" ::"r"(u64(asid) << kTtbrAsidShift) : "memory");
}

void Arch::sync_instruction_cache(void* address, u64 size) {
    // ARM ARM B2.4.4 (self-modifying code): clean each data cache line to the
    // point of unification, then invalidate the instruction cache lines,
    // with barriers between. Line sizes from CTR_EL0 (log2 of words).
    u64 ctr;
    asm volatile("mrs %0, ctr_el0" : "=r"(ctr));
    u64 dline = u64(4) << ((ctr >> 16) & 0xf);
    u64 iline = u64(4) << (ctr & 0xf);
    uptr start = reinterpret_cast<uptr>(address);
    uptr end = start + size;
    for (uptr a = start & ~(dline - 1); a < end; a += dline) asm volatile("dc cvau, %0" ::"r"(a) : "memory");
    asm volatile("dsb ish" ::: "memory");
    for (uptr a = start & ~(iline - 1); a < end; a += iline) asm volatile("ic ivau, %0" ::"r"(a) : "memory");
    asm volatile("dsb ish\n isb" ::: "memory");
}

Result<fdt::Interrupt> Arch::timer_interrupt(const fdt::Fdt& fdt) {
    // arm,armv8-timer lists the secure physical, non-secure physical,
    // virtual and hypervisor timer PPIs, in that order; Mote uses the
    // virtual timer (CNTV_*).
    Result<fdt::Interrupt> found = Error::NotFound;
    fdt.for_each_compatible("arm,armv8-timer", [&](const fdt::Node& node) {
        auto irq = node.interrupt(2);
        if (irq.ok()) {
            found.~Result();
            new (&found) Result<fdt::Interrupt>(irq.value());  // Result has no assignment
        }
        return false;
    });
    return found;
}

namespace {
arch::TimerShadow g_timer;
}  // namespace

void Arch::set_timer(u64 deadline) {
    // CNTV_CTL_EL0 (D19.12.17): ENABLE = 1, IMASK = 0 while armed; disabled
    // otherwise, so an idle CPU gets no timer interrupt at all.
    if (!g_timer.changes(deadline)) return;
    if (deadline == kTimerNever) {
        MOTE_SYSREG_WRITE(cntv_ctl_el0, 0);
    } else {
        MOTE_SYSREG_WRITE(cntv_cval_el0, deadline);
        MOTE_SYSREG_WRITE(cntv_ctl_el0, 1);
    }
    MOTE_ISB();
}

arch::Frame Arch::caller_frame(arch::Frame frame) {
    // AAPCS64 frame record (6.2.3): x29 points at {previous x29, x30}.
    // Only records inside a kernel stack are followed.
    const arch::BootLayout& layout = boot_layout();
    auto on_stack = [&](uptr fp) {
        bool kernel = fp >= layout.stack_bottom && fp + 16 <= layout.stack_top;
        bool emergency = fp >= uptr(__emergency_stack_bottom) && fp + 16 <= uptr(__emergency_stack_top);
        return (kernel || emergency) && fp % 16 == 0;
    };
    if (!on_stack(frame.fp)) return {};
    auto* record = reinterpret_cast<const uptr*>(frame.fp);
    arch::Frame next {record[0], record[1]};
    if (!on_stack(next.fp) || next.fp == frame.fp) next.fp = 0;
    return next;
}

void Arch::write_registers(const TrapFrame& trap, arch::LineSink sink, void* context) {
    for (u32 row = 0; row < 8; ++row) {
        FixedString<128> line;
        line.append(" ");
        for (u32 col = 0; col < 4; ++col) {
            u32 r = row * 4 + col;
            if (r < 31) line.appendf("  x{:<2} {:016x}", r, trap.x[r]);
            else line.appendf("  sp  {:016x}", trap.sp);
        }
        sink(line.view(), context);
    }
    FixedString<128> line;
    line.appendf("  elr {:016x} spsr {:016x} esr {:016x} far {:016x}", trap.elr, trap.spsr, trap.esr, trap.far);
    sink(line.view(), context);
}

const char* aarch64::exception_class_name(u64 ec) {
    switch (ec) {
    case 0x00: return "unknown reason (illegal instruction)";
    case 0x01: return "WFI/WFE trapped";
    case 0x07: return "SIMD/FP access trapped";
    case 0x0e: return "illegal execution state";
    case 0x15: return "SVC";
    case 0x16: return "HVC";
    case 0x17: return "SMC";
    case 0x18: return "system register access trapped";
    case 0x20: return "instruction abort from a lower EL";
    case 0x21: return "instruction abort";
    case 0x22: return "PC alignment fault";
    case 0x24: return "data abort from a lower EL";
    case 0x25: return "data abort";
    case 0x26: return "SP alignment fault";
    case 0x2f: return "SError";
    case 0x3c: return "breakpoint (BRK)";
    }
    return "unknown exception class";
}

void Arch::power_off(bool) {
    disable_interrupts();
    // PSCI SYSTEM_OFF (DEN0022 5.10): QEMU exits with status 0. PSCI has no
    // "failure" flavour; the MOTE-PANIC line tells harnesses instead.
    psci_call(kPsciSystemOff);
    halt();
}

void Arch::reboot() {
    disable_interrupts();
    psci_call(kPsciSystemReset);
    halt();
}

void Arch::halt() {
    disable_interrupts();
    for (;;) wait_for_interrupt();
}

}  // namespace mote
