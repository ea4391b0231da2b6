// What the x86_64 port offers the PVH platform beyond the arch facade:
// the decoded boot information, mappings for firmware tables, the local
// APIC and its timer, the I/O APIC, and ACPI-driven power control.
#pragma once

#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/start_info.hpp"
#include "firmware/acpi.hpp"
#include "dev/irq_controller.hpp"

namespace mote::x86 {

void install_descriptors();

// The PVH start info, copied out at boot (start_info.hpp).
const BootInfo& boot_info();
// Maps firmware memory (ACPI tables) read-only into the direct map.
Result<const u8*> map_firmware(u64 phys, u64 size);

// The legacy 8259 PICs: remapped to kVectorPicBase and fully masked, so
// only the APICs deliver interrupts (a ghost IRQ 7 lands on a vector that
// is counted as spurious, not on an exception).
void mask_legacy_pic();

// The local APIC (SDM vol. 3A chapter 11), xAPIC registers at `phys`.
Result<void> init_local_apic(u64 phys);
void lapic_eoi();
u32 lapic_id();

// The time-stamp counter's frequency, and which reference measured it.
struct TscCalibration {
    u64 hz = 0;
    const char* source = "";
};
// References the machine may have, from ACPI; 0 / false = absent.
struct TimeReferences {
    u16 pm_timer_port = 0;  // FADT PM_TMR_BLK (3.579545 MHz)
    bool pm_timer_32bit = false;
    u64 hpet_phys = 0;      // the HPET table's base address
    bool pit = true;        // the 8254 (probed before use: microvm can lack it)
};
// Tries CPUID 0x15, the hypervisor's TSC leaf, the ACPI PM timer, the
// HPET, then the PIT, each only if present; NotFound if none works.
Result<TscCalibration> calibrate_tsc(const TimeReferences& references);
// Starts the one-shot timer for Arch::set_timer: TSC-deadline mode when
// the CPU has it, else the APIC timer in one-shot mode, calibrated here
// against the TSC. Returns the mode's name.
Result<const char*> start_timer(u64 tsc_hz);
// The timer interrupt came: the one-shot timer has disarmed itself (the
// next Arch::set_timer writes whatever it is given).
void timer_fired();

// The I/O APICs (82093AA datasheet; ACPI MADT for where they are and
// which GSIs each serves), as one interrupt controller: GSI n is delivered
// on vector kVectorIrqBase + n to this CPU. Sources are GSIs. decode()
// takes {gsi} cells.
class IoApic final : public IrqController {
public:
    static constexpr u32 kMaxInputs = kMaxIrqInputs;  // GSIs 0..kMaxInputs-1
    static constexpr usize kMaxChips = 4;

    // Adds the chip at `phys` serving GSIs from `gsi_base`; every input
    // starts masked.
    Result<void> add_chip(u64 phys, u32 gsi_base, u32 apic_id);

    StringView name() const override { return "I/O APIC"; }
    Result<void> enable(u32 source) override;
    void mask(u32 source) override;
    void unmask(u32 source) override;
    u32 claim() override;
    void complete(u32 source) override;
    Result<u32> decode(const u32* cells, u32 count) const override;

    // How GSI `gsi` is wired (from the MADT's overrides or the DSDT):
    // level or edge, active low or high. Applied at once.
    void configure(u32 gsi, bool level, bool active_low);
    // Interrupt context: the trap handler saw GSI `gsi`'s vector.
    void note_pending(u32 gsi) { m_pending = gsi; }
    bool serves(u32 gsi) const { return chip_of(gsi) != nullptr; }
    bool serves_chip_at(u64 phys) const;

private:
    struct Chip {
        volatile u8* base = nullptr;
        u64 phys = 0;
        u32 gsi_base = 0;
        u32 inputs = 0;
    };
    const Chip* chip_of(u32 gsi) const;
    u32 read(const Chip& chip, u32 reg) const;
    void write(const Chip& chip, u32 reg, u32 value);
    void write_entry(u32 gsi, bool masked);

    Chip m_chips[kMaxChips];
    usize m_chip_count = 0;
    u32 m_apic_id = 0;
    u32 m_pending = kNone;
    bool m_level[kMaxInputs] {};
    bool m_active_low[kMaxInputs] {};
    bool m_enabled[kMaxInputs] {};
};

IoApic& io_apic();

// ACPI power control: the platform hands over what the FADT (and the
// DSDT's \_S5) say; Arch::power_off and Arch::reboot use it.
void configure_power(const acpi::PowerControl& power);

}  // namespace mote::x86
