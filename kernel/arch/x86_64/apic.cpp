// The local APIC, the I/O APIC and the masked legacy PIC (Intel SDM vol. 3A
// chapter 11; Intel 82093AA I/O APIC datasheet; Intel 8259A datasheet).
#include "arch/arch.hpp"
#include "arch/timer_shadow.hpp"
#include "arch/x86_64/x86.hpp"

namespace mote::x86 {

namespace {

// Local APIC registers (SDM vol. 3A table 11-1), as offsets.
constexpr u32 kLapicId = 0x20;
constexpr u32 kLapicEoi = 0xb0;
constexpr u32 kLapicSpurious = 0xf0;      // SVR: bit 8 = APIC software enable
constexpr u32 kLapicLvtTimer = 0x320;
constexpr u32 kLapicTimerInitial = 0x380;
constexpr u32 kLapicTimerCurrent = 0x390;
constexpr u32 kLapicTimerDivide = 0x3e0;
constexpr u32 kLapicTpr = 0x80;
constexpr u32 kLvtMasked = 1u << 16;
constexpr u32 kLvtTscDeadline = 2u << 17;  // timer mode bits 18:17 = 10b

volatile u8* g_lapic = nullptr;
// Both one-shot modes disarm themselves when they fire: timer_fired()
// forgets the shadow then, as start_timer() does after its own writes.
arch::TimerShadow g_timer;

u32 lapic_read(u32 reg) { return *reinterpret_cast<volatile u32*>(g_lapic + reg); }
void lapic_write(u32 reg, u32 value) { *reinterpret_cast<volatile u32*>(g_lapic + reg) = value; }

IoApic g_io_apic;

// I/O APIC registers: IOREGSEL at 0, IOWIN at 0x10 (datasheet 3.0); the
// version register (1) holds the highest redirection entry in bits 23:16;
// entry n is at 0x10 + 2n (low) and 0x11 + 2n (high).
constexpr u32 kIoRegSel = 0x00;
constexpr u32 kIoWin = 0x10;
constexpr u32 kIoApicVersion = 1;

}  // namespace

IoApic& io_apic() { return g_io_apic; }

void mask_legacy_pic() {
    // ICW1-4 (8259A datasheet): cascade mode, vectors kVectorPicBase..+15,
    // slave on IRQ 2, 8086 mode; then OCW1 masks every line.
    outb(0x20, 0x11);
    outb(0xa0, 0x11);
    outb(0x21, u8(kVectorPicBase));
    outb(0xa1, u8(kVectorPicBase + 8));
    outb(0x21, 0x04);
    outb(0xa1, 0x02);
    outb(0x21, 0x01);
    outb(0xa1, 0x01);
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
}

Result<void> init_local_apic(u64 phys) {
    // IA32_APIC_BASE (SDM 11.4.4): bit 11 enables the xAPIC; its address
    // must be the one the MADT gave.
    u64 base = rdmsr(kMsrApicBase);
    if ((base & 0xfffff000) != (phys & 0xfffff000)) return Error::Malformed;
    wrmsr(kMsrApicBase, base | (1u << 11));
    g_lapic = TRY(Arch::map_device(phys, 4096));
    lapic_write(kLapicTpr, 0);
    lapic_write(kLapicLvtTimer, kLvtMasked | kVectorTimer);
    lapic_write(kLapicSpurious, (1u << 8) | kVectorSpurious);
    return {};
}

void lapic_eoi() {
    if (g_lapic) lapic_write(kLapicEoi, 0);
}

u32 lapic_id() { return g_lapic ? lapic_read(kLapicId) >> 24 : 0; }

// --- the timer -------------------------------------------------------------

namespace {

bool g_tsc_deadline = false;
// APIC timer ticks per TSC tick, Q32 (for the one-shot fallback).
u64 g_apic_per_tsc_q32 = 0;

}  // namespace

void timer_fired() { g_timer.forget(); }

Result<const char*> start_timer(u64 tsc_hz) {
    if (!g_lapic || tsc_hz == 0) return Error::BadState;
    // CPUID.01H:ECX.TSC_Deadline[bit 24] (SDM 11.5.4.1).
    if (cpuid(1).ecx & (1u << 24)) {
        g_tsc_deadline = true;
        lapic_write(kLapicLvtTimer, kLvtTscDeadline | kVectorTimer);
        wrmsr(kMsrTscDeadline, 0);
        g_timer.forget();
        return "TSC-deadline";
    }
    // One-shot mode, divide by 1 (divide configuration 1011b). Measure the
    // APIC timer against the TSC over ~2 ms, with interrupts masked.
    lapic_write(kLapicTimerDivide, 0xb);
    lapic_write(kLapicLvtTimer, kLvtMasked | kVectorTimer);
    lapic_write(kLapicTimerInitial, 0xffffffff);
    u64 start = rdtsc();
    u64 span = tsc_hz / 500;
    while (rdtsc() - start < span) {
    }
    u32 elapsed = 0xffffffff - lapic_read(kLapicTimerCurrent);
    u64 tsc = rdtsc() - start;
    lapic_write(kLapicTimerInitial, 0);
    g_timer.forget();
    if (elapsed == 0 || tsc == 0) return Error::Unsupported;
    g_apic_per_tsc_q32 = (u64(elapsed) << 32) / tsc;
    lapic_write(kLapicLvtTimer, kVectorTimer);  // one-shot, unmasked
    return "APIC one-shot";
}

}  // namespace mote::x86

namespace mote {

void Arch::set_timer(u64 deadline) {
    using namespace x86;
    if (!g_lapic || !g_timer.changes(deadline)) return;
    if (g_tsc_deadline) {
        // Writing 0 disarms (SDM 11.5.4.1); a deadline in the past fires at once.
        wrmsr(kMsrTscDeadline, deadline == kTimerNever ? 0 : (deadline == 0 ? 1 : deadline));
        return;
    }
    if (deadline == kTimerNever) {
        lapic_write(kLapicTimerInitial, 0);
        return;
    }
    u64 now = rdtsc();
    u64 delta = deadline > now ? deadline - now : 1;
    // Rounded up, at least 1, at most the 32-bit counter: a longer wait
    // ends early, and the loop simply re-arms for what is left.
    u64 ticks = u64((static_cast<unsigned __int128>(delta) * g_apic_per_tsc_q32 + 0xffffffffu) >> 32);
    if (ticks == 0) ticks = 1;
    if (ticks > 0xffffffffu) ticks = 0xffffffffu;
    lapic_write(kLapicTimerInitial, u32(ticks));
}

}  // namespace mote

namespace mote::x86 {

// --- the I/O APICs -----------------------------------------------------------

u32 IoApic::read(const Chip& chip, u32 reg) const {
    *reinterpret_cast<volatile u32*>(chip.base + kIoRegSel) = reg;
    return *reinterpret_cast<volatile u32*>(chip.base + kIoWin);
}

void IoApic::write(const Chip& chip, u32 reg, u32 value) {
    *reinterpret_cast<volatile u32*>(chip.base + kIoRegSel) = reg;
    *reinterpret_cast<volatile u32*>(chip.base + kIoWin) = value;
}

const IoApic::Chip* IoApic::chip_of(u32 gsi) const {
    for (usize i = 0; i < m_chip_count; ++i)
        if (gsi >= m_chips[i].gsi_base && gsi - m_chips[i].gsi_base < m_chips[i].inputs) return &m_chips[i];
    return nullptr;
}

bool IoApic::serves_chip_at(u64 phys) const {
    for (usize i = 0; i < m_chip_count; ++i)
        if (m_chips[i].phys == phys) return true;
    return false;
}

Result<void> IoApic::add_chip(u64 phys, u32 gsi_base, u32 apic_id) {
    if (m_chip_count == kMaxChips) return Error::NoMemory;
    Chip chip;
    chip.phys = phys;
    chip.base = TRY(Arch::map_device(phys, 0x20));
    u32 version = read(chip, kIoApicVersion);
    u32 inputs = ((version >> 16) & 0xff) + 1;
    // An all-ones read is no I/O APIC at all; GSIs must fit our vectors
    // and not overlap another chip's.
    if (version == 0xffffffff) return Error::NotFound;
    if (gsi_base >= kMaxInputs || inputs > kMaxInputs - gsi_base) return Error::OutOfRange;
    for (u32 gsi = gsi_base; gsi < gsi_base + inputs; ++gsi)
        if (chip_of(gsi)) return Error::Malformed;
    chip.gsi_base = gsi_base;
    chip.inputs = inputs;
    m_chips[m_chip_count++] = chip;
    m_apic_id = apic_id;
    for (u32 i = 0; i < inputs; ++i) write_entry(gsi_base + i, true);
    return {};
}

// Redirection entry (datasheet 3.2.4): vector, fixed delivery, physical
// destination, polarity (bit 13), trigger (bit 15), mask (bit 16),
// destination APIC ID in bits 63:56.
void IoApic::write_entry(u32 gsi, bool masked) {
    const Chip* chip = chip_of(gsi);
    if (!chip) return;
    u32 input = gsi - chip->gsi_base;
    u32 low = kVectorIrqBase + gsi;
    if (m_active_low[gsi]) low |= 1u << 13;
    if (m_level[gsi]) low |= 1u << 15;
    if (masked) low |= 1u << 16;
    write(*chip, 0x11 + 2 * input, m_apic_id << 24);
    write(*chip, 0x10 + 2 * input, low);
}

void IoApic::configure(u32 gsi, bool level, bool active_low) {
    if (!chip_of(gsi)) return;
    m_level[gsi] = level;
    m_active_low[gsi] = active_low;
    write_entry(gsi, !m_enabled[gsi]);
}

Result<void> IoApic::enable(u32 source) {
    if (!chip_of(source)) return Error::OutOfRange;
    m_enabled[source] = true;
    write_entry(source, false);
    return {};
}

void IoApic::mask(u32 source) {
    // Only level-triggered inputs: masking is what keeps a still-asserted
    // line from storming until the loop services it, and an edge-triggered
    // input cannot storm (it interrupts again only on a new edge). Worse,
    // the 82093AA ignores an edge that arrives while its pin is masked, and
    // a 16550 holds its line up until it is read, so no later edge would
    // come: a byte typed while the console was masked stalled all input.
    if (chip_of(source) && m_level[source]) write_entry(source, true);
}

void IoApic::unmask(u32 source) {
    if (chip_of(source) && m_enabled[source]) write_entry(source, false);
}

u32 IoApic::claim() {
    // x86 has no claim register: the vector said which GSI it was.
    u32 gsi = m_pending;
    m_pending = kNone;
    return gsi;
}

// The local APIC's EOI also ends a level-triggered input's cycle at the
// I/O APIC (broadcast EOI): masking before it keeps a still-asserted line
// from interrupting again before the loop serviced the device.
void IoApic::complete(u32) { lapic_eoi(); }

Result<u32> IoApic::decode(const u32* cells, u32 count) const {
    if (count < 1 || !chip_of(cells[0])) return Error::Malformed;
    return cells[0];
}

}  // namespace mote::x86
