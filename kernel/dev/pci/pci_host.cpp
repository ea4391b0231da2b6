#include "dev/pci/pci_host.hpp"

#include "base/checked.hpp"
#include "core/log.hpp"

namespace mote::pci {

namespace {
// phys.hi of a PCI address (PCI bus binding 2.2.1.1): bits 24-25 are the
// space code.
constexpr u32 kSpaceMask = 3u << 24;
constexpr u32 kSpaceMem32 = 2u << 24;
constexpr u32 kSpaceMem64 = 3u << 24;
constexpr u32 kPciAddressCells = 3;
constexpr u64 kConfigBytesPerBus = u64(1) << 20;
}  // namespace

Result<void> PciHost::init(const fdt::Fdt& fdt, fdt::Node node, MapFn map) {
    fdt::Reg reg = TRY(node.reg(0));
    auto range = node.property("bus-range");
    if (range.ok()) {
        u32 first = TRY(range.value().cell(0));
        if (first > 255) return Error::Malformed;
        m_first_bus = u8(first);
    }
    u64 offset = u64(m_first_bus) * kConfigBytesPerBus;
    TRY(check_range<u64>(offset, kConfigBytesPerBus, reg.size));
    TRY(parse_ranges(node));
    TRY(parse_interrupt_map(fdt, node));
    m_ecam_phys = reg.base + offset;
    m_space.use_ecam(TRY(map(m_ecam_phys, kConfigBytesPerBus)), m_first_bus, m_first_bus);
    return {};
}

Result<void> PciHost::parse_ranges(fdt::Node node) {
    fdt::Property ranges = TRY(node.property("ranges"));
    auto parent = TRY(node.parent());
    u32 parent_cells = parent.address_cells();
    u32 size_cells = node.size_cells();
    if (node.address_cells() != kPciAddressCells || parent_cells > 2 || size_cells > 2) return Error::Unsupported;
    usize entry = kPciAddressCells + parent_cells + size_cells;
    if (ranges.cell_count() % entry) return Error::Malformed;
    for (usize at = 0; at < ranges.cell_count(); at += entry) {
        u32 hi = TRY(ranges.cell(at));
        u64 pci = TRY(ranges.cells(at + 1, 2));
        u64 cpu = TRY(ranges.cells(at + kPciAddressCells, parent_cells));
        u64 size = TRY(ranges.cells(at + kPciAddressCells + parent_cells, size_cells));
        TRY(checked_add(cpu, size));
        u32 space = hi & kSpaceMask;
        // One 32-bit memory window is all the BAR placement uses; 64-bit BARs
        // fit there too. (QEMU virt also offers a 64-bit window above 4 GiB.)
        if (space == kSpaceMem32 && !m_has_mem32 && size) {
            m_mem32 = {pci, cpu, size, cpu};
            m_has_mem32 = true;
        }
        (void)kSpaceMem64;
    }
    if (!m_has_mem32) return Error::NotFound;
    return {};
}

Result<void> PciHost::parse_interrupt_map(const fdt::Fdt& fdt, fdt::Node node) {
    auto map = node.property("interrupt-map");
    if (map.is_error()) return {};  // no INTx routing: devices get no interrupt
    fdt::Property mask = TRY(node.property("interrupt-map-mask"));
    u32 child_irq_cells = TRY(node.interrupt_cells());
    if (child_irq_cells != 1 || mask.cell_count() != kPciAddressCells + 1) return Error::Unsupported;
    m_mask_hi = TRY(mask.cell(0));
    m_mask_pin = TRY(mask.cell(3));
    const fdt::Property& m = map.value();
    usize at = 0;
    while (at < m.cell_count()) {
        if (m_map_count == kMaxMapEntries) return Error::Overflow;
        MapEntry& e = m_map[m_map_count];
        e.address_hi = TRY(m.cell(at));
        e.pin = TRY(m.cell(at + kPciAddressCells));
        u32 phandle = TRY(m.cell(at + kPciAddressCells + 1));
        fdt::Node controller = TRY(fdt.find_by_phandle(phandle));
        // The parent's unit address has its #address-cells (0 if absent, as
        // for interrupt controllers without children), then its specifier.
        auto cells_prop = controller.property("#address-cells");
        u32 parent_address = cells_prop.ok() ? TRY(cells_prop.value().as_u32()) : 0;
        u32 parent_irq = TRY(controller.interrupt_cells());
        if (parent_address > 4 || parent_irq == 0 || parent_irq > fdt::kMaxInterruptCells) return Error::Unsupported;
        usize spec = at + kPciAddressCells + 2 + parent_address;
        e.route.controller_phandle = phandle;
        e.route.cell_count = parent_irq;
        for (u32 i = 0; i < parent_irq; ++i) e.route.cells[i] = TRY(m.cell(spec + i));
        ++m_map_count;
        at = spec + parent_irq;
    }
    return {};
}

Result<void> PciHost::init_ecam(u64 base, u8 bus_start, u8 bus_end, MapFn map) {
    if (bus_start > bus_end || base == 0 || (base & (kConfigBytesPerBus - 1))) return Error::Malformed;
    u64 offset = u64(bus_start) * kConfigBytesPerBus;
    m_ecam_phys = TRY(checked_add(base, offset));
    TRY(checked_add(m_ecam_phys, kConfigBytesPerBus));
    m_first_bus = bus_start;
    m_space.use_ecam(TRY(map(m_ecam_phys, kConfigBytesPerBus)), m_first_bus, m_first_bus);
    return {};
}

Result<void> PciHost::init_ports(PortIo io) {
    TRY(m_space.use_ports(io));
    m_first_bus = 0;
    return {};
}

Result<void> PciHost::probe(u8 bus, u8 dev, u8 fn, Function& out) const {
    out.bus = bus;
    out.device = dev;
    out.function = fn;
    out.vendor = TRY(read16(out, kVendorId));
    // All ones: nothing answered (a master abort reads as ones, PCI 6.1).
    if (out.vendor == 0xffff || out.vendor == 0) return Error::NotFound;
    out.device_id = TRY(read16(out, kDeviceId));
    out.header_type = TRY(read8(out, kHeaderType));
    out.subsystem_id = (out.header_type & 0x7f) == 0 ? TRY(read16(out, kSubsystemId)) : 0;
    out.pin = TRY(read8(out, kInterruptPin));
    if (out.pin > 4) out.pin = 0;
    out.line = TRY(read8(out, kInterruptLine));
    return {};
}

Result<u64> PciHost::place(u64 size) {
    u64 at = TRY(align_up(m_mem32.next, size));
    u64 end = TRY(checked_add(at, size));
    if (end > m_mem32.cpu + m_mem32.size) return Error::NoMemory;
    m_mem32.next = end;
    return at;
}

Result<u64> PciHost::size_bar(const Function& f, u32 index, u32 original, bool is64) {
    u32 offset = kBar0 + 4 * index;
    u32 original_high = is64 ? TRY(read32(f, offset + 4)) : 0;
    TRY(write32(f, offset, 0xffffffff));
    u64 mask = TRY(read32(f, offset)) & ~u32(0xf);
    if (is64) {
        TRY(write32(f, offset + 4, 0xffffffff));
        mask |= u64(TRY(read32(f, offset + 4))) << 32;
        TRY(write32(f, offset + 4, original_high));
    } else if (mask) {
        mask |= ~u64(0xffffffff);
    }
    TRY(write32(f, offset, original));
    if (mask == 0) return u64(0);  // not implemented
    u64 size = ~mask + 1;
    // The writable bits are the high ones: the size is a power of two.
    if (size & (size - 1)) return Error::Malformed;
    return size;
}

Result<void> PciHost::assign_bars(Function& f) {
    // Decoding off while BARs are sized and moved.
    u16 command = TRY(read16(f, kCommand));
    TRY(write16(f, kCommand, u16(command & ~(kCommandMemory | kCommandBusMaster | 1))));
    for (u32 i = 0; i < 6; ++i) {
        u32 offset = kBar0 + 4 * i;
        u32 original = TRY(read32(f, offset));
        Bar& bar = f.bars[i];
        bar.io = original & 1;
        if (bar.io) continue;
        bar.is64 = ((original >> 1) & 3) == 2;
        if (bar.is64 && i == 5) return Error::Malformed;
        bar.size = TRY(size_bar(f, i, original, bar.is64));
        if (bar.size == 0) continue;
        u64 cpu = TRY(place(bar.size));
        u64 pci = cpu - m_mem32.cpu + m_mem32.pci;
        TRY(write32(f, offset, u32(pci) | (original & 0xf)));
        if (bar.is64) TRY(write32(f, offset + 4, u32(pci >> 32)));
        bar.cpu = cpu;
        if (bar.is64) ++i;  // the upper half is the next BAR slot
    }
    TRY(write16(f, kCommand, u16((command & ~kCommandIntxDisable) | kCommandMemory | kCommandBusMaster)));
    return {};
}

Result<void> PciHost::check_assigned_bars(const Function& f, Span<const AddressRange> windows,
                                          Span<const AddressRange> excluded, Bar (&bars)[6]) {
    for (u32 i = 0; i < 6; ++i) {
        u32 original = TRY(read32(f, kBar0 + 4 * i));
        Bar& bar = bars[i];
        bar.io = original & 1;
        if (bar.io) continue;  // I/O BARs: no driver here uses them
        bar.is64 = ((original >> 1) & 3) == 2;
        if (bar.is64 && i == 5) return Error::Malformed;
        u64 address = original & ~u64(0xf);
        if (bar.is64) address |= u64(TRY(read32(f, kBar0 + 4 * i + 4))) << 32;
        u64 size = TRY(size_bar(f, i, original, bar.is64));
        u32 slot = i;
        if (bar.is64) ++i;  // the upper half is the next BAR slot
        if (size == 0 || address == 0) continue;  // not implemented, or not assigned
        bool inside = false;
        for (const AddressRange& w : windows) inside |= w.contains(address, size);
        bool clash = false;
        for (const AddressRange& x : excluded) clash |= x.overlaps(address, size);
        // Naturally aligned (6.2.5.1), inside a window, clear of RAM and
        // firmware ranges: otherwise the BAR would alias something else.
        if ((address & (size - 1)) || !inside || clash) {
            log_warn("pci", "{:02x}:{:02x}.{}: BAR {} at {:#x} ({:#x} bytes) is outside the PCI windows", f.bus,
                     f.device, f.function, slot, address, size);
            return Error::Malformed;
        }
        bar.cpu = address;
        bar.size = size;
    }
    return {};
}

Result<void> PciHost::use_assigned_bars(Function& f, Span<const AddressRange> windows,
                                        Span<const AddressRange> excluded) {
    u16 command = TRY(read16(f, kCommand));
    // Decoding off while the BARs are sized: an all-ones BAR must not
    // claim addresses for that moment.
    TRY(write16(f, kCommand, u16(command & ~(kCommandMemory | kCommandBusMaster | 1))));
    Bar bars[6];
    if (auto r = check_assigned_bars(f, windows, excluded, bars); r.is_error()) {
        (void)write16(f, kCommand, command);
        return r;
    }
    for (u32 i = 0; i < 6; ++i) f.bars[i] = bars[i];
    TRY(write16(f, kCommand, u16((command & ~kCommandIntxDisable) | kCommandMemory | kCommandBusMaster)));
    return {};
}

Result<IntxRoute> PciHost::route_intx(const Function& f) const {
    if (f.pin == 0) return Error::NotFound;
    u32 hi = f.address() & m_mask_hi;
    u32 pin = f.pin & m_mask_pin;
    for (usize i = 0; i < m_map_count; ++i)
        if ((m_map[i].address_hi & m_mask_hi) == hi && (m_map[i].pin & m_mask_pin) == pin) return m_map[i].route;
    return Error::NotFound;
}

}  // namespace mote::pci
