// The parts of `layout` and `mem` that every bare-metal machine (virt and
// PVH) reports the same way: the kernel's virtual layout, the reservations
// and usable ranges of its memory map, and the whole `mem` report. Each
// machine adds what only it knows (its physical map, its devices).
#pragma once

#include "base/format.hpp"
#include "boot/machine.hpp"
#include "mm/page_allocator.hpp"
#include "platform/bare_metal/memory_map.hpp"

namespace mote {

// Formats one report line into a fixed buffer and hands it to the sink.
struct ReportOut {
    MachineLineSink sink;
    void* context;

    template <typename... Args>
    void line(StringView fmt, const Args&... args) {
        FixedString<160> text;
        text.appendf(fmt, args...);
        sink(text.view(), context);
    }
};

// `bytes` as format_size writes it ("4 KiB", "2 GiB").
FixedString<24> size_text(u64 bytes);

// "  <what> <start>..<end> <size> <permissions>"
void write_region(ReportOut& out, StringView what, uptr start, uptr end, StringView permissions);

// `layout`'s virtual half: text, rodata, data+bss, the stack and its guard,
// the direct map of each RAM range (`direct_map_permissions`), then the
// boot page-table and kernel-symbol counts.
void write_virtual_layout(ReportOut& out, const MemoryMap& memory, StringView direct_map_permissions);

// The boot log's layout: the image's regions on one line (they are
// contiguous, so one address and the sizes place them), then each RAM range
// with its direct map, then the reserved and usable totals.
void write_boot_layout(ReportOut& out, const MemoryMap& memory, StringView direct_map_permissions);

// `layout`'s lines for each reservation and each usable range.
void write_reserved_and_usable(ReportOut& out, const MemoryMap& memory);

// The whole `mem` report: RAM, reserved and usable totals, each
// reservation, then the page allocator's report.
void write_memory_summary(const MemoryMap& memory, const PageAllocator& pages, MachineLineSink sink, void* context);

}  // namespace mote
