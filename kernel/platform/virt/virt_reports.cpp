// The machine's answers to `layout`, `mem` and `devices`.
#include "arch/arch.hpp"
#include "mm/memory_stats.hpp"
#include "platform/virt/symbols.hpp"
#include "platform/virt/virt_machine.hpp"
#include "platform/virt/virt_virtio.hpp"

namespace mote {

namespace {

struct Out {
    MachineLineSink sink;
    void* context;

    template <typename... Args>
    void line(StringView fmt, const Args&... args) {
        FixedString<160> text;
        text.appendf(fmt, args...);
        sink(text.view(), context);
    }
};

void size_text(FixedString<24>& out, u64 bytes) {
    char buffer[24];
    FormatBuffer b(Span<char>(buffer, sizeof(buffer)));
    format_size(b, bytes);
    out.append(b.view());
}

void region(Out& out, StringView what, uptr start, uptr end, StringView permissions) {
    FixedString<24> size;
    size_text(size, end - start);
    out.line("  {:<12} {:#018x}..{:#018x} {:>9} {}", what, start, end, size.view(), permissions);
}

}  // namespace

Result<void> VirtMachine::describe(MachineReport report, MachineLineSink sink, void* context) {
    switch (report) {
    case MachineReport::Layout: write_layout(sink, context); return {};
    case MachineReport::Memory: write_memory(sink, context); return {};
    case MachineReport::Devices: write_devices(sink, context); return {};
    }
    return Error::Unsupported;
}

void VirtMachine::write_layout(MachineLineSink sink, void* context) {
    Out out {sink, context};
    const arch::BootLayout& l = Arch::boot_layout();
    out.line("virtual:");
    region(out, "text", l.text_start, l.text_end, "r-x");
    region(out, "rodata", l.rodata_start, l.rodata_end, "r--");
    region(out, "data+bss", l.data_start, l.data_end, "rw-");
    region(out, "stack guard", l.stack_guard, l.stack_guard + kPageSize, "--- (unmapped)");
    region(out, "stack", l.stack_bottom, l.stack_top, "rw-");
    for (const PhysRange& r : m_memory.ram())
        region(out, "direct map", uptr(r.base + l.direct_map_offset), uptr(r.base + r.size + l.direct_map_offset),
               "rw- (RAM)");
    out.line("  page tables: {} of {} boot pages used; {} kernel symbols", l.table_pages_used, l.table_pages_total,
             symbol_count());
    out.line("physical:");
    for (const PhysRange& r : m_memory.ram()) region(out, "RAM", r.base, r.base + r.size, "");
    for (const Reservation& r : m_memory.reservations()) {
        FixedString<24> size;
        size_text(size, r.range.size);
        out.line("  reserved     {:#018x}..{:#018x} {:>9} {} {}", r.range.base, r.range.base + r.range.size,
                 size.view(), r.reason, r.detail);
    }
    for (const PhysRange& r : m_memory.usable()) region(out, "usable", r.base, r.base + r.size, "");
    if (m_memory.dropped()) out.line("  ({} ranges did not fit the tables and were left out)", m_memory.dropped());
}

void VirtMachine::write_memory(MachineLineSink sink, void* context) {
    Out out {sink, context};
    FixedString<24> ram, reserved, usable;
    size_text(ram, m_memory.ram_bytes());
    size_text(reserved, m_memory.reserved_bytes());
    size_text(usable, m_memory.usable_bytes());
    out.line("RAM {} ({} bytes), reserved {}, usable {}", ram.view(), m_memory.ram_bytes(), reserved.view(),
             usable.view());
    for (const Reservation& r : m_memory.reservations()) {
        FixedString<24> size;
        size_text(size, r.range.size);
        out.line("  reserved {:>9} at {:#x}: {} {}", size.view(), r.range.base, r.reason, r.detail);
    }
    write_memory_report(m_pages, sink, context);
}

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
        sink(line.view(), context);
    });
    write_virtio_devices(sink, context);
}

}  // namespace mote
