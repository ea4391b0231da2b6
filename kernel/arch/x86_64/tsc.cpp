// Measuring the time-stamp counter's frequency against a clock the machine
// really has. Each reference is used only after its presence is known
// (ACPI describes the PM timer and the HPET; the PIT is probed), and every
// wait is bounded in TSC ticks, so a missing or stuck reference is skipped,
// never waited on forever.
#include "arch/arch.hpp"
#include "arch/x86_64/x86.hpp"

namespace mote::x86 {

namespace {

constexpr u64 kPmTimerHz = 3579545;           // ACPI 4.8.3.3
constexpr u64 kPitHz = 1193182;               // 8254 input clock
// No real TSC runs below 100 MHz; a bound that long (in TSC ticks) is
// >1 s for any plausible TSC, so "no progress in this many ticks" means
// the reference is missing or stuck.
constexpr u64 kGiveUpTicks = u64(4) << 30;

// CPUID 0x15 (SDM vol. 3A 19.7.3): TSC = crystal * EBX / EAX, with the
// crystal in ECX (0 if not enumerated).
u64 from_cpuid15() {
    if (cpuid(0).eax < 0x15) return 0;
    CpuidResult r = cpuid(0x15);
    if (r.eax == 0 || r.ebx == 0 || r.ecx == 0) return 0;
    return u64(r.ecx) * r.ebx / r.eax;
}

// The hypervisor's timing leaf 0x40000010 (EAX = TSC kHz), which KVM and
// VMware publish when the leaf range reaches it.
u64 from_hypervisor_leaf() {
    if (!(cpuid(1).ecx & (1u << 31))) return 0;  // not under a hypervisor
    if (cpuid(0x40000000).eax < 0x40000010) return 0;
    return u64(cpuid(0x40000010).eax) * 1000;
}

// Counts TSC ticks while `reference` advances by `target` of its own ticks.
// read() returns the reference's counter masked to `bits`.
template <typename Read>
u64 measure(Read read, u32 bits, u64 target) {
    u64 mask = bits == 64 ? ~u64(0) : (u64(1) << bits) - 1;
    u64 begin = read();
    u64 tsc_begin = rdtsc();
    u64 elapsed = 0, last = begin;
    while (elapsed < target) {
        u64 now = read();
        elapsed += (now - last) & mask;
        last = now;
        if (rdtsc() - tsc_begin > kGiveUpTicks) return 0;
    }
    return rdtsc() - tsc_begin;
}

u64 from_pm_timer(u16 port, bool wide) {
    u32 bits = wide ? 32 : 24;
    // 10 ms of PM timer ticks.
    u64 tsc = measure([port] { return u64(inl(port)); }, bits, kPmTimerHz / 100);
    return tsc ? tsc * 100 : 0;
}

u64 from_hpet(u64 phys) {
    // HPET registers (IA-PC HPET 1.0a, 2.3): capabilities at 0 (period in
    // femtoseconds in bits 63:32), configuration at 0x10 (bit 0 enables
    // the counter), main counter at 0xf0.
    auto base = Arch::map_device(phys, 1024);
    if (base.is_error()) return 0;
    volatile u64* regs = reinterpret_cast<volatile u64*>(base.value());
    u64 period_fs = regs[0] >> 32;
    if (period_fs == 0 || period_fs > 100000000) return 0;  // spec: <= 100 ns
    regs[2] = regs[2] | 1;
    u64 hz = u64(1000000000000000) / period_fs;
    u64 tsc = measure([regs] { return regs[30]; }, 64, hz / 100);
    return tsc ? tsc * 100 : 0;
}

// The 8254's channel 0 as a free-running counter: mode 2 with the full
// 65536 reload, read back through the latch command (8254 datasheet,
// "Counter Latch Command"). Channel 2's gate and output live behind port
// 0x61, which microvm does not have, so channel 0 is the portable choice;
// its IRQ 0 is masked at both the PIC and the I/O APIC. Without a PIT the
// reads return a constant and the bounded wait gives up.
u64 read_pit_channel0() {
    outb(0x43, 0x00);  // latch channel 0
    u8 lo = inb(0x40);
    u8 hi = inb(0x40);
    // The counter counts down; return an up-counting value.
    return u64(0xffff - (u32(hi) << 8 | lo));
}

u64 from_pit() {
    outb(0x43, 0x34);  // channel 0, lobyte/hibyte, mode 2, binary
    outb(0x40, 0);
    outb(0x40, 0);     // reload 0 = 65536
    u64 tsc = measure(read_pit_channel0, 16, kPitHz / 100);  // 10 ms
    // Back to mode 0 (interrupt on terminal count): it stops after one
    // count instead of ticking at 18.2 Hz for nothing.
    outb(0x43, 0x30);
    outb(0x40, 0xff);
    outb(0x40, 0xff);
    return tsc ? tsc * 100 : 0;
}

}  // namespace

Result<TscCalibration> calibrate_tsc(const TimeReferences& references) {
    // The CPU must say its TSC runs at a constant rate? Under QEMU it does;
    // we do not insist (CPUID 0x80000007 EDX.8 is often hidden by TCG).
    if (u64 hz = from_cpuid15()) return TscCalibration {hz, "CPUID 0x15"};
    if (u64 hz = from_hypervisor_leaf()) return TscCalibration {hz, "hypervisor CPUID 0x40000010"};
    if (references.pm_timer_port)
        if (u64 hz = from_pm_timer(references.pm_timer_port, references.pm_timer_32bit))
            return TscCalibration {hz, "ACPI PM timer"};
    if (references.hpet_phys)
        if (u64 hz = from_hpet(references.hpet_phys)) return TscCalibration {hz, "HPET"};
    if (references.pit)
        if (u64 hz = from_pit()) return TscCalibration {hz, "PIT channel 0"};
    return Error::NotFound;
}

}  // namespace mote::x86
