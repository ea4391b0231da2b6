// The physical memory map: RAM from the devicetree minus everything that is
// already spoken for, each reservation with the reason it exists. What is
// left is handed to the page allocator.
//
// Reservations may overlap each other and RAM in any way; subtraction is
// done per RAM range against the reservations sorted by base, so the result
// is exact whatever the input (a hostile DTB gives a small map, not a crash).
#pragma once

#include "firmware/fdt.hpp"
#include "base/format.hpp"
#include "mm/phys_range.hpp"

namespace mote {

struct Reservation {
    PhysRange range;
    StringView reason;  // "firmware", "devicetree blob", ...
    StringView detail;  // the /reserved-memory node name, or ""
};

class MemoryMap {
public:
    static constexpr usize kMaxRam = 8;
    static constexpr usize kMaxReservations = 24;
    static constexpr usize kMaxUsable = 32;

    // Reads RAM, the memory reservation block and /reserved-memory, and
    // reserves the blob itself. Counts what did not fit in dropped().
    void read_devicetree(const fdt::Fdt& fdt, u64 dtb_phys);
    void add_ram(PhysRange range);
    void reserve(PhysRange range, StringView reason, StringView detail = "");
    // RAM minus reservations, sorted by base.
    void compute_usable();

    Span<const PhysRange> ram() const { return Span<const PhysRange>(m_ram, m_ram_count); }
    Span<const Reservation> reservations() const { return Span<const Reservation>(m_reserved, m_reserved_count); }
    Span<const PhysRange> usable() const { return Span<const PhysRange>(m_usable, m_usable_count); }
    u64 ram_bytes() const;
    u64 usable_bytes() const;
    // Bytes of RAM covered by a reservation (overlaps counted once).
    u64 reserved_bytes() const { return ram_bytes() - usable_bytes(); }
    u64 dropped() const { return m_dropped; }

private:
    PhysRange m_ram[kMaxRam];
    usize m_ram_count = 0;
    Reservation m_reserved[kMaxReservations];
    usize m_reserved_count = 0;
    PhysRange m_usable[kMaxUsable];
    usize m_usable_count = 0;
    u64 m_dropped = 0;
};

// "128 MiB", "512 KiB", "12 bytes"
void format_size(FormatBuffer& out, u64 bytes);

}  // namespace mote
