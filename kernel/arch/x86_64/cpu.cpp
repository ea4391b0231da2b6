// x86_64 CPU services: the CPU set-up for user mode and address-space
// switches, register dumps, frame walking, exception names, and power
// through ACPI.
#include "arch/arch.hpp"
#include "arch/x86_64/x86.hpp"
#include "base/format.hpp"
#include "base/memory.hpp"

extern "C" char __emergency_stack_bottom[], __emergency_stack_top[];
extern "C" char syscall_entry[];

namespace mote {

namespace {
acpi::PowerControl g_power;
bool g_power_known = false;
x86::UserModeFeatures g_features;
bool& g_pcid = g_features.pcid;
bool& g_invpcid = g_features.invpcid;
u16 g_current_asid = 0;

// Control register bits (SDM vol. 3A 2.5).
constexpr u64 kCr0Mp = u64(1) << 1, kCr0Em = u64(1) << 2, kCr0Ts = u64(1) << 3;
constexpr u64 kCr4Osfxsr = u64(1) << 9, kCr4Osxmmexcpt = u64(1) << 10, kCr4Umip = u64(1) << 11;
constexpr u64 kCr4Fsgsbase = u64(1) << 16, kCr4Pcide = u64(1) << 17, kCr4Osxsave = u64(1) << 18;
constexpr u64 kCr4Smep = u64(1) << 20, kCr4Smap = u64(1) << 21;
constexpr u64 kCr3NoFlush = u64(1) << 63;  // with PCIDE: keep the new PCID's translations
constexpr u64 kEferSce = u64(1) << 0;
// RFLAGS bits SYSCALL clears: TF, IF, DF, IOPL, NT, AC. The entry runs with
// interrupts off and the string direction the compiler assumes.
constexpr u64 kSyscallMask = 0x100 | 0x200 | 0x400 | 0x3000 | 0x4000 | 0x40000;
}  // namespace

void x86::init_user_mode() {
    // SYSCALL/SYSRET (SDM vol. 2B, and vol. 3A 5.8.8).
    wrmsr(kMsrStar, u64(kSysretBase) << 48 | u64(kKernelCode) << 32);
    wrmsr(kMsrLstar, reinterpret_cast<u64>(syscall_entry));
    wrmsr(kMsrFmask, kSyscallMask);
    wrmsr(kMsrEfer, rdmsr(kMsrEfer) | kEferSce);

    CpuidResult leaf0 = cpuid(0);
    CpuidResult leaf1 = cpuid(1);
    CpuidResult leaf7 = leaf0.eax >= 7 ? cpuid(7, 0) : CpuidResult {};
    u64 cr4 = read_cr4();
    // x87, MMX and SSE for user programs (x86-64's baseline): OSFXSR and
    // OSXMMEXCPT on, CR0.EM and TS off, MP on (SDM vol. 3A 13.1); each
    // thread's state is one FXSAVE image, saved when another thread runs.
    // The kernel is built general-regs-only and uses none of it. No XSAVE:
    // AVX stays #UD, as there is no room for its state. FSGSBASE stays off:
    // ring 3 cannot write the FS/GS bases.
    cr4 &= ~(kCr4Osxsave | kCr4Fsgsbase);
    cr4 |= kCr4Osfxsr | kCr4Osxmmexcpt;
    // The kernel never executes or touches user pages (it copies through
    // the direct map), so SMEP and SMAP cost nothing and turn a stray
    // kernel access into a fault; UMIP keeps SGDT/SIDT/STR from ring 3.
    g_features.smep = leaf7.ebx & (1u << 7);
    g_features.smap = leaf7.ebx & (1u << 20);
    g_features.umip = leaf7.ecx & (1u << 2);
    if (g_features.smep) cr4 |= kCr4Smep;
    if (g_features.smap) cr4 |= kCr4Smap;
    if (g_features.umip) cr4 |= kCr4Umip;
    // PCID needs CR3[11:0] = 0 when it is turned on (SDM vol. 3A 4.10.1):
    // the kernel's tables are loaded as PCID 0.
    if ((leaf1.ecx & (1u << 17)) && (read_cr3() & 0xfff) == 0) {
        cr4 |= kCr4Pcide;
        g_pcid = true;
        g_invpcid = leaf7.ebx & (1u << 10);
    }
    write_cr4(cr4);
    write_cr0((read_cr0() & ~(kCr0Em | kCr0Ts)) | kCr0Mp);
    asm volatile("fninit" ::: "memory");
}

void Arch::fp_init(void* state) {
    // What FNINIT and a reset MXCSR leave (SDM vol. 1 8.1.5, 10.2.3.1):
    // FCW 0x037f (all x87 exceptions masked, double extended precision),
    // MXCSR 0x1f80 (all SSE exceptions masked, round to nearest).
    auto* image = static_cast<u8*>(state);
    mem_set(image, 0, kFpStateBytes);
    image[0] = 0x7f;
    image[1] = 0x03;
    u32 mxcsr = 0x1f80;
    mem_copy(image + 24, &mxcsr, sizeof(mxcsr));
}

const x86::UserModeFeatures& x86::user_mode_features() { return g_features; }

u32 Arch::asid_count() { return g_pcid ? 4096 : 1; }

void Arch::switch_address_space(u64 root_phys, u16 asid) {
    if (root_phys == 0) root_phys = x86::kernel_page_tables().root_phys();
    if (!g_pcid) {
        // A CR3 load drops every non-global translation (CR4.PGE is off,
        // so every one).
        x86::write_cr3(root_phys);
        g_current_asid = 0;
        return;
    }
    // ASID 0 (the kernel's tables, or no ASID to spare) flushes PCID 0;
    // any other keeps what its PCID cached, which free_asid's
    // flush_address_space made stale-free.
    x86::write_cr3(root_phys | asid | (asid ? kCr3NoFlush : 0));
    g_current_asid = asid;
}

void Arch::flush_user_page(u64 va, u16 asid) {
    // INVLPG acts on the current PCID only. Without PCID the TLB holds only
    // the current tables' translations, so it is right (or harmless) for
    // any address space.
    if (!g_pcid || asid == g_current_asid) {
        x86::invlpg(va);
        return;
    }
    if (g_invpcid) {
        x86::invpcid(0, asid, va);
        return;
    }
    flush_address_space(asid);
}

void Arch::flush_address_space(u16 asid) {
    if (!g_pcid) {
        x86::write_cr3(x86::read_cr3());
        return;
    }
    if (g_invpcid) {
        x86::invpcid(1, asid, 0);
        return;
    }
    // A CR3 load without the no-flush bit drops that PCID's translations:
    // borrow the kernel's tables under it for one load, then go back.
    bool enabled = disable_interrupts();
    u64 current = x86::read_cr3();  // bit 63 reads as 0
    x86::write_cr3(x86::kernel_page_tables().root_phys() | asid);
    x86::write_cr3(current | kCr3NoFlush);
    restore_interrupts(enabled);
}

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
