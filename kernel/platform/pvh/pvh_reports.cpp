// The PVH machine's answers to `layout`, `mem` and `devices`.
#include "arch/arch.hpp"
#include "base/config.hpp"
#include "platform/pvh/pvh_machine.hpp"
#if MOTE_HAVE_DRIVERS
#include "platform/pvh/pvh_pci.hpp"
#include "platform/bare_metal/bare_metal_virtio.hpp"
#endif
#include "platform/bare_metal/machine_report.hpp"

namespace mote {

namespace {

const char* e820_name(u32 type) {
    switch (x86::E820Type(type)) {
    case x86::E820Type::Ram: return "RAM";
    case x86::E820Type::Reserved: return "reserved";
    case x86::E820Type::AcpiReclaimable: return "ACPI data";
    case x86::E820Type::AcpiNvs: return "ACPI NVS";
    case x86::E820Type::Unusable: return "unusable";
    case x86::E820Type::Persistent: return "persistent";
    }
    return "unknown";
}

}  // namespace

Result<void> PvhMachine::describe(MachineReport report, MachineLineSink sink, void* context) {
    switch (report) {
    case MachineReport::Layout: write_layout(sink, context); return {};
    case MachineReport::BootLayout: {
        ReportOut out {sink, context};
        write_boot_layout(out, m_memory, x86::has_nx() ? "rw-" : "rwx");
        return {};
    }
    case MachineReport::Memory: write_memory(sink, context); return {};
    case MachineReport::Devices: write_devices(sink, context); return {};
    }
    return Error::Unsupported;
}

void PvhMachine::write_layout(MachineLineSink sink, void* context) {
    ReportOut out {sink, context};
    const arch::BootLayout& l = Arch::boot_layout();
    write_virtual_layout(out, m_memory, x86::has_nx() ? "rw- (RAM)" : "rwx (RAM; this CPU has no NX)");
    out.line("physical (PVH memory map, start info at {:#x}):", l.dtb_phys);
    const x86::BootInfo& info = x86::boot_info();
    for (usize i = 0; i < info.memmap_count; ++i) {
        const x86::E820Entry& e = info.memmap[i];
        write_region(out, e820_name(e.type), uptr(e.base), uptr(e.base + e.size), "");
    }
    write_reserved_and_usable(out, m_memory);
    if (m_memory.dropped() || info.memmap_dropped)
        out.line("  ({} ranges did not fit the tables and were left out)", m_memory.dropped() + info.memmap_dropped);
}

void PvhMachine::write_memory(MachineLineSink sink, void* context) { write_memory_summary(m_memory, m_pages, sink, context); }

void PvhMachine::write_devices(MachineLineSink sink, void* context) {
    ReportOut out {sink, context};
    // name, what, where, irq, driver: the same columns as on virt.
    if (m_uart && m_uart->tx_dropped())
        out.line("{:<28} {:<24} {:#012x} irq {:<4} ns16550a (console), {} bytes dropped", "COM1", "ns16550a", 0x3f8,
                 m_uart_irq, m_uart->tx_dropped());
    else
        out.line("{:<28} {:<24} {:#012x} irq {:<4} {}", "COM1", "ns16550a", 0x3f8, m_uart_irq, "ns16550a (console)");
    out.line("{:<28} {:<24} {:#012x} {:<8} {}", "local-apic", "x86 local APIC", m_madt.local_apic, "",
             "local APIC (timer, EOI)");
    for (usize i = 0; i < m_madt.io_apic_count; ++i) {
        const acpi::Madt::IoApic& a = m_madt.io_apics[i];
        bool ours = x86::io_apic().serves_chip_at(a.address);
        FixedString<32> name;
        name.appendf("io-apic@{}", a.id);
        out.line("{:<28} {:<24} {:#012x} {:<8} {}", name.view(), "x86 I/O APIC", a.address, "",
                 ours ? "I/O APIC" : "no driver");
    }
    if (m_fadt.pm_timer.present())
        out.line("{:<28} {:<24} {:#012x} {:<8} {}", "pm-timer", "ACPI PM timer", m_fadt.pm_timer.address, "",
                 StringView(m_clock_source) == "ACPI PM timer" ? "TSC calibration" : "no driver");
    if (m_hpet.base)
        out.line("{:<28} {:<24} {:#012x} {:<8} {}", "hpet", "HPET", m_hpet.base, "",
                 StringView(m_clock_source) == "HPET" ? "TSC calibration" : "no driver");
    for (usize i = 0; i < m_mcfg.count; ++i) {
        FixedString<32> name;
        name.appendf("pci-ecam@{}", m_mcfg.regions[i].segment);
        out.line("{:<28} {:<24} {:#012x} {:<8} buses {}..{}", name.view(), "PCI ECAM (MCFG)", m_mcfg.regions[i].base,
                 "", m_mcfg.regions[i].bus_start, m_mcfg.regions[i].bus_end);
    }
#if MOTE_HAVE_DRIVERS
    if (pvh_pci_uses_ports())
        out.line("{:<28} {:<24} {:#012x} {:<8} bus 0 (no MCFG)", "pci-config-ports", "PCI config mechanism #1",
                 0xcf8, "");
#endif
    // The CMOS RTC, unless the FADT says there is none (IAPC_BOOT_ARCH bit 5).
    if (m_fadt.has_cmos_rtc())
        out.line("{:<28} {:<24} {:#012x} irq {:<4} {}", "rtc", "mc146818 CMOS RTC", 0x70, m_madt.isa_irq(8).gsi,
                 m_cmos_rtc_used ? "cmos-rtc (wall clock)" : "no driver (no usable reading)");
    out.line("acpi tables (RSDP rev {}, {}):", m_acpi.rsdp().revision, m_acpi.uses_xsdt() ? "XSDT" : "RSDT");
    for (const acpi::Table& t : m_acpi.tables())
        out.line("  {} at {:#x}, {} bytes, revision {}", t.signature, t.phys, t.bytes.size(), t.revision);
    for (const acpi::Skipped& s : m_acpi.skipped())
        out.line("  {} at {:#x} skipped: {}", s.signature, s.phys, acpi::acpi_fault_name(s.fault));
    out.line("power off: {} (S5 from {}), reset: {}",
             m_power.sleep_control.present()   ? "ACPI sleep control register"
             : m_power.pm1a_control.present() ? "ACPI PM1a control"
                                               : "none",
             m_s5_source, m_power.reset_register.present() ? "ACPI reset register" : "8042 / triple fault");
#if MOTE_HAVE_DRIVERS
    write_virtio_devices(sink, context);
#endif
}

}  // namespace mote
