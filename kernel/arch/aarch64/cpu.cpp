// aarch64 CPU services: generic timer, PSCI power, register dumps, frames.
#include "arch/arch.hpp"
#include "base/format.hpp"

extern "C" char __emergency_stack_bottom[], __emergency_stack_top[];

namespace mote {

namespace {

enum class Conduit : u8 { None, Hvc, Smc };
Conduit g_psci = Conduit::None;

// PSCI function ids (Arm PSCI spec DEN0022, 5.1: SMC32 calling convention).
constexpr u64 kPsciSystemOff = 0x84000008;
constexpr u64 kPsciSystemReset = 0x84000009;

void psci_call(u64 function) {
    register u64 x0 asm("x0") = function;
    if (g_psci == Conduit::Hvc) asm volatile("hvc #0" : "+r"(x0)::"memory", "x1", "x2", "x3");
    else if (g_psci == Conduit::Smc) asm volatile("smc #0" : "+r"(x0)::"memory", "x1", "x2", "x3");
}

}  // namespace

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
    return frequency;
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

void Arch::set_timer(u64 deadline) {
    // CNTV_CTL_EL0 (D19.12.17): ENABLE = 1, IMASK = 0 while armed; disabled
    // otherwise, so an idle CPU gets no timer interrupt at all.
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
