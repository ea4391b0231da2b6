#include "dev/pci/config_space.hpp"

namespace mote::pci {

namespace {

constexpr u32 kDevices = 32;
constexpr u32 kFunctions = 8;

// Width 1, 2 or 4, naturally aligned, inside `size` bytes per function.
Result<void> check_access(u8 device, u8 function, u32 offset, u32 width, u32 size) {
    if (width != 1 && width != 2 && width != 4) return Error::InvalidArgument;
    if (offset & (width - 1)) return Error::InvalidArgument;
    if (device >= kDevices || function >= kFunctions) return Error::OutOfRange;
    if (offset >= size || width > size - offset) return Error::OutOfRange;
    return {};
}

}  // namespace

Result<u32> legacy_config_address(u8 bus, u8 device, u8 function, u32 offset, u32 width) {
    TRY(check_access(device, function, offset, width, kConventionalConfigSize));
    // 3.2.2.3.2, figure 3-2: enable, bus, device, function, dword register.
    return kConfigEnable | u32(bus) << 16 | u32(device) << 11 | u32(function) << 8 | (offset & 0xfc);
}

void ConfigSpace::use_ecam(volatile u8* window, u8 first_bus, u8 last_bus) {
    m_mechanism = Mechanism::Ecam;
    m_window = window;
    m_first_bus = first_bus;
    m_last_bus = last_bus;
}

Result<void> ConfigSpace::use_ports(PortIo io) {
    if (!io.in || !io.out) return Error::InvalidArgument;
    u32 saved = io.in(io.context, kConfigAddressPort, 4);
    io.out(io.context, kConfigAddressPort, 4, kConfigEnable);
    u32 kept = io.in(io.context, kConfigAddressPort, 4);
    io.out(io.context, kConfigAddressPort, 4, saved);
    if (kept != kConfigEnable) return Error::NotFound;
    m_mechanism = Mechanism::Ports;
    m_io = io;
    return {};
}

Result<volatile u8*> ConfigSpace::ecam_address(u8 bus, u8 device, u8 function, u32 offset, u32 width) const {
    TRY(check_access(device, function, offset, width, kExtendedConfigSize));
    if (bus < m_first_bus || bus > m_last_bus) return Error::OutOfRange;
    // PCIe 7.2.2, table 7-1: the window starts at the first bus.
    return m_window + (u64(bus - m_first_bus) << 20 | u64(device) << 15 | u64(function) << 12 | offset);
}

Result<u32> ConfigSpace::read(u8 bus, u8 device, u8 function, u32 offset, u32 width) const {
    switch (m_mechanism) {
    case Mechanism::Ecam: {
        volatile u8* at = TRY(ecam_address(bus, device, function, offset, width));
        if (width == 1) return u32(*at);
        if (width == 2) return u32(*reinterpret_cast<volatile u16*>(at));
        return u32(*reinterpret_cast<volatile u32*>(at));
    }
    case Mechanism::Ports: {
        u32 address = TRY(legacy_config_address(bus, device, function, offset, width));
        m_io.out(m_io.context, kConfigAddressPort, 4, address);
        u32 value = m_io.in(m_io.context, u16(kConfigDataPort + (offset & 3)), width);
        // Keep only the bytes asked for, whatever the backend returned.
        return width == 4 ? value : value & ((1u << (8 * width)) - 1);
    }
    case Mechanism::None: break;
    }
    return Error::BadState;
}

Result<void> ConfigSpace::write(u8 bus, u8 device, u8 function, u32 offset, u32 width, u32 value) const {
    switch (m_mechanism) {
    case Mechanism::Ecam: {
        volatile u8* at = TRY(ecam_address(bus, device, function, offset, width));
        if (width == 1) *at = u8(value);
        else if (width == 2) *reinterpret_cast<volatile u16*>(at) = u16(value);
        else *reinterpret_cast<volatile u32*>(at) = value;
        return {};
    }
    case Mechanism::Ports: {
        u32 address = TRY(legacy_config_address(bus, device, function, offset, width));
        m_io.out(m_io.context, kConfigAddressPort, 4, address);
        m_io.out(m_io.context, u16(kConfigDataPort + (offset & 3)), width, value);
        return {};
    }
    case Mechanism::None: break;
    }
    return Error::BadState;
}

const char* ConfigSpace::name() const {
    switch (m_mechanism) {
    case Mechanism::Ecam: return "ECAM";
    case Mechanism::Ports: return "configuration mechanism #1 (ports 0xcf8/0xcfc)";
    case Mechanism::None: break;
    }
    return "none";
}

}  // namespace mote::pci
