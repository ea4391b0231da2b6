// The machine's answers to `layout`, `mem` and `devices`.
#include "arch/arch.hpp"
#include "base/config.hpp"
#if MOTE_HAVE_DRIVERS
#include "platform/bare_metal/bare_metal_virtio.hpp"
#endif
#include "platform/bare_metal/machine_report.hpp"
#include "platform/virt/virt_machine.hpp"

namespace mote {

Result<void> VirtMachine::describe(MachineReport report, MachineLineSink sink, void* context) {
    switch (report) {
    case MachineReport::Layout: write_layout(sink, context); return {};
    case MachineReport::BootLayout: {
        ReportOut out {sink, context};
        write_boot_layout(out, m_memory, "rw-");
        return {};
    }
    case MachineReport::Memory: write_memory(sink, context); return {};
    case MachineReport::Devices: write_devices(sink, context); return {};
    }
    return Error::Unsupported;
}

void VirtMachine::write_layout(MachineLineSink sink, void* context) {
    ReportOut out {sink, context};
    write_virtual_layout(out, m_memory, "rw- (RAM)");
    out.line("physical:");
    for (const PhysRange& r : m_memory.ram()) write_region(out, "RAM", r.base, r.base + r.size, "");
    write_reserved_and_usable(out, m_memory);
    if (m_memory.dropped()) out.line("  ({} ranges did not fit the tables and were left out)", m_memory.dropped());
}

void VirtMachine::write_memory(MachineLineSink sink, void* context) { write_memory_summary(m_memory, m_pages, sink, context); }

void VirtMachine::write_devices(MachineLineSink sink, void* context) {
    const fdt::Fdt& fdt = devicetree();
    fdt.for_each_node([&](const fdt::Node& node) {
        if (node.is_root()) return;
        auto compatible = node.property("compatible");
        if (compatible.is_error()) return;
        StringView first = compatible.value().as_strings().ok() ? compatible.value().as_strings().value().at(0).value_or("?")
                                                                 : StringView("?");
        FixedString<160> line;
        line.appendf("{:<28} {:<24}", node.name(), first);
        auto reg = node.reg(0);
        if (reg.ok()) line.appendf(" {:#012x}", reg.value().base);
        else line.appendf(" {:<12}", "-");
        // Interrupt controllers' own "interrupts" name their CPU-side lines
        // (and OpenSBI hides M-mode ones as ~0): not a device IRQ.
        usize irqs = node.has_property("interrupt-controller") ? 0 : node.interrupt_count().value_or(0);
        if (irqs) {
            auto irq = node.interrupt(0);
            if (irq.ok() && irq.value().controller == node) irqs = 0;
            if (irq.ok() && irqs) {
                // Our controller knows its specifier format; others show the first cell.
                const fdt::Interrupt& spec = irq.value();
                bool ours = m_irq && driver_of(spec.controller) == m_irq->name();
                u32 number = ours ? m_irq->decode(spec.cells, spec.cell_count).value_or(spec.cells[0]) : spec.cells[0];
                line.appendf(" irq {:<4}", number);
            }
        }
        if (!irqs) line.append("         ");
        StringView driver = driver_of(node);
        line.appendf(" {}", driver.empty() ? StringView("no driver") : driver);
        if (m_uart && driver.starts_with(m_uart->model()) && m_uart->tx_dropped())
            line.appendf(", {} bytes dropped", m_uart->tx_dropped());
        sink(line.view(), context);
    });
#if MOTE_HAVE_DRIVERS
    write_virtio_devices(sink, context);
#endif
}

}  // namespace mote
