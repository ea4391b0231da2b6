// PCI configuration access (dev/pci/config_space.hpp) through a simulated
// chipset: configuration mechanism #1's address encoding and its checks,
// the byte lanes of CONFIG_DATA, the probe of CONFIG_ADDRESS, extended
// offsets refused before any port is touched, and PciHost enumerating and
// sizing BARs through the ports exactly as it does through ECAM.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <vector>

#include "dev/pci/pci_host.hpp"

using namespace mote;
using namespace mote::pci;

namespace {

// One function's 256 bytes and, for BAR sizing, the writable bits of each
// BAR register (0: not implemented; the upper half of a 64-bit BAR: all).
struct SimFunction {
    u8 bytes[256] {};
    u32 bar_mask[6] {};

    u8 flags[6] {};  // the read-only type bits 3-0 of each BAR
    u32 bar_flags(u32 offset) const { return flags[(offset - kBar0) / 4]; }

    static SimFunction make(u16 vendor, u16 device, u8 header_type, u8 pin, u8 line) {
        SimFunction f;
        put(f.bytes, kVendorId, vendor, 2);
        put(f.bytes, kDeviceId, device, 2);
        f.bytes[kHeaderType] = header_type;
        f.bytes[kInterruptPin] = pin;
        f.bytes[kInterruptLine] = line;
        return f;
    }
    static void put(u8* at, u32 offset, u32 value, u32 width) {
        for (u32 i = 0; i < width; ++i) at[offset + i] = u8(value >> (8 * i));
    }
    static u32 get(const u8* at, u32 offset, u32 width) {
        u32 v = 0;
        for (u32 i = 0; i < width; ++i) v |= u32(at[offset + i]) << (8 * i);
        return v;
    }
};

// A PC chipset's ports 0xcf8-0xcff (PCI 3.0, 3.2.2.3.2), and a log of
// every access the kernel code made.
struct SimChipset {
    bool decodes = true;  // false: nothing at 0xcf8 (reads all ones)
    u32 address = 0;
    std::map<u32, SimFunction> functions;  // by bus << 8 | device << 3 | function
    struct Access {
        bool out;
        u16 port;
        u32 width;
        u32 value;
    };
    std::vector<Access> log;

    SimFunction* selected() {
        if (!(address & kConfigEnable)) return nullptr;
        auto it = functions.find((address >> 8) & 0xffff);
        return it == functions.end() ? nullptr : &it->second;
    }

    u32 in(u16 port, u32 width) {
        u32 value = ~u32(0);
        if (decodes && port == kConfigAddressPort && width == 4) value = address;
        if (decodes && port >= kConfigDataPort && port < kConfigDataPort + 4)
            if (SimFunction* f = selected()) value = SimFunction::get(f->bytes, (address & 0xfc) + (port & 3), width);
        if (width < 4) value &= (1u << (8 * width)) - 1;
        log.push_back({false, port, width, value});
        return value;
    }

    void out(u16 port, u32 width, u32 value) {
        log.push_back({true, port, width, value});
        if (!decodes) return;
        // Bits 1-0 of CONFIG_ADDRESS read as 0 (3.2.2.3.2).
        if (port == kConfigAddressPort && width == 4) address = value & ~u32(3);
        if (port < kConfigDataPort || port >= kConfigDataPort + 4) return;
        SimFunction* f = selected();
        if (!f) return;
        u32 offset = (address & 0xfc) + (port & 3);
        SimFunction::put(f->bytes, offset, value, width);
        // A BAR keeps only its writable address bits; its type bits are
        // read-only (PCI 6.2.5.1).
        if (offset >= kBar0 && offset < kBar0 + 24 && width == 4) {
            u32 mask = f->bar_mask[(offset - kBar0) / 4];
            SimFunction::put(f->bytes, offset, (value & mask) | (f->bar_flags(offset) & ~mask), 4);
        }
    }

    PortIo io() {
        return {[](void* c, u16 port, u32 width) { return static_cast<SimChipset*>(c)->in(port, width); },
                [](void* c, u16 port, u32 width, u32 value) { static_cast<SimChipset*>(c)->out(port, width, value); },
                this};
    }
};

TEST(PciConfig, Mechanism1AddressEncoding) {
    // Enable, bus 23-16, device 15-11, function 10-8, dword register 7-2.
    EXPECT_EQ(legacy_config_address(0, 3, 0, 0x10, 4).value(), 0x80001810u);
    EXPECT_EQ(legacy_config_address(0xff, 31, 7, 0xfc, 4).value(), 0x80fffffcu);
    EXPECT_EQ(legacy_config_address(1, 2, 3, 0x3d, 1).value(), 0x8001133cu);  // byte 1 of dword 0x3c
    EXPECT_EQ(legacy_config_address(0, 0, 0, 0xfe, 2).value(), 0x800000fcu);
    EXPECT_EQ(legacy_config_address(0, 0, 0, 0xff, 1).value(), 0x800000fcu);
}

TEST(PciConfig, Mechanism1RejectsWhatItCannotAddress) {
    // Extended configuration space: 8 bits of register number end at 255.
    EXPECT_EQ(legacy_config_address(0, 0, 0, 0x100, 4).error(), Error::OutOfRange);
    EXPECT_EQ(legacy_config_address(0, 0, 0, 0x104, 1).error(), Error::OutOfRange);
    EXPECT_EQ(legacy_config_address(0, 0, 0, 0xffc, 4).error(), Error::OutOfRange);
    EXPECT_EQ(legacy_config_address(0, 32, 0, 0, 4).error(), Error::OutOfRange);
    EXPECT_EQ(legacy_config_address(0, 0, 8, 0, 4).error(), Error::OutOfRange);
    // Widths other than 1, 2, 4, and accesses crossing their natural boundary.
    EXPECT_EQ(legacy_config_address(0, 0, 0, 0, 3).error(), Error::InvalidArgument);
    EXPECT_EQ(legacy_config_address(0, 0, 0, 0, 8).error(), Error::InvalidArgument);
    EXPECT_EQ(legacy_config_address(0, 0, 0, 0, 0).error(), Error::InvalidArgument);
    EXPECT_EQ(legacy_config_address(0, 0, 0, 0x11, 2).error(), Error::InvalidArgument);
    EXPECT_EQ(legacy_config_address(0, 0, 0, 0x3e, 4).error(), Error::InvalidArgument);
}

TEST(PciConfig, PortsNeedAChipsetThatKeepsConfigAddress) {
    SimChipset none;
    none.decodes = false;  // microvm
    ConfigSpace space;
    EXPECT_EQ(space.use_ports(none.io()).error(), Error::NotFound);
    EXPECT_EQ(space.mechanism(), ConfigSpace::Mechanism::None);
    EXPECT_EQ(space.read(0, 0, 0, 0, 4).error(), Error::BadState);

    SimChipset pc;
    pc.address = 0x80000808;  // whatever firmware left there is put back
    ASSERT_TRUE(space.use_ports(pc.io()).ok());
    EXPECT_EQ(space.mechanism(), ConfigSpace::Mechanism::Ports);
    EXPECT_EQ(space.size(), kConventionalConfigSize);
    EXPECT_EQ(pc.address, 0x80000808u);
    EXPECT_EQ(space.use_ports(PortIo {}).error(), Error::InvalidArgument);
}

TEST(PciConfig, BytesAndWordsUseTheirLaneOfConfigData) {
    SimChipset pc;
    pc.functions[3 << 3] = SimFunction::make(0x1af4, 0x1044, 0, 1, 11);
    ConfigSpace space;
    ASSERT_TRUE(space.use_ports(pc.io()).ok());
    pc.log.clear();

    EXPECT_EQ(space.read(0, 3, 0, kInterruptPin, 1).value(), 1u);
    ASSERT_EQ(pc.log.size(), 2u);
    EXPECT_TRUE(pc.log[0].out);
    EXPECT_EQ(pc.log[0].port, kConfigAddressPort);
    EXPECT_EQ(pc.log[0].value, 0x8000183cu);
    EXPECT_EQ(pc.log[1].port, 0xcfd);
    EXPECT_EQ(pc.log[1].width, 1u);

    pc.log.clear();
    EXPECT_EQ(space.read(0, 3, 0, kDeviceId, 2).value(), 0x1044u);
    EXPECT_EQ(pc.log[1].port, 0xcfe);
    EXPECT_EQ(pc.log[1].width, 2u);
    EXPECT_EQ(space.read(0, 3, 0, kVendorId, 4).value(), 0x10441af4u);

    pc.log.clear();
    ASSERT_TRUE(space.write(0, 3, 0, kCommand + 1, 1, 0x04).ok());
    EXPECT_EQ(pc.log[1].port, 0xcfd);
    EXPECT_TRUE(pc.log[1].out);
    EXPECT_EQ(pc.functions[3 << 3].bytes[kCommand + 1], 0x04);

    // Nothing there: all ones, as a master abort reads (PCI 6.1).
    EXPECT_EQ(space.read(0, 4, 0, kVendorId, 2).value(), 0xffffu);
}

TEST(PciConfig, ExtendedOffsetsFailBeforeAnyPortIsTouched) {
    SimChipset pc;
    pc.functions[3 << 3] = SimFunction::make(0x1af4, 0x1044, 0, 1, 11);
    PciHost host;
    ASSERT_TRUE(host.init_ports(pc.io()).ok());
    pc.log.clear();
    Function f;
    f.device = 3;
    EXPECT_EQ(host.read32(f, 0x100).error(), Error::OutOfRange);
    EXPECT_EQ(host.read8(f, 0x1fd).error(), Error::OutOfRange);  // would alias 0xfd
    EXPECT_EQ(host.write32(f, 0x110, 1).error(), Error::OutOfRange);
    EXPECT_EQ(host.read16(f, 0x3d).error(), Error::InvalidArgument);
    EXPECT_TRUE(pc.log.empty());
    // The last bytes of the conventional space are still reachable.
    EXPECT_TRUE(host.read32(f, 0xfc).ok());
    EXPECT_TRUE(host.read8(f, 0xff).ok());
}

TEST(PciConfig, HostEnumeratesAndSizesBarsThroughPorts) {
    SimChipset pc;
    pc.functions[0] = SimFunction::make(0x8086, 0x1237, 0, 0, 0xff);         // i440fx host bridge
    pc.functions[1 << 3] = SimFunction::make(0x8086, 0x7000, 0x80, 0, 0xff);  // PIIX3, multi-function
    pc.functions[1 << 3 | 1] = SimFunction::make(0x8086, 0x7010, 0, 0, 0xff);
    SimFunction virtio = SimFunction::make(0x1af4, 0x1044, 0, 1, 11);
    // BAR 1: 32-bit, 4 KiB, at 0xfebf1000; BAR 4-5: 64-bit prefetchable,
    // 16 KiB, at 0xfebf4000 (QEMU's virtio-pci layout).
    SimFunction::put(virtio.bytes, kBar0 + 4 * 1, 0xfebf1000, 4);
    virtio.bar_mask[1] = ~u32(0xfff);
    SimFunction::put(virtio.bytes, kBar0 + 4 * 4, 0xfebf400c, 4);
    virtio.flags[4] = 0xc;
    virtio.bar_mask[4] = ~u32(0x3fff);
    virtio.bar_mask[5] = ~u32(0);
    pc.functions[3 << 3] = virtio;
    pc.functions[5 << 3 | 2] = SimFunction::make(0x1234, 0x5678, 0, 0, 0xff);  // no function 0: not scanned

    PciHost host;
    ASSERT_TRUE(host.init_ports(pc.io()).ok());
    EXPECT_EQ(host.config_space().mechanism(), ConfigSpace::Mechanism::Ports);
    std::vector<Function> found;
    host.for_each_function([&](Function& f) { found.push_back(f); });
    ASSERT_EQ(found.size(), 4u);
    EXPECT_EQ(found[1].device_id, 0x7000);
    EXPECT_EQ(found[2].function, 1);
    const Function& v = found[3];
    EXPECT_EQ(v.device, 3);
    EXPECT_EQ(v.vendor, 0x1af4);
    EXPECT_EQ(v.pin, 1);
    EXPECT_EQ(v.line, 11);

    // Sized through the ports: all ones written, read back, restored.
    Function copy = v;
    AddressRange window {0xc0000000, 0x3ec00000};  // a PCI hole below 0xfec00000
    auto r = host.use_assigned_bars(copy, Span<const AddressRange>(&window, 1), Span<const AddressRange>());
    ASSERT_TRUE(r.ok()) << error_name(r.error());
    EXPECT_EQ(copy.bars[1].cpu, 0xfebf1000u);
    EXPECT_EQ(copy.bars[1].size, 0x1000u);
    EXPECT_FALSE(copy.bars[1].is64);
    EXPECT_EQ(copy.bars[4].cpu, 0xfebf4000u);
    EXPECT_EQ(copy.bars[4].size, 0x4000u);
    EXPECT_TRUE(copy.bars[4].is64);
    EXPECT_EQ(copy.bars[0].cpu, 0u);  // not implemented
    // Decoding and bus mastering on, the BARs' values restored.
    const u8* regs = pc.functions[3 << 3].bytes;
    EXPECT_EQ(SimFunction::get(regs, kCommand, 2) & 6, 6u);
    EXPECT_EQ(SimFunction::get(regs, kBar0 + 4, 4), 0xfebf1000u);
    EXPECT_EQ(SimFunction::get(regs, kBar0 + 16, 4), 0xfebf400cu);
    EXPECT_EQ(SimFunction::get(regs, kBar0 + 20, 4), 0u);
}

// The same PciHost over ECAM: extended space is reachable there, and only
// the mapped bus is.
alignas(4096) u8 g_ecam[1 << 20];

TEST(PciConfig, EcamReachesExtendedSpaceOfItsBusOnly) {
    std::memset(g_ecam, 0xff, sizeof(g_ecam));
    PciHost host;
    auto map = [](u64, u64 size) -> Result<volatile u8*> {
        if (size > sizeof(g_ecam)) return Error::NoMemory;
        return static_cast<volatile u8*>(g_ecam);
    };
    ASSERT_TRUE(host.init_ecam(0xb0000000, 0, 255, map).ok());
    EXPECT_EQ(host.config_space().mechanism(), ConfigSpace::Mechanism::Ecam);
    EXPECT_EQ(host.config_space().size(), kExtendedConfigSize);
    Function f;
    f.device = 2;
    u32 at = (2 << 15) + 0x100;
    SimFunction::put(g_ecam, at, 0x12345678, 4);
    EXPECT_EQ(host.read32(f, 0x100).value(), 0x12345678u);
    EXPECT_EQ(host.read32(f, 0x1000).error(), Error::OutOfRange);
    f.bus = 1;
    EXPECT_EQ(host.read32(f, 0).error(), Error::OutOfRange);
}

}  // namespace
