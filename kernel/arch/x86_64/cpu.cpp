// x86_64 CPU services: register dumps, frame walking, exception names, and
// power through ACPI.
#include "arch/arch.hpp"
#include "arch/x86_64/x86.hpp"
#include "base/format.hpp"

extern "C" char __emergency_stack_bottom[], __emergency_stack_top[];

namespace mote {

namespace {
acpi::PowerControl g_power;
bool g_power_known = false;
}  // namespace

const char* x86::exception_name(u64 vector) {
    // SDM vol. 3A table 6-1.
    switch (vector) {
    case 0: return "divide error";
    case 1: return "debug exception";
    case 2: return "non-maskable interrupt";
    case 3: return "breakpoint";
    case 4: return "overflow";
    case 5: return "bound range exceeded";
    case 6: return "invalid opcode";
    case 7: return "device not available";
    case 8: return "double fault";
    case 10: return "invalid TSS";
    case 11: return "segment not present";
    case 12: return "stack-segment fault";
    case 13: return "general protection fault";
    case 14: return "page fault";
    case 16: return "x87 floating-point error";
    case 17: return "alignment check";
    case 18: return "machine check";
    case 19: return "SIMD floating-point exception";
    case 20: return "virtualization exception";
    case 21: return "control protection exception";
    }
    return "unknown exception";
}

arch::Frame Arch::caller_frame(arch::Frame frame) {
    // The System V x86-64 frame record: rbp points at the caller's saved
    // rbp, with the return address above it. Only follow records inside a
    // kernel stack, so a corrupt chain ends the walk instead of faulting
    // inside the crash report.
    const arch::BootLayout& layout = boot_layout();
    auto on_stack = [&](uptr fp) {
        bool kernel = fp >= layout.stack_bottom && fp + 16 <= layout.stack_top;
        bool emergency = fp >= uptr(__emergency_stack_bottom) && fp + 16 <= uptr(__emergency_stack_top);
        return (kernel || emergency) && fp % 8 == 0;
    };
    if (!on_stack(frame.fp)) return {};
    auto* record = reinterpret_cast<const uptr*>(frame.fp);
    arch::Frame next {record[0], record[1]};
    if (!on_stack(next.fp) || next.fp == frame.fp) next.fp = 0;
    return next;
}

void Arch::write_registers(const TrapFrame& t, arch::LineSink sink, void* context) {
    struct Row {
        const char* names[4];
        u64 values[4];
    };
    const Row rows[] = {
        {{"rax", "rbx", "rcx", "rdx"}, {t.rax, t.rbx, t.rcx, t.rdx}},
        {{"rsi", "rdi", "rbp", "rsp"}, {t.rsi, t.rdi, t.rbp, t.rsp}},
        {{"r8", "r9", "r10", "r11"}, {t.r8, t.r9, t.r10, t.r11}},
        {{"r12", "r13", "r14", "r15"}, {t.r12, t.r13, t.r14, t.r15}},
        {{"rip", "rflags", "cs", "ss"}, {t.rip, t.rflags, t.cs, t.ss}},
        {{"cr2", "cr3", "vector", "error"}, {t.cr2, x86::read_cr3(), t.vector, t.error}},
    };
    for (const Row& row : rows) {
        FixedString<128> line;
        line.append(" ");
        for (u32 c = 0; c < 4; ++c) line.appendf(" {:>6} {:016x}", row.names[c], row.values[c]);
        sink(line.view(), context);
    }
}

const char* Arch::trap_cause(const TrapFrame& trap) {
    if (trap.vector >= 32) return "unexpected interrupt";
    return x86::exception_name(trap.vector);
}

void x86::configure_power(const acpi::PowerControl& power) {
    g_power = power;
    g_power_known = true;
}

namespace {

void write_gas(const acpi::Gas& gas, u32 value) {
    if (!gas.present()) return;
    if (gas.space == acpi::Gas::Io) {
        u16 port = u16(gas.address);
        if (gas.bit_width == 8 || gas.access_size == 1) x86::outb(port, u8(value));
        else if (gas.bit_width == 32 || gas.access_size == 3) x86::outl(port, value);
        else x86::outw(port, u16(value));
        return;
    }
    auto mapped = Arch::map_device(gas.address, 8);
    if (mapped.is_error()) return;
    volatile u8* p = mapped.value();
    if (gas.bit_width == 32 || gas.access_size == 3) *reinterpret_cast<volatile u32*>(p) = value;
    else if (gas.bit_width == 16 || gas.access_size == 2) *reinterpret_cast<volatile u16*>(p) = u16(value);
    else *p = u8(value);
}

}  // namespace

void Arch::power_off(bool) {
    disable_interrupts();
    if (g_power_known) {
        const acpi::PowerControl& p = g_power;
        // Hardware-reduced ACPI (4.8.3.7): SLP_TYPx in bits 4:2 of the
        // sleep control register, SLP_EN in bit 5.
        if (p.sleep_control.present()) write_gas(p.sleep_control, u32(p.s5.a & 7) << 2 | (1u << 5));
        // Fixed hardware (4.8.3.2.1): SLP_TYPx in bits 12:10 of PM1x_CNT,
        // SLP_EN in bit 13; PM1b too when it exists.
        if (p.pm1a_control.present()) {
            write_gas(p.pm1b_control, u32(p.s5.b & 7) << 10 | (1u << 13));
            write_gas(p.pm1a_control, u32(p.s5.a & 7) << 10 | (1u << 13));
        }
    }
    halt();
}

void Arch::reboot() {
    disable_interrupts();
    // The FADT's reset register (4.8.3.6), then the 8042's reset line,
    // then a triple fault: an empty IDT and an exception.
    if (g_power_known && g_power.reset_register.present()) write_gas(g_power.reset_register, g_power.reset_value);
    if (!g_power_known || g_power.has_8042) x86::outb(0x64, 0xfe);
    struct [[gnu::packed]] {
        u16 limit;
        u64 base;
    } empty {0, 0};
    asm volatile("lidt %0\n int3" ::"m"(empty) : "memory");
    halt();
}

void Arch::halt() {
    for (;;) asm volatile("cli\n hlt" ::: "memory");
}

}  // namespace mote
