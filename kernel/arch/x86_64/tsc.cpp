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

// One reading of the reference and the TSC at the same moment, as near as
// can be told: the reference read between two TSC reads, the narrowest of
// three such brackets kept (an emulator or a host may stall one read),
// and the TSC taken at its middle.
struct Reading {
    u64 reference;
    u64 tsc;
};

template <typename Read>
Reading read_together(Read read) {
    Reading best {0, 0};
    u64 narrowest = ~u64(0);
    for (int i = 0; i < 3; ++i) {
        const u64 before = rdtsc();
        const u64 reference = read();
        const u64 after = rdtsc();
        if (after - before < narrowest) {
            narrowest = after - before;
            best = {reference, before + (after - before) / 2};
        }
    }
    return best;
}

// The TSC's frequency against a reference counter of `hz` (masked to
// `bits`) over at least `target` of its ticks: both counters are read
// together (read_together) at the start and the end, so the window can be
// short (2 ms of boot instead of 10) and still be good to a few parts in
// 10,000; the reference's actual elapsed ticks, not `target`, divide.
// Zero if the reference does not advance (missing or stuck).
template <typename Read>
u64 measure(Read read, u32 bits, u64 hz, u64 target) {
    const u64 mask = bits == 64 ? ~u64(0) : (u64(1) << bits) - 1;
    const Reading begin = read_together(read);
    u64 elapsed = 0, last = begin.reference;
    while (elapsed < target) {
        const u64 now = read();
        elapsed += (now - last) & mask;
        last = now;
        if (rdtsc() - begin.tsc > kGiveUpTicks) return 0;
    }
    const Reading end = read_together(read);
    elapsed += (end.reference - last) & mask;
    if (elapsed == 0 || end.tsc <= begin.tsc) return 0;
    return (end.tsc - begin.tsc) * hz / elapsed;
}

// The calibration window, as a fraction of a second of the reference.
constexpr u64 kWindowsPerSecond = 500;  // 2 ms

u64 from_pm_timer(u16 port, bool wide) {
    const u32 bits = wide ? 32 : 24;
    return measure([port] { return u64(inl(port)); }, bits, kPmTimerHz, kPmTimerHz / kWindowsPerSecond);
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
    return measure([regs] { return regs[30]; }, 64, hz, hz / kWindowsPerSecond);
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
    const u64 hz = measure(read_pit_channel0, 16, kPitHz, kPitHz / kWindowsPerSecond);
    // Back to mode 0 (interrupt on terminal count): it stops after one
    // count instead of ticking at 18.2 Hz for nothing.
    outb(0x43, 0x30);
    outb(0x40, 0xff);
    outb(0x40, 0xff);
    return hz;
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
