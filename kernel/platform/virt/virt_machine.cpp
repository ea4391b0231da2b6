#include "platform/virt/virt_machine.hpp"

#include "arch/idle.hpp"
#include "base/config.hpp"
#include "boot/kernel.hpp"
#include "core/log.hpp"
#include "core/wall_clock.hpp"
#include "dev/rtc/devicetree_rtc.hpp"
#include "dev/uart/ns16550a.hpp"
#include "dev/uart/pl011.hpp"
#include "platform/bare_metal/crash.hpp"
#include "platform/bare_metal/epitaph_region.hpp"
#include "platform/bare_metal/irq_claim.hpp"
#include "platform/bare_metal/kernel_watchdog.hpp"
#include "platform/bare_metal/machine_main.hpp"
#include "platform/bare_metal/selftest.hpp"
#if MOTE_HAVE_DRIVERS
#include "platform/virt/virt_virtio.hpp"
#endif

namespace mote {

namespace {
// The console driver is built in place at boot: as a constant-initialised
// global its vtable pointer would put its whole 4 KiB ring in .data, i.e. in
// the image file.
alignas(Ns16550a) u8 g_ns16550a_storage[sizeof(Ns16550a)];
alignas(Pl011) u8 g_pl011_storage[sizeof(Pl011)];

bool is_console_uart(const fdt::Node& node) { return node.is_compatible("ns16550a") || node.is_compatible("arm,pl011"); }
VirtMachine g_machine;
}  // namespace

VirtMachine& virt_machine() { return g_machine; }

Result<void> VirtMachine::init(u64 dtb_phys) {
    const u64 platform_start = Arch::counter();
    const arch::BootLayout& layout = Arch::boot_layout();
    m_dtb_phys = dtb_phys;
    const u8* blob = reinterpret_cast<const u8*>(dtb_phys + layout.direct_map_offset);
    u32 size = TRY(fdt::Fdt::peek_total_size(ReadonlyBytes(blob, fdt::kHeaderSize)));
    new (m_fdt_storage) fdt::Fdt(TRY(fdt::Fdt::parse(ReadonlyBytes(blob, size))));
    const fdt::Fdt& fdt = devicetree();

    u64 frequency = TRY(Arch::init(fdt));
    // Time zero is kernel entry. QEMU virt's counters (riscv `time`, the arm
    // virtual counter) start at zero at machine reset, so the count at entry
    // is how long the firmware ran.
    m_clock.start(frequency, layout.entry_counter);
    BootTimeline& timeline = boot_timeline();
    timeline.set_before_kernel(m_clock.ticks_to_ns(layout.entry_counter));
    timeline.mark("early", m_clock.to_ns(platform_start));
    timeline.mark("devicetree", now());

    m_command_line = fdt.bootargs().value_or("");
    auto model = fdt.root().property("model");
    m_name.appendf("QEMU virt ({}, {})", Arch::kName,
                   model.ok() ? model.value().as_string().value_or("?") : StringView("?"));

    TRY(init_console());
    crash_configure(m_uart, crash_action_from(m_command_line), [] { return g_machine.now(); });
    timeline.mark("console", now());
    TRY(init_memory());
    epitaph_open(layout.direct_map_offset);
    timeline.mark("memory", now());
    init_wall_clock();
    return {};
}

Result<void> VirtMachine::init_console() {
    const fdt::Fdt& fdt = devicetree();
    // /chosen/stdout-path names the console (devicetree spec 3.6); without
    // it, the first UART we can drive.
    auto find_console = [&]() -> Result<fdt::Node> {
        auto chosen = fdt.stdout_node();
        if (chosen.ok() && is_console_uart(chosen.value())) return chosen.value();
        Result<fdt::Node> found = Error::NotFound;
        fdt.for_each_node([&](fdt::Node n) {
            if (!n.is_enabled() || !is_console_uart(n)) return true;
            found.~Result();
            new (&found) Result<fdt::Node>(n);  // Result has no assignment; Node is trivial
            return false;
        });
        return found;
    };
    fdt::Node uart = TRY(find_console());
    fdt::Reg reg = TRY(uart.reg(0));
    volatile u8* base = TRY(Arch::map_device(reg.base, reg.size));
    auto number = [&](StringView property, u32 fallback) {
        auto p = uart.property(property);
        return p.ok() ? p.value().as_u32().value_or(fallback) : fallback;
    };
    if (uart.is_compatible("arm,pl011")) {
        auto* driver = new (g_pl011_storage) Pl011();
        TRY(driver->init(base));
        m_uart = driver;
        bind(uart, "pl011 (console)");
    } else {
        auto* driver = new (g_ns16550a_storage) Ns16550a();
        TRY(driver->init(base, number("reg-shift", 0), number("reg-io-width", 1)));
        m_uart = driver;
        bind(uart, "ns16550a (console)");
    }

    // The UART's interrupt, through whichever controller the tree says.
    fdt::Interrupt irq = TRY(uart.interrupt(0));
    m_irq = TRY(Arch::irq_controller(fdt, irq.controller));
    bind(irq.controller, m_irq->name());
    m_uart_irq = TRY(m_irq->decode(irq.cells, irq.cell_count));
    if (m_uart_irq >= kMaxIrqSources) return Error::OutOfRange;

    // The arm generic timer's PPI goes through the same controller.
    auto timer = Arch::timer_interrupt(fdt);
    if (timer.ok() && timer.value().controller == irq.controller) {
        m_timer_irq = TRY(m_irq->decode(timer.value().cells, timer.value().cell_count));
        TRY(m_irq->enable(m_timer_irq));
    }
    return {};
}

Result<void> VirtMachine::init_memory() {
    const arch::BootLayout& layout = Arch::boot_layout();
    m_memory.read_devicetree(devicetree(), m_dtb_phys);
    m_memory.reserve({layout.kernel_phys, layout.kernel_phys_end - layout.kernel_phys},
                     "kernel image (text, data, bss, stack, page tables)");
    // RAM below the image holds the SBI firmware on riscv64 (the image is
    // loaded 2 MiB into RAM to leave room for it). If the firmware did not
    // describe itself in /reserved-memory, keep that gap anyway.
    for (const PhysRange& ram : m_memory.ram()) {
        if (layout.kernel_phys <= ram.base || layout.kernel_phys > ram.base + ram.size) continue;
        bool described = false;
        for (const Reservation& r : m_memory.reservations())
            described |= r.range.base < layout.kernel_phys && r.range.base + r.range.size > ram.base &&
                         r.reason != StringView("kernel image (text, data, bss, stack, page tables)");
        if (!described) m_memory.reserve({ram.base, layout.kernel_phys - ram.base}, "below the kernel image (firmware)");
    }
    find_initramfs();
    if (!epitaph_reserve(m_memory, layout.kernel_phys_end))
        log_warn("virt", "no page past the kernel image for the epitaph; this boot keeps none");
    m_memory.compute_usable();
    TRY(m_pages.initialize(m_memory.usable(), layout.direct_map_offset));
    new (m_user_mode_storage) BareMetalUserMode(m_pages, m_clock);
    return {};
}

void VirtMachine::init_wall_clock() {
    MonotonicClock clock = [] { return g_machine.now(); };
    auto rtc = find_devicetree_rtc(devicetree());
    if (rtc.is_error()) {
        wall_clock_set_unknown(clock, rtc.error() == Error::NotFound ? "no goldfish-rtc or pl031 in the devicetree"
                                                                     : "the devicetree's RTC node is unusable");
        return;
    }
    const DevicetreeRtc& found = rtc.value();
    // Mapped like every other device's registers; only read once, at boot.
    auto base = Arch::map_device(found.reg.base, found.reg.size);
    if (base.is_error()) {
        log_warn("virt", "{}: cannot map registers: {}", found.node.name(), base.error());
        wall_clock_set_unknown(clock, "its registers cannot be mapped");
        return;
    }
    RtcFault fault = RtcFault::None;
    auto ns = read_devicetree_rtc(found, base.value(), &fault);
    Nanoseconds read_at = now();
    if (ns.is_error()) {
        FixedString<64> why;
        why.appendf("{} rejected: {}", found.name, rtc_fault_name(fault));
        wall_clock_set_unknown(clock, why.view());
        return;
    }
    bind(found.node, found.kind == RtcKind::Goldfish ? "goldfish-rtc (wall clock)" : "pl031 (wall clock)");
    wall_clock_set(clock, ns.value(), read_at, found.name);
}

void VirtMachine::find_initramfs() {
    // QEMU's -initrd: /chosen/linux,initrd-start and -end (physical, one or
    // two cells each). Untrusted like the rest of the tree: it must lie
    // inside RAM, and is reserved before the allocator sees RAM.
    auto chosen = devicetree().find_node("/chosen");
    if (chosen.is_error()) return;
    auto start = chosen.value().property("linux,initrd-start");
    auto end = chosen.value().property("linux,initrd-end");
    if (start.is_error() || end.is_error()) return;
    auto first = start.value().as_number();
    auto last = end.value().as_number();
    if (first.is_error() || last.is_error() || last.value() <= first.value()) {
        log_warn("virt", "/chosen names an initramfs that does not parse; ignored");
        return;
    }
    PhysRange range {first.value(), last.value() - first.value()};
    bool in_ram = false;
    for (const PhysRange& ram : m_memory.ram())
        in_ram |= range.base >= ram.base && range.base + range.size <= ram.base + ram.size;
    if (!in_ram) {
        log_warn("virt", "initramfs at {:#x}+{} is not in RAM; ignored", range.base, range.size);
        return;
    }
    m_memory.reserve(range, "initramfs");
    m_initramfs = ReadonlyBytes(reinterpret_cast<const u8*>(range.base + Arch::boot_layout().direct_map_offset),
                                range.size);
}

Nanoseconds VirtMachine::now() { return m_clock.to_ns(Arch::counter()); }

void VirtMachine::wait(Loop& loop, Nanoseconds deadline) {
    arch_idle(loop, m_clock, deadline);
    kernel_watchdog_after_wait();
}

void VirtMachine::on_interrupt(const Arch::TrapFrame& frame, bool from_user) {
    const bool any = claim_and_post(*m_irq, m_loop, [&](u32 source) {
        if (source != m_timer_irq) return false;
        // Like riscv's STIP: the timer only wakes the loop. Disarm it so the
        // level-triggered line drops; it is completed, never masked.
        ++arch::trap_stats().timer_interrupts;
        Arch::set_timer(kTimerNever);
        platform_timer_interrupt(frame, from_user);
        return true;
    });
    if (!any) ++arch::trap_stats().spurious_interrupts;
}

void VirtMachine::attach_devices(Kernel& kernel) {
    m_loop = &kernel.loop();
    kernel.loop().set_irq_handler(
        m_uart_irq,
        [](void* context, u32 source) {
            auto* self = static_cast<VirtMachine*>(context);
            self->m_uart->on_interrupt();
            self->m_irq->unmask(source);
        },
        this);
    if (auto r = m_irq->enable(m_uart_irq); r.is_error())
        log_error("virt", "cannot enable the console interrupt {}: {}", m_uart_irq, r.error());
    Arch::enable_interrupts();
    // Input that arrived before the interrupt was enabled is read at once.
    kernel.loop().post_irq(m_uart_irq);

    log_info("virt", "{} Hz counter, console {} irq {} via {}", m_clock.frequency(), m_uart->model(), m_uart_irq,
             m_irq->name());
    kernel_watchdog_start(kernel.loop(), m_clock, kernel_watchdog_bound(m_command_line));
    (void)describe(MachineReport::BootLayout, [](StringView line, void*) { log_info("layout", "{}", line); }, nullptr);

#if MOTE_HAVE_DRIVERS
    attach_virtio(kernel, *this);
#endif

    StringView test;
    if (kernel.boot_args().get("mote.test", test)) start_selftest(kernel, m_pages, *m_uart, *m_irq, m_uart_irq, test);
}

void VirtMachine::bind(fdt::Node node, StringView driver) {
    if (m_binding_count < kMaxBindings) m_bindings[m_binding_count++] = {node.offset(), driver};
}

StringView VirtMachine::driver_of(fdt::Node node) const {
    for (usize i = 0; i < m_binding_count; ++i)
        if (m_bindings[i].offset == node.offset()) return m_bindings[i].driver;
    return {};
}

void platform_interrupt(const Arch::TrapFrame& frame, bool from_user) { g_machine.on_interrupt(frame, from_user); }

void platform_main(u64 dtb_phys) { run_machine(g_machine, g_machine.init(dtb_phys), "virt"); }

}  // namespace mote
