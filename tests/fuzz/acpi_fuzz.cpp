// Feeds arbitrary bytes to the ACPI parser two ways: as physical memory
// holding an RSDP at address 0x1000 and whatever tables its pointers reach
// (Tables::load and then every decoder on every table it accepted), and as
// one table given straight to every decoder. A malformed table must be
// skipped or rejected; any crash, sanitizer report or VERIFY failure is a
// bug. Seeds (seeds/acpi_fuzz, made by make_acpi_seeds.py) are QEMU's q35
// and microvm tables relocated into one image.
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/acpi.hpp"
#include "base/verify.hpp"

using namespace mote;
using namespace mote::acpi;

namespace {

constexpr u64 kBase = 0x1000;

// The input, at physical kBase..kBase + size.
class Image final : public Memory {
public:
    Image(const u8* data, usize size) : m_data(data), m_size(size) {}
    ReadonlyBytes read(u64 phys, usize length) override {
        if (phys < kBase || phys - kBase > m_size || length > m_size - (phys - kBase)) return {};
        return ReadonlyBytes(m_data + (phys - kBase), length);
    }

private:
    const u8* m_data;
    usize m_size;
};

volatile u64 g_sink;

void decode_all(const Table& t, u64& sink) {
    if (auto madt = parse_madt(t); madt.ok()) {
        VERIFY(madt.value().io_apic_count <= Madt::kMaxIoApics);
        VERIFY(madt.value().override_count <= Madt::kMaxOverrides);
        for (u8 irq = 0; irq < 16; ++irq) sink += madt.value().isa_irq(irq).gsi;
        for (u32 line = 0; line < 256; ++line)
            if (auto route = madt.value().pci_irq(u8(line)); route.ok()) sink += route.value().gsi;
    }
    if (auto mcfg = parse_mcfg(t); mcfg.ok()) {
        VERIFY(mcfg.value().count <= Mcfg::kMaxRegions);
        for (usize i = 0; i < mcfg.value().count; ++i) VERIFY(mcfg.value().regions[i].bus_start <= mcfg.value().regions[i].bus_end);
    }
    if (auto fadt = parse_fadt(t); fadt.ok()) {
        Result<SleepType> s5 = find_s5(t);
        PowerControl p = power_control(fadt.value(), s5);
        sink += p.pm1a_control.address + p.sleep_control.address + p.s5.a;
    }
    if (auto hpet = parse_hpet(t); hpet.ok()) sink += hpet.value().base;
    MmioDevices mmio = find_mmio_devices(t, "LNRO0005");
    VERIFY(mmio.count <= MmioDevices::kMax);
    for (usize i = 0; i < mmio.count; ++i) sink += mmio.devices[i].base + mmio.devices[i].gsi;
    if (auto s5 = find_s5(t); s5.ok()) {
        VERIFY(s5.value().a < 8 && s5.value().b < 8);
        sink += s5.value().a;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // An unaligned copy, so no read can assume alignment.
    uint8_t* copy = static_cast<uint8_t*>(malloc(size + 1));
    if (!copy) return 0;
    if (size) memcpy(copy + 1, data, size);
    u64 sink = 0;

    Image image(copy + 1, size);
    Tables tables;
    AcpiFault fault = AcpiFault::None;
    auto loaded = tables.load(image, kBase, &fault);
    VERIFY(acpi_fault_name(fault) != nullptr);
    if (loaded.ok()) {
        VERIFY(fault == AcpiFault::None);
        VERIFY(tables.tables().size() <= Tables::kMaxTables);
        for (const Table& t : tables.tables()) {
            // Every accepted table lies inside the image and sums to zero.
            VERIFY(t.bytes.data() >= copy + 1 && t.bytes.data() + t.bytes.size() <= copy + 1 + size);
            VERIFY(validate_table(t.bytes).ok());
            decode_all(t, sink);
        }
        for (const Skipped& s : tables.skipped()) sink += s.phys + u64(s.fault);
        (void)tables.find("APIC");
        (void)tables.find("FACP", 3);
    } else {
        VERIFY(fault != AcpiFault::None);
    }

    Table raw;
    raw.bytes = ReadonlyBytes(copy + 1, size);
    decode_all(raw, sink);
    (void)scan_for_rsdp(raw.bytes);

    g_sink = sink;
    free(copy);
    return 0;
}
