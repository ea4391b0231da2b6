// A PC started through the PVH boot ABI: QEMU's q35 and microvm with
// `-kernel mote.elf`. Everything is discovered from the PVH start info
// (memory map, command line, RSDP) and the ACPI tables; the only fixed
// addresses are the PC's architectural ones (COM1 at port 0x3f8 and ISA
// IRQ 4, the 8259 and 8254 ports), each probed before use.
//
// Boot order (platform_main): the arch code has the kernel address space up
// and the start info copied; init() sets up the console, reads ACPI (MADT,
// FADT, MCFG, HPET, \_S5), masks the PIC, starts the local APIC and the
// I/O APIC, calibrates the TSC and starts the one-shot timer, and hands
// usable RAM (less the initramfs, PVH module 0) to the page allocator and
// builds the user platform, and reads the CMOS real-time clock for the wall
// clock. Kernel::run then calls attach_devices,
// which hooks interrupts to the loop and, with mote.test=all, starts the
// self-tests.
#pragma once

#include "arch/arch.hpp"
#include "arch/x86_64/x86.hpp"
#include "firmware/acpi.hpp"
#include "boot/machine.hpp"
#include "core/tick_clock.hpp"
#include "dev/uart/uart.hpp"
#include "mm/page_allocator.hpp"
#include "platform/bare_metal/crash.hpp"
#include "platform/bare_metal/epitaph_region.hpp"
#include "platform/bare_metal/memory_map.hpp"
#include "base/config.hpp"
#include "platform/bare_metal/user_mode.hpp"

namespace mote {

class PvhMachine final : public Machine {
public:
    Result<void> init();

    // LoopHost
    Nanoseconds now() override;
    void wait(Loop& loop, Nanoseconds deadline) override;

    // Machine
    StringView name() const override { return m_name.view(); }
    StringView command_line() const override { return x86::boot_info().command_line_view(); }
    Console& console() override { return *m_uart; }
    void attach_devices(Kernel& kernel) override;
    PageAllocator* pages() override { return &m_pages; }
    UserPlatform* user_platform() override { return reinterpret_cast<BareMetalUserMode*>(m_user_mode_storage); }
    ReadonlyBytes initramfs() const override { return m_initramfs; }
    Result<void> describe(MachineReport report, MachineLineSink sink, void* context) override;
    bool recovers_from_hang(bool interrupts_off) const override;
    void disable_interrupts_on_request() override { Arch::disable_interrupts(); }
    EpitaphRecord* live_epitaph() override { return epitaph_live(); }
    void set_epitaph_copy(EpitaphWriter writer, void* context) override { crash_set_dump(writer, context); }

    // Interrupt context (platform_interrupt).
    void on_interrupt();

    const MemoryMap& memory_map() const { return m_memory; }
    IrqController& irq_controller() { return x86::io_apic(); }
    Uart& uart() { return *m_uart; }
    const acpi::Tables& acpi_tables() const { return m_acpi; }
    bool has_mcfg() const { return m_mcfg.count > 0; }
    const acpi::Mcfg& mcfg() const { return m_mcfg; }
    const acpi::Madt& madt() const { return m_madt; }
    // The GSI (and how it is wired) of ISA IRQ `irq`.
    acpi::Madt::Override isa_irq(u8 irq) const { return m_madt.isa_irq(irq); }

private:
    Result<void> init_console();
    Result<void> init_acpi();
    Result<void> init_interrupts();
    Result<void> init_timer();
    Result<void> init_memory();
    void init_wall_clock();
    void find_initramfs();
    void write_layout(MachineLineSink sink, void* context);
    void write_memory(MachineLineSink sink, void* context);
    void write_devices(MachineLineSink sink, void* context);
    void dump_acpi();

    FixedString<64> m_name;
    const char* m_clock_source = "";
    const char* m_timer_mode = "";
    TickClock m_clock;

    Uart* m_uart = nullptr;
    u32 m_uart_irq = 0;  // a GSI
    Loop* m_loop = nullptr;

    acpi::Tables m_acpi;
    bool m_acpi_ok = false;
    acpi::Madt m_madt;
    acpi::Mcfg m_mcfg;
    acpi::Fadt m_fadt;
    bool m_has_fadt = false;
    acpi::HpetInfo m_hpet;
    acpi::PowerControl m_power;
    const char* m_s5_source = "";
    bool m_cmos_rtc_used = false;  // the wall clock came from it

    MemoryMap m_memory;
    PageAllocator m_pages;
    ReadonlyBytes m_initramfs;
    // Built once the page allocator is (init_memory).
    alignas(BareMetalUserMode) u8 m_user_mode_storage[sizeof(BareMetalUserMode)];
};

PvhMachine& pvh_machine();

}  // namespace mote
