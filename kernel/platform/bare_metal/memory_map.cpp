#include "platform/bare_metal/memory_map.hpp"

namespace mote {

void MemoryMap::add_ram(PhysRange range) {
    range = page_aligned_part(range);
    if (range.empty()) return;
    if (m_ram_count == kMaxRam) {
        ++m_dropped;
        return;
    }
    m_ram[m_ram_count++] = range;
}

void MemoryMap::reserve(PhysRange range, StringView reason, StringView detail) {
    if (range.empty()) return;
    // Widen to whole pages: a partly reserved page is a reserved page.
    u64 start = align_down(range.base, kPageSize);
    u64 end = align_up(checked_add(range.base, range.size).value_or(~u64(0)), kPageSize).value_or(~u64(0) & ~(kPageSize - 1));
    if (m_reserved_count == kMaxReservations) {
        ++m_dropped;
        return;
    }
    m_reserved[m_reserved_count++] = {{start, end - start}, reason, detail};
}

void MemoryMap::read_devicetree(const fdt::Fdt& fdt, u64 dtb_phys) {
    fdt.for_each_memory([&](fdt::Reg reg) { add_ram({reg.base, reg.size}); });
    // Devicetree spec 5.3: ranges the OS must not use, in the blob header.
    fdt.for_each_reserved([&](fdt::Reg reg) { reserve({reg.base, reg.size}, "memory reservation block"); });
    // Devicetree spec 3.5: /reserved-memory children; OpenSBI puts its own
    // image here (mmode_resv*), marked no-map.
    fdt.for_each_reserved_memory([&](fdt::Node node, fdt::Reg reg) {
        reserve({reg.base, reg.size}, "firmware (/reserved-memory)", node.name());
    });
    reserve({dtb_phys, fdt.total_size()}, "devicetree blob");
}

void MemoryMap::compute_usable() {
    // Insertion sort by base: at most kMaxReservations entries.
    for (usize i = 1; i < m_reserved_count; ++i) {
        Reservation r = m_reserved[i];
        usize j = i;
        while (j > 0 && m_reserved[j - 1].range.base > r.range.base) {
            m_reserved[j] = m_reserved[j - 1];
            --j;
        }
        m_reserved[j] = r;
    }
    m_usable_count = 0;
    auto emit = [&](u64 start, u64 end) {
        if (end <= start) return;
        if (m_usable_count == kMaxUsable) {
            ++m_dropped;
            return;
        }
        m_usable[m_usable_count++] = {start, end - start};
    };
    for (usize i = 0; i < m_ram_count; ++i) {
        u64 cursor = m_ram[i].base;
        u64 end = m_ram[i].base + m_ram[i].size;
        for (usize k = 0; k < m_reserved_count && cursor < end; ++k) {
            const PhysRange& r = m_reserved[k].range;
            u64 r_end = r.base + r.size;
            if (r_end <= cursor || r.base >= end) continue;
            emit(cursor, r.base);
            cursor = max(cursor, r_end);
        }
        emit(cursor, end);
    }
}

u64 MemoryMap::ram_bytes() const {
    u64 total = 0;
    for (const PhysRange& r : ram()) total += r.size;
    return total;
}

u64 MemoryMap::usable_bytes() const {
    u64 total = 0;
    for (const PhysRange& r : usable()) total += r.size;
    return total;
}

void format_size(FormatBuffer& out, u64 bytes) {
    if (bytes >= (u64(1) << 30) && bytes % (u64(1) << 30) == 0) format_append(out, "{} GiB", bytes >> 30);
    else if (bytes >= (u64(1) << 20) && bytes % (u64(1) << 20) == 0) format_append(out, "{} MiB", bytes >> 20);
    else if (bytes >= 1024) format_append(out, "{} KiB", bytes >> 10);
    else format_append(out, "{} bytes", bytes);
}

}  // namespace mote
