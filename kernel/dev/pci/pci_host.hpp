// A PCI host bridge. Configuration space is reached through a ConfigSpace
// (config_space.hpp): ECAM (PCIe base spec 7.2.2) or, on a PC without an
// MCFG, configuration mechanism #1 on ports 0xcf8/0xcfc; enumeration, BAR
// sizing and every register read below are the same for both. The bridge
// is described one of three ways:
//
// * by ACPI's MCFG (PC firmware: PCI Firmware Specification 3.2, 4.1.2),
//   init_ecam(): the ECAM base of the segment and its bus range. PC
//   firmware (SeaBIOS on q35) has already assigned every BAR and
//   programmed each function's Interrupt Line; use_assigned_bars() sizes
//   the BARs only to learn their extent, checks each lies inside a window
//   the platform calls sane and outside everything it must not overlap,
//   and never moves one.
//
// * by nothing (a PC whose ACPI tables have no MCFG, QEMU's i440fx):
//   init_ports() uses mechanism #1 if the chipset decodes it, bus 0 only;
//   the BARs are firmware's, as with the MCFG.
//
// * by the devicetree's `pci-host-ecam-generic` node (Linux's binding
// Documentation/devicetree/bindings/pci/host-generic-pci.yaml, on top of the
// PCI bus binding, IEEE 1275 "PCI Bus Binding" rev 2.1):
//
//   reg               the ECAM window: 4 KiB of configuration space per
//                     function, at (bus << 20 | device << 15 | function << 12)
//                     (PCIe base spec 7.2.2)
//   bus-range         the buses behind the bridge
//   ranges            the CPU addresses of the bridge's I/O, 32-bit and 64-bit
//                     memory windows: (pci.hi pci.mid pci.lo, cpu, size)
//   interrupt-map     INTx routing: (device address, pin) & interrupt-map-mask
//                     -> (controller, its specifier)
//
// Firmware on QEMU virt assigns nothing, so assign_bars() sizes every
// memory BAR (write all ones, read back, PCI local bus spec 6.2.5.1) and
// places it naturally aligned in the 32-bit memory window. I/O BARs are left
// unassigned: no driver here needs them. Everything read from configuration
// space or the devicetree is checked before use.
//
// Mapping registers is the platform's business: the caller passes a MapFn.
#pragma once

#include "firmware/fdt.hpp"
#include "base/result.hpp"
#include "base/span.hpp"
#include "dev/pci/config_space.hpp"

namespace mote::pci {

using MapFn = Result<volatile u8*> (*)(u64 phys, u64 size);

// Configuration space header offsets (PCI local bus spec 6.1, type 0).
inline constexpr u32 kVendorId = 0x00;
inline constexpr u32 kDeviceId = 0x02;
inline constexpr u32 kCommand = 0x04;
inline constexpr u32 kStatus = 0x06;
inline constexpr u32 kHeaderType = 0x0e;
inline constexpr u32 kBar0 = 0x10;
inline constexpr u32 kSubsystemId = 0x2e;
inline constexpr u32 kCapabilities = 0x34;
inline constexpr u32 kInterruptLine = 0x3c;
inline constexpr u32 kInterruptPin = 0x3d;

inline constexpr u16 kCommandMemory = 1 << 1;
inline constexpr u16 kCommandBusMaster = 1 << 2;
inline constexpr u16 kCommandIntxDisable = 1 << 10;
inline constexpr u16 kStatusCapabilities = 1 << 4;

// A range of CPU (= PCI, on a PC) addresses.
struct AddressRange {
    u64 base = 0;
    u64 size = 0;
    bool contains(u64 at, u64 length) const { return at >= base && length <= size && at - base <= size - length; }
    bool overlaps(u64 at, u64 length) const { return at < base + size && base < at + length; }
};

struct Bar {
    u64 cpu = 0;   // where the CPU reaches it (0: not assigned)
    u64 size = 0;
    bool io = false;
    bool is64 = false;
};

struct Function {
    u8 bus = 0, device = 0, function = 0;
    u16 vendor = 0, device_id = 0, subsystem_id = 0;
    u8 header_type = 0;
    u8 pin = 0;  // 1..4 = INTA..INTD, 0 none
    // What firmware wrote to Interrupt Line (6.2.4): on a PC, the ISA IRQ
    // the pin was routed to; 0xff = unknown or not connected. Unchecked.
    u8 line = 0xff;
    Bar bars[6];

    u32 address() const { return u32(bus) << 16 | u32(device) << 11 | u32(function) << 8; }
};

// An interrupt as the interrupt-map gives it: the controller and its cells.
struct IntxRoute {
    u32 controller_phandle = 0;
    u32 cell_count = 0;
    u32 cells[fdt::kMaxInterruptCells] {};
};

class PciHost {
public:
    static constexpr usize kMaxWindows = 4;

    static constexpr usize kMaxMapEntries = 64;

    // Parses the node (ranges and the whole interrupt-map, validated up
    // front) and maps the configuration space of the first bus in
    // bus-range (QEMU virt puts every device there).
    Result<void> init(const fdt::Fdt& fdt, fdt::Node node, MapFn map);
    // From an MCFG entry: `base` is the ECAM address of bus 0 of the
    // segment (PCI Firmware spec 4.1.2, table 4-3: bus N's configuration
    // space is at base + N << 20), `bus_start`..`bus_end` the buses it
    // decodes. Maps the first bus's space; INTx routing is the platform's.
    Result<void> init_ecam(u64 base, u8 bus_start, u8 bus_end, MapFn map);
    // No ECAM: configuration mechanism #1 through `io`, bus 0. NotFound if
    // the chipset does not decode it (ConfigSpace::use_ports).
    Result<void> init_ports(PortIo io);

    // f(Function&) for every function present on the first bus (type 0
    // headers only; bridges are skipped).
    template <typename F>
    void for_each_function(F&& f) {
        for (u8 dev = 0; dev < 32; ++dev) {
            for (u8 fn = 0; fn < 8; ++fn) {
                Function func;
                if (probe(m_first_bus, dev, fn, func).is_error()) {
                    if (fn == 0) break;
                    continue;
                }
                bool multi = func.header_type & 0x80;
                if ((func.header_type & 0x7f) == 0) f(func);
                if (fn == 0 && !multi) break;
            }
        }
    }

    // Sizes and places every memory BAR, then enables memory decoding and
    // bus mastering. NoMemory if the window is full.
    Result<void> assign_bars(Function& function);
    // The BARs firmware assigned: each implemented memory BAR is sized (with
    // decoding off, its value restored) and must be naturally aligned, lie
    // inside one of `windows` and overlap none of `excluded`; an unassigned
    // one (address 0) is left out. Then memory decoding and bus mastering
    // are enabled. Malformed names the first BAR that fails; nothing is
    // enabled then.
    Result<void> use_assigned_bars(Function& function, Span<const AddressRange> windows,
                                   Span<const AddressRange> excluded);
    // The interrupt-map entry for the function's pin. NotFound if none.
    Result<IntxRoute> route_intx(const Function& function) const;

    // Configuration registers, naturally aligned. OutOfRange beyond what
    // the mechanism reaches (mechanism #1: the first 256 bytes).
    Result<u8> read8(const Function& f, u32 offset) const { return u8(TRY(read(f, offset, 1))); }
    Result<u16> read16(const Function& f, u32 offset) const { return u16(TRY(read(f, offset, 2))); }
    Result<u32> read32(const Function& f, u32 offset) const { return read(f, offset, 4); }
    Result<void> write8(const Function& f, u32 offset, u8 v) { return write(f, offset, 1, v); }
    Result<void> write16(const Function& f, u32 offset, u16 v) { return write(f, offset, 2, v); }
    Result<void> write32(const Function& f, u32 offset, u32 v) { return write(f, offset, 4, v); }

    const ConfigSpace& config_space() const { return m_space; }
    u8 first_bus() const { return m_first_bus; }
    u64 ecam_base() const { return m_ecam_phys; }
    u64 mem32_cpu_base() const { return m_mem32.cpu; }
    u64 mem32_used() const { return m_mem32.next - m_mem32.cpu; }

private:
    struct Window {
        u64 pci = 0;
        u64 cpu = 0;
        u64 size = 0;
        u64 next = 0;  // CPU address of the first free byte
    };

    // NotFound if no function answers at bus:dev.fn.
    Result<void> probe(u8 bus, u8 dev, u8 fn, Function& out) const;
    Result<u32> read(const Function& f, u32 offset, u32 width) const {
        return m_space.read(f.bus, f.device, f.function, offset, width);
    }
    Result<void> write(const Function& f, u32 offset, u32 width, u32 value) {
        return m_space.write(f.bus, f.device, f.function, offset, width, value);
    }
    Result<void> parse_ranges(fdt::Node node);
    Result<void> parse_interrupt_map(const fdt::Fdt& fdt, fdt::Node node);
    Result<u64> place(u64 size);
    // Sizes BAR `index` (PCI local bus spec 6.2.5.1: write all ones, read
    // back, restore). Returns the size, 0 if not implemented.
    Result<u64> size_bar(const Function& f, u32 index, u32 original, bool is64);
    Result<void> check_assigned_bars(const Function& f, Span<const AddressRange> windows,
                                     Span<const AddressRange> excluded, Bar (&bars)[6]);

    struct MapEntry {
        u32 address_hi = 0;  // child unit address, first cell (masked)
        u32 pin = 0;         // child interrupt specifier (masked)
        IntxRoute route;
    };

    ConfigSpace m_space;
    u64 m_ecam_phys = 0;
    u8 m_first_bus = 0;
    Window m_mem32;
    bool m_has_mem32 = false;
    u32 m_mask_hi = 0;
    u32 m_mask_pin = 0;
    MapEntry m_map[kMaxMapEntries];
    usize m_map_count = 0;
};

}  // namespace mote::pci
