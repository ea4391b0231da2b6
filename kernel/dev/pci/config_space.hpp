// How a PCI function's configuration space is reached. PciHost enumerates,
// sizes BARs and reads registers through this one interface; only the
// mechanism behind it differs:
//
// * ECAM (PCIe base spec 7.2.2): memory mapped, 4 KiB per function at
//   (bus << 20 | device << 15 | function << 12) from the window's base.
//   The devicetree's pci-host-ecam-generic and ACPI's MCFG describe it.
//
// * Configuration mechanism #1 (PCI local bus spec 3.0, 3.2.2.3.2), the
//   PC's I/O ports, for chipsets without ECAM (QEMU's i440fx `-M pc`). A
//   dword written to CONFIG_ADDRESS (port 0xcf8) selects a register:
//
//     bit 31      enable: without it CONFIG_DATA is an ordinary I/O port
//     bits 23-16  bus number
//     bits 15-11  device number
//     bits 10-8   function number
//     bits 7-2    dword register number (bits 1-0 read as 0)
//
//   and CONFIG_DATA (ports 0xcfc-0xcff) then accesses that dword: a byte
//   or word of it at 0xcfc + (offset & 3). Eight bits of register address
//   reach only the first 256 bytes; PCIe's extended space (offsets 256 to
//   4095) is not addressable this way, and such an offset is OutOfRange
//   here instead of silently aliasing offset & 0xff.
//
// Every access is decoded (device, function, offset, width, alignment)
// before anything touches the hardware. Accesses never cross a dword:
// width 1, 2 or 4, naturally aligned (3.2.2.3.2 defines no other; PCIe
// 7.2.2 does not promise more for ECAM).
//
// Mechanism #1 is two port accesses that must not interleave with another
// pair. Mote touches configuration space only from the event loop on one
// CPU, never from a trap handler, so no lock is needed; a second CPU or an
// interrupt-time access would need one here.
#pragma once

#include "base/result.hpp"

namespace mote::pci {

// The port I/O the legacy mechanism needs (x86 IN/OUT on a PC; a fake in
// the host tests). width is 1, 2 or 4 bytes.
struct PortIo {
    u32 (*in)(void* context, u16 port, u32 width) = nullptr;
    void (*out)(void* context, u16 port, u32 width, u32 value) = nullptr;
    void* context = nullptr;
};

inline constexpr u16 kConfigAddressPort = 0xcf8;
inline constexpr u16 kConfigDataPort = 0xcfc;
inline constexpr u32 kConfigEnable = 1u << 31;
// Bytes of configuration space per function (PCI 6.1; PCIe 7.2.2).
inline constexpr u32 kConventionalConfigSize = 256;
inline constexpr u32 kExtendedConfigSize = 4096;

// CONFIG_ADDRESS for an access of `width` bytes at `offset` (3.2.2.3.2),
// or why there is none: OutOfRange for a device above 31, a function above
// 7 or an offset beyond the first 256 bytes; InvalidArgument for a width
// other than 1, 2 or 4 or an access not naturally aligned.
Result<u32> legacy_config_address(u8 bus, u8 device, u8 function, u32 offset, u32 width);

class ConfigSpace {
public:
    enum class Mechanism : u8 { None, Ecam, Ports };

    // `window` maps the ECAM space of buses first_bus..last_bus (1 MiB each).
    void use_ecam(volatile u8* window, u8 first_bus, u8 last_bus);
    // Mechanism #1, if the chipset decodes it: CONFIG_ADDRESS must keep the
    // enable bit written to it (the check Linux's pci_check_type1 makes);
    // on a machine without it (microvm) the port reads all ones and this is
    // NotFound. The register's old value is restored either way.
    Result<void> use_ports(PortIo io);

    // Reads or writes `width` bytes at `offset` of the function's space.
    // OutOfRange or InvalidArgument as for legacy_config_address (ECAM:
    // a bus outside the window, an offset beyond 4096); BadState before a
    // use_ call.
    Result<u32> read(u8 bus, u8 device, u8 function, u32 offset, u32 width) const;
    Result<void> write(u8 bus, u8 device, u8 function, u32 offset, u32 width, u32 value) const;

    Mechanism mechanism() const { return m_mechanism; }
    // Bytes of configuration space per function this mechanism reaches.
    u32 size() const { return m_mechanism == Mechanism::Ecam ? kExtendedConfigSize : kConventionalConfigSize; }
    // For the boot log and `devices`.
    const char* name() const;

private:
    Result<volatile u8*> ecam_address(u8 bus, u8 device, u8 function, u32 offset, u32 width) const;

    Mechanism m_mechanism = Mechanism::None;
    volatile u8* m_window = nullptr;
    u8 m_first_bus = 0;
    u8 m_last_bus = 0;
    PortIo m_io;
};

}  // namespace mote::pci
