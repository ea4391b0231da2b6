// The QEMU `virt` machine (riscv64 and aarch64): everything is discovered
// from the devicetree the firmware passes; nothing here knows an address.
//
// Boot order (platform_main): the arch code has the MMU on and RAM in the
// direct map; init() parses the devicetree, starts the CPU timer, finds the
// console UART (stdout-path) and its interrupt controller, and hands usable
// RAM to the page allocator, then reads the real-time clock the tree names
// (Goldfish RTC or PL031) for the wall clock. Kernel::run then calls attach_devices, which
// hooks interrupts to the loop and, with mote.test=all, starts the
// self-tests.
#pragma once

#include "arch/arch.hpp"
#include "boot/machine.hpp"
#include "core/tick_clock.hpp"
#include "dev/uart/uart.hpp"
#include "mm/page_allocator.hpp"
#include "platform/bare_metal/kernel_watchdog.hpp"
#include "platform/bare_metal/crash.hpp"
#include "platform/bare_metal/epitaph_region.hpp"
#include "platform/bare_metal/memory_map.hpp"
#include "base/config.hpp"
#include "platform/bare_metal/user_mode.hpp"

namespace mote {

class VirtMachine final : public Machine {
public:
    Result<void> init(u64 dtb_phys);

    // LoopHost
    Nanoseconds now() override;
    void wait(Loop& loop, Nanoseconds deadline) override;

    // Machine
    StringView name() const override { return m_name.view(); }
    StringView command_line() const override { return m_command_line; }
    Console& console() override { return *m_uart; }
    void attach_devices(Kernel& kernel) override;
    PageAllocator* pages() override { return &m_pages; }
    UserPlatform* user_platform() override { return reinterpret_cast<BareMetalUserMode*>(m_user_mode_storage); }
    ReadonlyBytes initramfs() const override { return m_initramfs; }
    Result<void> describe(MachineReport report, MachineLineSink sink, void* context) override;
    // QEMU virt has no watchdog device: only the kernel watchdog, which
    // needs interrupts.
    bool recovers_from_hang(bool interrupts_off) const override {
        return !interrupts_off && kernel_watchdog_enabled();
    }
    void disable_interrupts_on_request() override { Arch::disable_interrupts(); }
    EpitaphRecord* live_epitaph() override { return epitaph_live(); }
    void set_epitaph_copy(EpitaphWriter writer, void* context) override { crash_set_dump(writer, context); }

    // Interrupt context (platform_interrupt).
    void on_interrupt(const Arch::TrapFrame& frame, bool from_user);

    const fdt::Fdt& devicetree() const { return *reinterpret_cast<const fdt::Fdt*>(m_fdt_storage); }
    const MemoryMap& memory_map() const { return m_memory; }
    IrqController& irq_controller() { return *m_irq; }
    Uart& uart() { return *m_uart; }
    u32 uart_irq() const { return m_uart_irq; }
    u64 counter_frequency() const { return m_clock.frequency(); }

    // Driver bindings for `devices`: a node's offset and what drives it.
    void bind(fdt::Node node, StringView driver);
    StringView driver_of(fdt::Node node) const;

private:
    Result<void> init_console();
    Result<void> init_memory();
    void init_wall_clock();
    void find_initramfs();
    void write_layout(MachineLineSink sink, void* context);
    void write_memory(MachineLineSink sink, void* context);
    void write_devices(MachineLineSink sink, void* context);

    alignas(fdt::Fdt) u8 m_fdt_storage[sizeof(fdt::Fdt)];
    FixedString<64> m_name;
    StringView m_command_line;
    u64 m_dtb_phys = 0;
    TickClock m_clock;

    Uart* m_uart = nullptr;
    u32 m_uart_irq = 0;
    u32 m_timer_irq = IrqController::kNone;  // the CPU timer, if it comes through the controller
    IrqController* m_irq = nullptr;
    Loop* m_loop = nullptr;

    MemoryMap m_memory;
    PageAllocator m_pages;
    ReadonlyBytes m_initramfs;
    // Built once the page allocator is (init_memory).
    alignas(BareMetalUserMode) u8 m_user_mode_storage[sizeof(BareMetalUserMode)];

    struct Binding {
        u32 offset;
        StringView driver;
    };
    static constexpr usize kMaxBindings = 48;
    Binding m_bindings[kMaxBindings];
    usize m_binding_count = 0;
};

VirtMachine& virt_machine();

}  // namespace mote
