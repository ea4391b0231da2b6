#include "platform/bare_metal/machine_report.hpp"

#include "arch/arch.hpp"
#include "mm/memory_stats.hpp"
#include "platform/bare_metal/symbols.hpp"

namespace mote {

FixedString<24> size_text(u64 bytes) {
    FixedString<24> out;
    char buffer[24];
    FormatBuffer b(Span<char>(buffer, sizeof(buffer)));
    format_size(b, bytes);
    out.append(b.view());
    return out;
}

void write_region(ReportOut& out, StringView what, uptr start, uptr end, StringView permissions) {
    out.line("  {:<12} {:#018x}..{:#018x} {:>9} {}", what, start, end, size_text(end - start).view(), permissions);
}

void write_virtual_layout(ReportOut& out, const MemoryMap& memory, StringView direct_map_permissions) {
    const arch::BootLayout& l = Arch::boot_layout();
    out.line("virtual:");
    write_region(out, "text", l.text_start, l.text_end, "r-x");
    write_region(out, "rodata", l.rodata_start, l.rodata_end, "r--");
    write_region(out, "data+bss", l.data_start, l.data_end, "rw-");
    write_region(out, "stack guard", l.stack_guard, l.stack_guard + kPageSize, "--- (unmapped)");
    write_region(out, "stack", l.stack_bottom, l.stack_top, "rw-");
    for (const PhysRange& r : memory.ram())
        write_region(out, "direct map", uptr(r.base + l.direct_map_offset), uptr(r.base + r.size + l.direct_map_offset),
                     direct_map_permissions);
    out.line("  page tables: {} of {} boot pages used; {} kernel symbols", l.table_pages_used, l.table_pages_total,
             symbol_count());
}

void write_boot_layout(ReportOut& out, const MemoryMap& memory, StringView direct_map_permissions) {
    const arch::BootLayout& l = Arch::boot_layout();
    out.line("image {:#x}: text {} r-x, rodata {} r--, data+bss {} rw-, guard {} ---, stack {} rw-", l.text_start,
             size_text(l.text_end - l.text_start).view(), size_text(l.rodata_end - l.rodata_start).view(),
             size_text(l.data_end - l.data_start).view(), size_text(l.stack_bottom - l.stack_guard).view(),
             size_text(l.stack_top - l.stack_bottom).view());
    for (const PhysRange& r : memory.ram())
        out.line("RAM {:#x} {}, direct map at {:#x} {}", r.base, size_text(r.size).view(), r.base + l.direct_map_offset,
                 direct_map_permissions);
    out.line("reserved {} in {} ranges, usable {} in {} ranges ('layout' lists them)",
             size_text(memory.reserved_bytes()).view(), memory.reservations().size(),
             size_text(memory.usable_bytes()).view(), memory.usable().size());
}

void write_reserved_and_usable(ReportOut& out, const MemoryMap& memory) {
    for (const Reservation& r : memory.reservations())
        out.line("  reserved     {:#018x}..{:#018x} {:>9} {} {}", r.range.base, r.range.base + r.range.size,
                 size_text(r.range.size).view(), r.reason, r.detail);
    for (const PhysRange& r : memory.usable()) write_region(out, "usable", r.base, r.base + r.size, "");
}

void write_memory_summary(const MemoryMap& memory, const PageAllocator& pages, MachineLineSink sink, void* context) {
    ReportOut out {sink, context};
    out.line("RAM {} ({} bytes), reserved {}, usable {}", size_text(memory.ram_bytes()).view(), memory.ram_bytes(),
             size_text(memory.reserved_bytes()).view(), size_text(memory.usable_bytes()).view());
    for (const Reservation& r : memory.reservations())
        out.line("  reserved {:>9} at {:#x}: {} {}", size_text(r.range.size).view(), r.range.base, r.reason, r.detail);
    write_memory_report(pages, sink, context);
}

}  // namespace mote
