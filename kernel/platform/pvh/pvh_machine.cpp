#include "platform/pvh/pvh_machine.hpp"

#include "arch/idle.hpp"
#include "boot/kernel.hpp"
#include "core/log.hpp"
#include "core/wall_clock.hpp"
#include "dev/rtc/cmos_rtc.hpp"
#include "dev/uart/ns16550a.hpp"
#include "platform/bare_metal/crash.hpp"
#include "platform/bare_metal/epitaph_region.hpp"
#include "platform/bare_metal/irq_claim.hpp"
#include "platform/bare_metal/kernel_watchdog.hpp"
#include "platform/bare_metal/machine_main.hpp"
#include "platform/pvh/pvh_virtio.hpp"
#if MOTE_HAVE_DRIVERS
#include "platform/pvh/pvh_pci.hpp"
#endif
#include "platform/bare_metal/selftest.hpp"

namespace mote {

namespace {

// The console driver is built in place at boot: as a constant-initialised
// global its vtable pointer would put its whole 4 KiB ring in .data.
alignas(Ns16550a) u8 g_uart_storage[sizeof(Ns16550a)];
PvhMachine g_machine;

// The PC's first serial port (IBM PC/AT: COM1 at 0x3f8, ISA IRQ 4).
constexpr u16 kCom1 = 0x3f8;
constexpr u8 kCom1Irq = 4;
// The CMOS (RTC and NVRAM) index and data ports, the AT's.
constexpr u16 kCmosIndex = 0x70;
constexpr u16 kCmosData = 0x71;
// The legacy BIOS area: real-mode vectors, BIOS data, EBDA, option ROMs.
// Nothing of the firmware's is needed after boot, but nothing in it is
// worth the risk of handing out either.
constexpr u64 kLegacyArea = 0x100000;

class FirmwareMemory final : public acpi::Memory {
public:
    ReadonlyBytes read(u64 phys, usize length) override {
        auto mapped = x86::map_firmware(phys, length);
        if (mapped.is_error()) return {};
        return ReadonlyBytes(mapped.value(), length);
    }
};
FirmwareMemory g_firmware_memory;

// ACPI 5.2.5.1: without an RSDP address from the loader, search the first
// KiB of the EBDA (segment at 0x40e) and then 0xe0000..0xfffff.
u64 find_rsdp() {
    if (u64 rsdp = x86::boot_info().rsdp_phys) return rsdp;
    ReadonlyBytes ebda_segment = g_firmware_memory.read(0x40e, 2);
    if (ebda_segment.size() == 2) {
        u64 ebda = u64(ebda_segment[0] | ebda_segment[1] << 8) << 4;
        if (ebda >= 0x80000 && ebda < 0xa0000) {
            ReadonlyBytes area = g_firmware_memory.read(ebda, 1024);
            if (auto at = acpi::scan_for_rsdp(area); at.ok()) return ebda + at.value();
        }
    }
    ReadonlyBytes bios = g_firmware_memory.read(0xe0000, 0x20000);
    if (auto at = acpi::scan_for_rsdp(bios); at.ok()) return 0xe0000 + at.value();
    return 0;
}

}  // namespace

PvhMachine& pvh_machine() { return g_machine; }

Result<void> PvhMachine::init() {
    // The clock exists only once the TSC is calibrated (init_timer), so the
    // steps before it are read off the counter and marked afterwards.
    u64 ends[4];
    ends[0] = Arch::counter();
    TRY(init_console());
    crash_configure(m_uart, crash_action_from(command_line()), [] { return g_machine.now(); });
    ends[1] = Arch::counter();
    TRY(init_acpi());
    ends[2] = Arch::counter();
    TRY(init_interrupts());
    ends[3] = Arch::counter();
    TRY(init_timer());
    // The TSC starts at zero when QEMU (TCG or KVM) starts the machine, so
    // its count at kernel entry is the firmware's and loader's time.
    BootTimeline& timeline = boot_timeline();
    timeline.set_before_kernel(m_clock.ticks_to_ns(Arch::boot_layout().entry_counter));
    const StringView names[4] = {"early", "console", "acpi", "interrupts"};
    for (usize i = 0; i < 4; ++i) timeline.mark(names[i], m_clock.to_ns(ends[i]));
    timeline.mark("timer", now());
    TRY(init_memory());
    epitaph_open(Arch::boot_layout().direct_map_offset);
    timeline.mark("memory", now());
    init_wall_clock();
    return {};
}

Result<void> PvhMachine::init_console() {
    auto* uart = new (g_uart_storage) Ns16550a();
    TRY(uart->init_ports(kCom1, {[](u16 port) { return x86::inb(port); }, [](u16 port, u8 v) { x86::outb(port, v); }}));
    m_uart = uart;
    return {};
}

Result<void> PvhMachine::init_acpi() {
    u64 rsdp = find_rsdp();
    acpi::AcpiFault fault = acpi::AcpiFault::None;
    if (auto r = m_acpi.load(g_firmware_memory, rsdp, &fault); r.is_error()) {
        FixedString<120> why;
        why.appendf("mote: no usable ACPI tables (RSDP at {:#x}: {})\n", rsdp, acpi::acpi_fault_name(fault));
        m_uart->write_polled(why.view());
        return r;
    }
    m_acpi_ok = true;
    auto apic = m_acpi.find("APIC");
    if (apic.is_error()) return Error::NotFound;
    m_madt = TRY(acpi::parse_madt(apic.value()));
    if (m_madt.io_apic_count == 0 || m_madt.local_apic == 0) return Error::NotFound;

    if (auto facp = m_acpi.find("FACP"); facp.ok()) {
        if (auto fadt = acpi::parse_fadt(facp.value()); fadt.ok()) {
            m_fadt = fadt.value();
            m_has_fadt = true;
        }
    }
    Result<acpi::SleepType> s5 = Error::NotFound;
    if (auto dsdt = m_acpi.find("DSDT"); dsdt.ok()) {
        auto found = acpi::find_s5(dsdt.value());
        if (found.ok()) {
            s5.~Result();
            new (&s5) Result<acpi::SleepType>(found.value());
            m_s5_source = "DSDT \\_S5";
        }
    }
    if (s5.is_error() && m_fadt.hardware_reduced && m_fadt.sleep_control.present()) {
        // QEMU's ACPI generic event device (microvm) powers off on sleep
        // type 5 (hw/acpi/generic_event_device.c, ACPI_GED_SLP_TYP_S5) and
        // its DSDT may not name \_S5.
        s5.~Result();
        new (&s5) Result<acpi::SleepType>(acpi::SleepType {5, 5});
        m_s5_source = "QEMU GED default (no \\_S5 in the DSDT)";
    }
    m_power = acpi::power_control(m_fadt, s5);
    x86::configure_power(m_power);

    if (auto mcfg = m_acpi.find("MCFG"); mcfg.ok()) m_mcfg = acpi::parse_mcfg(mcfg.value()).value_or(acpi::Mcfg {});
    if (auto hpet = m_acpi.find("HPET"); hpet.ok()) m_hpet = acpi::parse_hpet(hpet.value()).value_or(acpi::HpetInfo {});

    // A guess from the tables, for the boot line only: microvm is hardware
    // reduced, q35 has an MCFG, i440fx (`-M pc`) neither.
    const char* machine = m_fadt.hardware_reduced ? "microvm" : has_mcfg() ? "q35" : "pc";
    m_name.appendf("QEMU {} (x86_64, PVH, ACPI {} {})", machine, m_acpi.rsdp().oem_id,
                   m_acpi.uses_xsdt() ? "XSDT" : "RSDT");
    return {};
}

Result<void> PvhMachine::init_interrupts() {
    x86::mask_legacy_pic();
    TRY(x86::init_local_apic(m_madt.local_apic));
    // Every I/O APIC the MADT lists (microvm has a second one for its
    // virtio-mmio slots); the one serving GSI 0 has the ISA interrupts.
    for (usize i = 0; i < m_madt.io_apic_count; ++i) {
        const acpi::Madt::IoApic& a = m_madt.io_apics[i];
        if (auto r = x86::io_apic().add_chip(a.address, a.gsi_base, x86::lapic_id()); r.is_error() && a.gsi_base == 0)
            return r;
    }
    if (!x86::io_apic().serves(0)) return Error::NotFound;
    // ISA interrupts are edge-triggered and active high unless the MADT
    // overrides them (5.2.12.5, MPS INTI flags: 00 = conforms to the bus).
    for (u8 irq = 0; irq < 16; ++irq) {
        acpi::Madt::Override o = m_madt.isa_irq(irq);
        x86::io_apic().configure(o.gsi, o.level(), o.active_low());
    }
    m_uart_irq = m_madt.isa_irq(kCom1Irq).gsi;
    if (m_uart_irq >= kMaxIrqSources) return Error::OutOfRange;
    return {};
}

Result<void> PvhMachine::init_timer() {
    x86::TimeReferences refs;
    if (m_fadt.pm_timer.present() && m_fadt.pm_timer.space == acpi::Gas::Io) {
        refs.pm_timer_port = u16(m_fadt.pm_timer.address);
        refs.pm_timer_32bit = m_fadt.pm_timer_32bit;
    }
    refs.hpet_phys = m_hpet.base;
    auto calibration = x86::calibrate_tsc(refs);
    if (calibration.is_error()) {
        m_uart->write_polled("mote: no clock to measure the TSC against (PM timer, HPET, PIT all absent)\n");
        return calibration.error();
    }
    m_clock_source = calibration.value().source;
    // Time zero is kernel entry, as on virt (BootTimeline).
    m_clock.start(calibration.value().hz, Arch::boot_layout().entry_counter);
    m_timer_mode = TRY(x86::start_timer(m_clock.frequency()));
    return {};
}

void PvhMachine::init_wall_clock() {
    MonotonicClock clock = [] { return g_machine.now(); };
    // ACPI 5.0 lets a PC say it has no CMOS clock (microvm with rtc=off
    // need not: the ports then read as all ones, which the reader checks).
    if (!m_fadt.has_cmos_rtc()) {
        wall_clock_set_unknown(clock, "the FADT says there is no CMOS RTC");
        return;
    }
    CmosRtc rtc(
        [](void*, u8 index) {
            x86::outb(kCmosIndex, index);
            return x86::inb(kCmosData);
        },
        nullptr, m_fadt.century);
    RtcFault fault = RtcFault::None;
    auto seconds = rtc.read(&fault);
    Nanoseconds read_at = now();
    if (seconds.is_error()) {
        FixedString<64> why;
        why.appendf("CMOS RTC rejected: {}", rtc_fault_name(fault));
        wall_clock_set_unknown(clock, why.view());
        return;
    }
    m_cmos_rtc_used = true;
    wall_clock_set(clock, seconds.value() * i64(kSecond), read_at, "cmos-rtc");
}

Result<void> PvhMachine::init_memory() {
    const arch::BootLayout& layout = Arch::boot_layout();
    const x86::BootInfo& info = x86::boot_info();
    for (usize i = 0; i < info.memmap_count; ++i)
        if (info.memmap[i].type == u32(x86::E820Type::Ram)) m_memory.add_ram({info.memmap[i].base, info.memmap[i].size});
    m_memory.reserve({0, kLegacyArea}, "legacy BIOS area (IVT, BDA, EBDA, ROMs)");
    m_memory.reserve({layout.kernel_phys, layout.kernel_phys_end - layout.kernel_phys},
                     "kernel image (text, data, bss, stack, page tables)");
    // The ACPI tables stay readable for as long as the kernel runs.
    for (const acpi::Table& t : m_acpi.tables()) m_memory.reserve({t.phys, t.bytes.size()}, "ACPI table", t.signature);
    find_initramfs();
    if (!epitaph_reserve(m_memory, layout.kernel_phys_end))
        log_warn("pvh", "no page past the kernel image for the epitaph; this boot keeps none");
    m_memory.compute_usable();
    TRY(m_pages.initialize(m_memory.usable(), layout.direct_map_offset));
    new (m_user_mode_storage) BareMetalUserMode(m_pages, m_clock);
    return {};
}

void PvhMachine::find_initramfs() {
    // QEMU's -initrd arrives as PVH module 0 (start_info.cpp decoded the
    // entry). Untrusted like the rest of the start info: it must lie inside
    // RAM, and is reserved before the allocator sees RAM.
    const x86::BootInfo& info = x86::boot_info();
    if (!info.has_initramfs) {
        if (info.module_count > 0) log_warn("pvh", "PVH module 0 is empty or wraps; no initramfs");
        return;
    }
    PhysRange range {info.initramfs_phys, info.initramfs_size};
    bool in_ram = false;
    for (const PhysRange& ram : m_memory.ram())
        in_ram |= range.base >= ram.base && range.size <= ram.size && range.base - ram.base <= ram.size - range.size;
    if (!in_ram) {
        log_warn("pvh", "initramfs at {:#x}+{} is not in RAM; ignored", range.base, range.size);
        return;
    }
    m_memory.reserve(range, "initramfs");
    m_initramfs = ReadonlyBytes(reinterpret_cast<const u8*>(range.base + Arch::boot_layout().direct_map_offset),
                                range.size);
}

Nanoseconds PvhMachine::now() { return m_clock.to_ns(Arch::counter()); }

void PvhMachine::wait(Loop& loop, Nanoseconds deadline) {
    arch_idle(loop, m_clock, deadline);
    kernel_watchdog_after_wait();
}

void PvhMachine::on_interrupt() {
    const bool any = claim_and_post(x86::io_apic(), m_loop, [](u32) { return false; });
    if (!any) {
        ++arch::trap_stats().spurious_interrupts;
        x86::lapic_eoi();
    }
}

void PvhMachine::attach_devices(Kernel& kernel) {
    m_loop = &kernel.loop();
    kernel.loop().set_irq_handler(
        m_uart_irq,
        [](void* context, u32 source) {
            auto* self = static_cast<PvhMachine*>(context);
            self->m_uart->on_interrupt();
            x86::io_apic().unmask(source);
        },
        this);
    if (auto r = x86::io_apic().enable(m_uart_irq); r.is_error())
        log_error("pvh", "cannot enable the console interrupt {}: {}", m_uart_irq, r.error());
    Arch::enable_interrupts();
    // Input that arrived before the interrupt was enabled is read at once.
    kernel.loop().post_irq(m_uart_irq);

    log_info("pvh", "TSC {} Hz (measured by {}), timer {}, console {} port {:#x} gsi {} via {}", m_clock.frequency(),
             m_clock_source, m_timer_mode, m_uart->model(), kCom1, m_uart_irq, x86::io_apic().name());
    log_info("acpi", "RSDP rev {} ({}), {} tables via the {}, {} skipped", m_acpi.rsdp().revision, m_acpi.rsdp().oem_id,
             m_acpi.tables().size(), m_acpi.uses_xsdt() ? "XSDT" : "RSDT", m_acpi.skipped_total());
    for (const acpi::Skipped& s : m_acpi.skipped())
        log_warn("acpi", "table {} at {:#x} skipped: {}", s.signature, s.phys, acpi::acpi_fault_name(s.fault));
    log_info("acpi", "MADT: local APIC {:#x}, {} CPU(s), {} I/O APIC(s), {} overrides; power off: {}", m_madt.local_apic,
             m_madt.cpu_count, m_madt.io_apic_count, m_madt.override_count,
             m_power.sleep_control.present()   ? "sleep control register"
             : m_power.pm1a_control.present() ? "PM1a control"
                                               : "none");
    const x86::UserModeFeatures& user = x86::user_mode_features();
    log_info("pvh", "user mode: SYSCALL, PCID {}{}, SMEP {}, SMAP {}, UMIP {}, FPU/SSE per thread", user.pcid ? "on" : "off",
             user.pcid ? (user.invpcid ? " with INVPCID" : " without INVPCID") : "", user.smep ? "on" : "off",
             user.smap ? "on" : "off", user.umip ? "on" : "off");
    (void)describe(MachineReport::BootLayout, [](StringView line, void*) { log_info("layout", "{}", line); }, nullptr);
    kernel_watchdog_start(kernel.loop(), m_clock, kernel_watchdog_bound(command_line()));

#if MOTE_HAVE_DRIVERS
    attach_pvh_virtio(kernel, *this);
#endif

    StringView dump;
    if (kernel.boot_args().get("mote.acpidump", dump) && dump == "1") dump_acpi();

    StringView test;
    if (kernel.boot_args().get("mote.test", test)) start_selftest(kernel, m_pages, *m_uart, x86::io_apic(), m_uart_irq, test);
}

// mote.acpidump=1: every table (and the RSDP) as hex lines on the console,
// "ACPIDUMP <signature> <phys> <offset> <hex>", which tests/data/acpi/
// README.md turns back into files for the host tests.
void PvhMachine::dump_acpi() {
    auto dump = [&](StringView signature, u64 phys, ReadonlyBytes bytes) {
        for (usize at = 0; at < bytes.size(); at += 48) {
            FixedString<160> line;
            line.appendf("ACPIDUMP {} {:#x} {:#x} ", signature, phys, at);
            for (usize i = at; i < bytes.size() && i < at + 48; ++i) line.appendf("{:02x}", bytes[i]);
            line.append("\n");
            m_uart->write(line.view());
        }
    };
    u64 rsdp = find_rsdp();
    dump("RSDP", rsdp, g_firmware_memory.read(rsdp, m_acpi.rsdp().revision >= 2 ? 36 : 20));
    for (const acpi::Table& t : m_acpi.tables()) dump(t.signature, t.phys, t.bytes);
}

bool PvhMachine::recovers_from_hang(bool interrupts_off) const {
    if (!kernel_watchdog_enabled()) return false;
    // With interrupts off only a watchdog device resets the machine.
#if MOTE_HAVE_DRIVERS
    if (interrupts_off) return pvh_watchdog_device_running();
#endif
    return !interrupts_off;
}

void platform_interrupt(const Arch::TrapFrame&, bool) { g_machine.on_interrupt(); }

void platform_main(u64) { run_machine(g_machine, g_machine.init(), "PVH"); }

}  // namespace mote
