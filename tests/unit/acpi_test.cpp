// Tests of the ACPI table parser (kernel/firmware/acpi.hpp).
//
// The real tables are what QEMU 7.2 gives a PVH guest on q35 (RSDT, rev 0
// RSDP) and on microvm (XSDT only, hardware-reduced FADT), dumped by the
// kernel itself (tests/data/acpi/README.md). The crafted ones exercise each
// AcpiFault and every decoder's bounds; the sweeps flip and cut bytes of the
// real tables, which must never crash and never read outside them.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <map>
#include <string>
#include <vector>

#include "firmware/acpi.hpp"

using namespace mote;
using namespace mote::acpi;

namespace {

// Physical memory made of separate regions; a read must lie inside one.
class FakeMemory final : public Memory {
public:
    void put(u64 phys, std::vector<u8> bytes) { m_regions[phys] = std::move(bytes); }
    std::vector<u8>& at(u64 phys) { return m_regions.at(phys); }

    ReadonlyBytes read(u64 phys, usize length) override {
        ++reads;
        auto it = m_regions.upper_bound(phys);
        if (it == m_regions.begin()) return {};
        --it;
        u64 offset = phys - it->first;
        if (offset > it->second.size() || length > it->second.size() - offset) return {};
        return ReadonlyBytes(it->second.data() + offset, length);
    }

    usize reads = 0;

private:
    std::map<u64, std::vector<u8>> m_regions;
};

std::vector<u8> read_file(const std::string& path) {
    std::vector<u8> bytes;
    std::FILE* f = std::fopen(path.c_str(), "rb");
    EXPECT_NE(f, nullptr) << path;
    if (!f) return bytes;
    u8 chunk[4096];
    usize n;
    while ((n = std::fread(chunk, 1, sizeof chunk, f)) > 0) bytes.insert(bytes.end(), chunk, chunk + n);
    std::fclose(f);
    return bytes;
}

// Loads tests/data/acpi/<dir>/<SIG>@<hexphys>.bin into `memory`; returns
// the RSDP's address.
u64 load_dump(const char* dir, FakeMemory& memory) {
    std::string path = std::string(MOTE_TEST_DATA) + "/acpi/" + dir;
    DIR* d = opendir(path.c_str());
    EXPECT_NE(d, nullptr) << path;
    u64 rsdp = 0;
    if (!d) return 0;
    while (dirent* e = readdir(d)) {
        std::string name = e->d_name;
        auto at = name.find('@');
        if (at != 4 || name.size() < 10) continue;
        u64 phys = std::stoull(name.substr(5, name.size() - 9), nullptr, 16);
        memory.put(phys, read_file(path + "/" + name));
        if (name.compare(0, 4, "RSDP") == 0) rsdp = phys;
    }
    closedir(d);
    return rsdp;
}

void fix_checksum(std::vector<u8>& t, usize at = 9, usize length = 0) {
    if (!length) length = t.size();
    t[at] = 0;
    u8 sum = 0;
    for (usize i = 0; i < length; ++i) sum = u8(sum + t[i]);
    t[at] = u8(-sum);
}

void put32(std::vector<u8>& t, usize at, u32 v) {
    for (int i = 0; i < 4; ++i) t[at + i] = u8(v >> (8 * i));
}
void put64(std::vector<u8>& t, usize at, u64 v) {
    for (int i = 0; i < 8; ++i) t[at + i] = u8(v >> (8 * i));
}

// A table with a valid header, `body` after it, and a correct checksum.
std::vector<u8> table(const char* signature, std::vector<u8> body, u8 revision = 1) {
    std::vector<u8> t(36, 0);
    std::memcpy(t.data(), signature, 4);
    t[8] = revision;
    std::memcpy(t.data() + 10, "MOTE  ", 6);
    t.insert(t.end(), body.begin(), body.end());
    put32(t, 4, u32(t.size()));
    fix_checksum(t);
    return t;
}

std::vector<u8> rsdp(u8 revision, u32 rsdt, u64 xsdt) {
    std::vector<u8> r(revision >= 2 ? 36 : 20, 0);
    std::memcpy(r.data(), "RSD PTR ", 8);
    std::memcpy(r.data() + 9, "MOTE  ", 6);
    r[15] = revision;
    put32(r, 16, rsdt);
    if (revision >= 2) {
        put32(r, 20, 36);
        put64(r, 24, xsdt);
    }
    fix_checksum(r, 8, 20);
    if (revision >= 2) fix_checksum(r, 32, 36);
    return r;
}

std::vector<u8> rsdt_of(std::vector<u32> entries) {
    std::vector<u8> body(entries.size() * 4);
    for (usize i = 0; i < entries.size(); ++i) put32(body, i * 4, entries[i]);
    return table("RSDT", body);
}

std::vector<u8> xsdt_of(std::vector<u64> entries) {
    std::vector<u8> body(entries.size() * 8);
    for (usize i = 0; i < entries.size(); ++i) put64(body, i * 8, entries[i]);
    return table("XSDT", body);
}

std::string sig(const Table& t) { return std::string(t.signature, 4); }

}  // namespace

TEST(Acpi, QemuQ35) {
    FakeMemory memory;
    u64 at = load_dump("qemu-q35", memory);
    ASSERT_NE(at, 0u);
    Tables tables;
    AcpiFault fault = AcpiFault::BadStructure;
    ASSERT_TRUE(tables.load(memory, at, &fault).ok()) << acpi_fault_name(fault);
    EXPECT_EQ(fault, AcpiFault::None);
    EXPECT_EQ(tables.rsdp().revision, 0);
    EXPECT_FALSE(tables.uses_xsdt());
    EXPECT_EQ(tables.skipped_total(), 0u);
    EXPECT_EQ(tables.tables().size(), 7u);  // RSDT FACP APIC HPET MCFG WAET DSDT
    for (const char* s : {"RSDT", "FACP", "APIC", "HPET", "MCFG", "WAET", "DSDT"}) EXPECT_TRUE(tables.find(s).ok()) << s;

    auto madt = parse_madt(tables.find("APIC").value());
    ASSERT_TRUE(madt.ok());
    EXPECT_EQ(madt.value().local_apic, 0xfee00000u);
    EXPECT_TRUE(madt.value().pcat_compat);
    EXPECT_EQ(madt.value().cpu_count, 1u);
    ASSERT_EQ(madt.value().io_apic_count, 1u);
    EXPECT_EQ(madt.value().io_apics[0].address, 0xfec00000u);
    EXPECT_EQ(madt.value().io_apics[0].gsi_base, 0u);
    EXPECT_EQ(madt.value().override_count, 5u);
    // The PIT's IRQ 0 is wired to GSI 2 on every QEMU PC; COM1 stays on 4.
    EXPECT_EQ(madt.value().isa_irq(0).gsi, 2u);
    EXPECT_EQ(madt.value().isa_irq(4).gsi, 4u);
    EXPECT_FALSE(madt.value().isa_irq(4).level());
    // The SCI (IRQ 9) is level-triggered, active high.
    EXPECT_TRUE(madt.value().isa_irq(9).level());
    EXPECT_FALSE(madt.value().isa_irq(9).active_low());
    // PCI INTx that SeaBIOS routed to IRQ 10 or 11: QEMU's overrides make
    // them level, active high, on the same GSI.
    for (u8 line : {10, 11}) {
        auto route = madt.value().pci_irq(line);
        ASSERT_TRUE(route.ok());
        EXPECT_EQ(route.value().gsi, line);
        EXPECT_TRUE(route.value().level);
        EXPECT_FALSE(route.value().active_low);
    }
    // No override for IRQ 3: PCI's own convention, level and active low.
    ASSERT_TRUE(madt.value().pci_irq(3).ok());
    EXPECT_TRUE(madt.value().pci_irq(3).value().level);
    EXPECT_TRUE(madt.value().pci_irq(3).value().active_low);
    EXPECT_EQ(madt.value().pci_irq(0xff).error(), Error::NotFound);  // "not connected"
    EXPECT_EQ(madt.value().pci_irq(16).error(), Error::NotFound);

    auto mcfg = parse_mcfg(tables.find("MCFG").value());
    ASSERT_TRUE(mcfg.ok());
    ASSERT_EQ(mcfg.value().count, 1u);
    EXPECT_EQ(mcfg.value().regions[0].base, 0xb0000000u);
    EXPECT_EQ(mcfg.value().regions[0].bus_start, 0);
    EXPECT_EQ(mcfg.value().regions[0].bus_end, 255);

    auto fadt = parse_fadt(tables.find("FACP").value());
    ASSERT_TRUE(fadt.ok());
    EXPECT_FALSE(fadt.value().hardware_reduced);
    EXPECT_EQ(fadt.value().pm1a_control.space, Gas::Io);
    EXPECT_EQ(fadt.value().pm1a_control.address, 0x604u);
    EXPECT_EQ(fadt.value().pm_timer.address, 0x608u);
    EXPECT_EQ(fadt.value().reset_register.address, 0xcf9u);
    EXPECT_EQ(fadt.value().reset_value, 0x0f);  // QEMU ICH9: full reset through 0xcf9
    EXPECT_EQ(fadt.value().century, 0x32);      // the CMOS RTC's century byte (QEMU's RTC_CENTURY)
    EXPECT_TRUE(fadt.value().has_cmos_rtc());
    EXPECT_EQ(fadt.value().dsdt, tables.find("DSDT").value().phys);

    auto s5 = find_s5(tables.find("DSDT").value());
    ASSERT_TRUE(s5.ok());
    EXPECT_EQ(s5.value().a, 0);  // ICH9: sleep type 0 is soft-off

    auto hpet = parse_hpet(tables.find("HPET").value());
    ASSERT_TRUE(hpet.ok());
    EXPECT_EQ(hpet.value().base, 0xfed00000u);

    PowerControl power = power_control(fadt.value(), s5);
    EXPECT_TRUE(power.s5_known);
    EXPECT_TRUE(power.pm1a_control.present());
    EXPECT_FALSE(power.sleep_control.present());
}

TEST(Acpi, QemuMicrovm) {
    FakeMemory memory;
    u64 at = load_dump("qemu-microvm", memory);
    ASSERT_NE(at, 0u);
    Tables tables;
    ASSERT_TRUE(tables.load(memory, at).ok());
    // Revision 2 with an RSDT address of zero: the XSDT is the only root.
    EXPECT_EQ(tables.rsdp().revision, 2);
    EXPECT_EQ(tables.rsdp().rsdt, 0u);
    EXPECT_TRUE(tables.uses_xsdt());
    EXPECT_EQ(tables.tables().size(), 4u);  // XSDT FACP APIC DSDT
    EXPECT_TRUE(tables.find("MCFG").is_error());

    auto madt = parse_madt(tables.find("APIC").value());
    ASSERT_TRUE(madt.ok());
    EXPECT_EQ(madt.value().io_apic_count, 2u);
    EXPECT_EQ(madt.value().isa_irq(4).gsi, 4u);

    auto fadt = parse_fadt(tables.find("FACP").value());
    ASSERT_TRUE(fadt.ok());
    EXPECT_TRUE(fadt.value().hardware_reduced);
    EXPECT_EQ(fadt.value().century, 0);  // no century register named: the reader assumes 20xx
    EXPECT_TRUE(fadt.value().has_cmos_rtc());  // IAPC_BOOT_ARCH 0: the tables do not deny one
    EXPECT_FALSE(fadt.value().pm1a_control.present());
    EXPECT_FALSE(fadt.value().pm_timer.present());
    // The generic event device's registers, in memory.
    EXPECT_EQ(fadt.value().sleep_control.space, Gas::Memory);
    EXPECT_EQ(fadt.value().sleep_control.address, 0xfea00200u);
    EXPECT_EQ(fadt.value().reset_register.address, 0xfea00202u);

    auto s5 = find_s5(tables.find("DSDT").value());
    ASSERT_TRUE(s5.ok());
    EXPECT_EQ(s5.value().a, 5);  // QEMU's GED: ACPI_GED_SLP_TYP_S5
}

TEST(Acpi, RsdpFaults) {
    auto good = rsdp(2, 0x1000, 0x2000);
    AcpiFault fault;
    EXPECT_TRUE(parse_rsdp(ReadonlyBytes(good.data(), good.size()), &fault).ok());

    auto check = [&](std::vector<u8> bytes, AcpiFault expected) {
        AcpiFault f = AcpiFault::None;
        auto r = parse_rsdp(ReadonlyBytes(bytes.data(), bytes.size()), &f);
        EXPECT_TRUE(r.is_error());
        EXPECT_EQ(f, expected) << acpi_fault_name(f);
    };
    check(std::vector<u8>(good.begin(), good.begin() + 19), AcpiFault::TruncatedRsdp);
    auto bad = good;
    bad[0] = 'X';
    check(bad, AcpiFault::BadRsdpSignature);
    bad = good;
    bad[16] ^= 1;
    check(bad, AcpiFault::BadRsdpChecksum);
    bad = good;
    bad[24] ^= 1;  // only the extended checksum covers the XSDT address
    check(bad, AcpiFault::BadRsdpExtendedChecksum);
    bad = good;
    put32(bad, 20, 20);
    fix_checksum(bad, 8, 20);
    check(bad, AcpiFault::BadRsdpLength);
    check(std::vector<u8>(good.begin(), good.begin() + 30), AcpiFault::TruncatedRsdp);
}

TEST(Acpi, ScanFindsRsdpOnSixteenByteBoundary) {
    std::vector<u8> area(4096, 0);
    auto r = rsdp(0, 0x1000, 0);
    std::memcpy(area.data() + 8, r.data(), r.size());  // misaligned: not found
    EXPECT_TRUE(scan_for_rsdp(ReadonlyBytes(area.data(), area.size())).is_error());
    std::memcpy(area.data() + 0x230, r.data(), r.size());
    auto at = scan_for_rsdp(ReadonlyBytes(area.data(), area.size()));
    ASSERT_TRUE(at.ok());
    EXPECT_EQ(at.value(), 0x230u);
}

TEST(Acpi, XsdtWhenRevisionTwoElseRsdt) {
    FakeMemory memory;
    memory.put(0x1000, rsdt_of({0x3000}));
    memory.put(0x2000, xsdt_of({0x4000}));
    memory.put(0x3000, table("AAAA", {1, 2, 3}));
    memory.put(0x4000, table("BBBB", {4, 5, 6}));

    memory.put(0xe0000, rsdp(2, 0x1000, 0x2000));
    Tables t2;
    ASSERT_TRUE(t2.load(memory, 0xe0000).ok());
    EXPECT_TRUE(t2.uses_xsdt());
    EXPECT_TRUE(t2.find("BBBB").ok());
    EXPECT_TRUE(t2.find("AAAA").is_error());

    memory.put(0xe0000, rsdp(0, 0x1000, 0));
    Tables t0;
    ASSERT_TRUE(t0.load(memory, 0xe0000).ok());
    EXPECT_FALSE(t0.uses_xsdt());
    EXPECT_TRUE(t0.find("AAAA").ok());

    // Revision 2 without an XSDT falls back to the RSDT.
    memory.put(0xe0000, rsdp(2, 0x1000, 0));
    Tables t2r;
    ASSERT_TRUE(t2r.load(memory, 0xe0000).ok());
    EXPECT_FALSE(t2r.uses_xsdt());

    // Neither: nothing to load.
    memory.put(0xe0000, rsdp(2, 0, 0));
    Tables none;
    AcpiFault fault;
    EXPECT_TRUE(none.load(memory, 0xe0000, &fault).is_error());
    EXPECT_EQ(fault, AcpiFault::NoRootTable);
}

TEST(Acpi, BadTablesAreSkippedWithANamedFault) {
    FakeMemory memory;
    auto bad_checksum = table("CSUM", {1, 2, 3});
    bad_checksum[36] ^= 0xff;
    auto short_length = table("SHRT", {});
    put32(short_length, 4, 20);
    fix_checksum(short_length, 9, 20);
    auto huge = table("HUGE", {});
    put32(huge, 4, 0x7fffffff);
    auto past_end = table("PAST", {9, 9});
    put32(past_end, 4, 4096);
    memory.put(0x1000, rsdt_of({0x2000, 0x3000, 0x4000, 0x5000, 0x6000, 0x7000, 0xdead0000}));
    memory.put(0x2000, table("GOOD", {7}));
    memory.put(0x3000, bad_checksum);
    memory.put(0x4000, short_length);
    memory.put(0x5000, huge);
    memory.put(0x6000, past_end);
    memory.put(0x7000, table("GOOD", {8}));  // a second one of the same name
    memory.put(0xe0000, rsdp(0, 0x1000, 0));

    Tables tables;
    ASSERT_TRUE(tables.load(memory, 0xe0000).ok());
    EXPECT_TRUE(tables.find("GOOD", 0).ok());
    EXPECT_TRUE(tables.find("GOOD", 1).ok());
    EXPECT_TRUE(tables.find("GOOD", 2).is_error());
    EXPECT_TRUE(tables.find("CSUM").is_error());
    std::map<std::string, AcpiFault> skipped;
    for (const Skipped& s : tables.skipped()) skipped[std::string(s.signature)] = s.fault;
    EXPECT_EQ(tables.skipped_total(), 5u);
    EXPECT_EQ(skipped["CSUM"], AcpiFault::BadChecksum);
    EXPECT_EQ(skipped["SHRT"], AcpiFault::TruncatedTable);
    EXPECT_EQ(skipped["HUGE"], AcpiFault::TooLarge);
    EXPECT_EQ(skipped["PAST"], AcpiFault::TruncatedTable);
    EXPECT_EQ(skipped[""], AcpiFault::Unreadable);
}

TEST(Acpi, RootTableFaults) {
    FakeMemory memory;
    auto odd = rsdt_of({0x2000});
    odd.push_back(0);  // 37 + 4: not a whole number of entries
    put32(odd, 4, u32(odd.size()));
    fix_checksum(odd);
    memory.put(0x1000, odd);
    memory.put(0x8000, table("FACP", std::vector<u8>(80, 0)));  // not a root table
    memory.put(0xe0000, rsdp(0, 0x1000, 0));
    Tables tables;
    AcpiFault fault;
    EXPECT_TRUE(tables.load(memory, 0xe0000, &fault).is_error());
    EXPECT_EQ(fault, AcpiFault::BadRootLength);

    memory.put(0xe0000, rsdp(0, 0x8000, 0));
    EXPECT_TRUE(tables.load(memory, 0xe0000, &fault).is_error());
    EXPECT_EQ(fault, AcpiFault::BadSignature);

    memory.put(0xe0000, rsdp(0, 0x9000, 0));
    EXPECT_TRUE(tables.load(memory, 0xe0000, &fault).is_error());
    EXPECT_EQ(fault, AcpiFault::Unreadable);

    EXPECT_TRUE(tables.load(memory, 0, &fault).is_error());
}

TEST(Acpi, TooManyTablesAreCountedNotStored) {
    FakeMemory memory;
    std::vector<u32> entries;
    for (u32 i = 0; i < Tables::kMaxTables + 5; ++i) {
        entries.push_back(0x10000 + i * 0x100);
        memory.put(0x10000 + i * 0x100, table("MANY", {u8(i)}));
    }
    memory.put(0x1000, rsdt_of(entries));
    memory.put(0xe0000, rsdp(0, 0x1000, 0));
    Tables tables;
    ASSERT_TRUE(tables.load(memory, 0xe0000).ok());
    EXPECT_EQ(tables.tables().size(), Tables::kMaxTables);
    EXPECT_EQ(tables.skipped_total(), 6u);  // the RSDT took a slot too
}

TEST(Acpi, MadtEntriesMustFit) {
    auto madt_with = [](std::vector<u8> entries) {
        std::vector<u8> body = {0, 0, 0xe0, 0xfe, 1, 0, 0, 0};
        body.insert(body.end(), entries.begin(), entries.end());
        return table("APIC", body);
    };
    auto parse = [](std::vector<u8> t) {
        static std::vector<u8> keep;
        keep = t;
        Table tab;
        tab.bytes = ReadonlyBytes(keep.data(), keep.size());
        return parse_madt(tab);
    };
    auto ok = parse(madt_with({0, 8, 0, 0, 1, 0, 0, 0, 1, 12, 2, 0, 0, 0, 0xc0, 0xfe, 0, 0, 0, 0,
                               2, 10, 0, 0, 2, 0, 0, 0, 0, 0, 5, 12, 0, 0, 0, 0, 0xd0, 0xfe, 0, 0, 0, 0}));
    ASSERT_TRUE(ok.ok());
    EXPECT_EQ(ok.value().local_apic, 0xfed00000u);  // the type 5 override wins
    EXPECT_EQ(ok.value().io_apics[0].address, 0xfec00000u);
    EXPECT_EQ(ok.value().isa_irq(0).gsi, 2u);
    // Override flags (MPS INTI): polarity 10b and trigger 10b are reserved.
    auto flags = [&](u8 f) {
        return parse(madt_with({2, 10, 0, 10, 20, 0, 0, 0, f, 0})).value().pci_irq(10);
    };
    EXPECT_EQ(flags(0x0).value().gsi, 20u);
    EXPECT_TRUE(flags(0x0).value().level && flags(0x0).value().active_low);   // conforms: PCI
    EXPECT_TRUE(!flags(0x5).value().level && !flags(0x5).value().active_low); // edge, high
    EXPECT_TRUE(flags(0xf).value().level && flags(0xf).value().active_low);   // level, low
    EXPECT_EQ(flags(0x2).error(), Error::Malformed);
    EXPECT_EQ(flags(0x8).error(), Error::Malformed);
    EXPECT_TRUE(parse(madt_with({0, 0})).is_error());            // zero length: would loop forever
    EXPECT_TRUE(parse(madt_with({1, 12, 0, 0})).is_error());     // runs past the table
    EXPECT_TRUE(parse(madt_with({1, 6, 0, 0, 0, 0})).is_error());  // shorter than an I/O APIC entry
    EXPECT_TRUE(parse(madt_with({2, 8, 0, 0, 0, 0, 0, 0})).is_error());
    EXPECT_TRUE(parse(madt_with({7})).is_error());               // a lone type byte
    EXPECT_TRUE(parse(table("APIC", {0, 0})).is_error());        // no flags field
    auto unknown = parse(madt_with({0x7f, 3, 0}));               // unknown types are stepped over
    EXPECT_TRUE(unknown.ok());
}

TEST(Acpi, McfgFadtHpetBounds) {
    static std::vector<u8> keep;
    auto as_table = [](std::vector<u8> t) {
        keep = t;
        Table tab;
        tab.bytes = ReadonlyBytes(keep.data(), keep.size());
        return tab;
    };
    std::vector<u8> body(8, 0);
    std::vector<u8> region(16, 0);
    put64(region, 0, 0xb0000000);
    region[11] = 255;
    auto b = body;
    b.insert(b.end(), region.begin(), region.end());
    EXPECT_TRUE(parse_mcfg(as_table(table("MCFG", b))).ok());
    auto partial = b;
    partial.pop_back();
    EXPECT_TRUE(parse_mcfg(as_table(table("MCFG", partial))).is_error());
    auto reversed = b;
    reversed[8 + 10] = 9;
    reversed[8 + 11] = 1;
    EXPECT_TRUE(parse_mcfg(as_table(table("MCFG", reversed))).is_error());
    auto wrap = b;
    put64(wrap, 8, 0xfffffffffff00000);
    EXPECT_TRUE(parse_mcfg(as_table(table("MCFG", wrap))).is_error());

    EXPECT_TRUE(parse_fadt(as_table(table("FACP", std::vector<u8>(79, 0)))).is_error());
    auto v1 = parse_fadt(as_table(table("FACP", std::vector<u8>(80, 0))));
    ASSERT_TRUE(v1.ok());  // ACPI 1.0 size: no reset register, no X_ fields
    EXPECT_FALSE(v1.value().reset_register.present());

    EXPECT_TRUE(parse_hpet(as_table(table("HPET", std::vector<u8>(10, 0)))).is_error());
}

TEST(Acpi, S5Package) {
    static std::vector<u8> keep;
    auto s5 = [](std::vector<u8> aml) {
        keep = table("DSDT", aml);
        Table tab;
        tab.bytes = ReadonlyBytes(keep.data(), keep.size());
        return find_s5(tab);
    };
    auto r = s5({0x10, 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x0a, 0x07, 0x01, 0x00, 0x00});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value().a, 7);
    EXPECT_EQ(r.value().b, 1);
    auto rooted = s5({0x08, '\\', '_', 'S', '5', '_', 0x12, 0x04, 0x01, 0x0a, 0x05});
    ASSERT_TRUE(rooted.ok());
    EXPECT_EQ(rooted.value().a, 5);
    EXPECT_EQ(rooted.value().b, 5);
    // Two-byte PkgLength: 0x41 0x00 = lead nibble 1 + 0x00 << 4 = 1... too short for NumElements.
    EXPECT_TRUE(s5({0x08, '_', 'S', '5', '_', 0x12, 0x41, 0x00}).is_error());
    EXPECT_TRUE(s5({0x08, '_', 'S', '5', '_', 0x12, 0x30, 0x02}).is_error());      // length past the table
    EXPECT_TRUE(s5({0x08, '_', 'S', '5', '_', 0x0a, 0x05}).is_error());            // not a package
    EXPECT_TRUE(s5({0x08, '_', 'S', '5', '_', 0x12, 0x03, 0x01, 0x0a}).is_error());  // byte prefix cut off
    EXPECT_TRUE(s5({0x08, '_', 'S', '5', '_', 0x12, 0x02, 0x00}).is_error());      // no elements
    EXPECT_TRUE(s5({0x08, '_', 'S', '5', '_', 0x12}).is_error());                  // ends at PackageOp
    EXPECT_TRUE(s5({0x14, '_', 'S', '5', '_', 0x00}).error() == Error::NotFound);  // a method, not a name
    EXPECT_TRUE(s5({'_', 'S', '5', '_'}).error() == Error::NotFound);
}

TEST(Acpi, TruncationAndBitFlipSweepsOfRealTablesNeverCrash) {
    FakeMemory memory;
    u64 at = load_dump("qemu-q35", memory);
    Tables reference;
    ASSERT_TRUE(reference.load(memory, at).ok());
    for (const Table& t : reference.tables()) {
        std::vector<u8> bytes(t.bytes.begin(), t.bytes.end());
        for (usize cut = 0; cut <= bytes.size(); cut += (bytes.size() > 512 ? 37 : 1)) {
            std::vector<u8> copy(bytes.begin(), bytes.begin() + cut);
            Table tab = t;
            tab.bytes = ReadonlyBytes(copy.data(), copy.size());
            (void)validate_table(tab.bytes);
            (void)parse_madt(tab);
            (void)parse_mcfg(tab);
            (void)parse_fadt(tab);
            (void)parse_hpet(tab);
            (void)find_s5(tab);
        }
        for (usize i = 0; i < bytes.size() && i < 300; ++i) {
            for (u8 flip : {u8(0x01), u8(0x80), u8(0xff)}) {
                std::vector<u8> copy = bytes;
                copy[i] ^= flip;
                Table tab = t;
                tab.bytes = ReadonlyBytes(copy.data(), copy.size());
                EXPECT_TRUE(validate_table(tab.bytes).is_error() || i == 4 || i == 5 || i == 6 || i == 7);
                (void)parse_madt(tab);
                (void)parse_mcfg(tab);
                (void)parse_fadt(tab);
                (void)parse_hpet(tab);
                (void)find_s5(tab);
            }
        }
    }
}

TEST(Acpi, FaultNamesAreDistinct) {
    std::map<std::string, int> names;
    for (usize i = 0; i < kAcpiFaultCount; ++i) ++names[acpi_fault_name(AcpiFault(i))];
    EXPECT_EQ(names.size(), kAcpiFaultCount);
    EXPECT_EQ(names.count("Unknown"), 0u);
}

// microvm booted with -device virtio-rng-device -device virtio-net-device:
// QEMU lists the used virtio-mmio slots in the DSDT, top slot first.
TEST(Acpi, MicrovmVirtioMmioFromTheDsdt) {
    FakeMemory memory;
    u64 at = load_dump("qemu-microvm-virtio", memory);
    Tables tables;
    ASSERT_TRUE(tables.load(memory, at).ok());
    MmioDevices found = find_mmio_devices(tables.find("DSDT").value(), "LNRO0005");
    EXPECT_EQ(found.bad, 0u);
    ASSERT_EQ(found.count, 2u);
    EXPECT_EQ(found.devices[0].base, 0xfeb02e00u);
    EXPECT_EQ(found.devices[0].size, 0x200u);
    EXPECT_EQ(found.devices[0].gsi, 47u);
    EXPECT_TRUE(found.devices[0].level);
    EXPECT_FALSE(found.devices[0].active_low);
    EXPECT_EQ(found.devices[1].base, 0xfeb02c00u);
    EXPECT_EQ(found.devices[1].gsi, 46u);
    // Cut anywhere, the scan finds fewer devices or bad ones, never garbage.
    Table dsdt = tables.find("DSDT").value();
    for (usize cut = 36; cut < dsdt.bytes.size(); ++cut) {
        Table t = dsdt;
        t.bytes = dsdt.bytes.first(cut);
        MmioDevices partial = find_mmio_devices(t, "LNRO0005");
        EXPECT_LE(partial.count, 2u);
        for (usize i = 0; i < partial.count; ++i) EXPECT_TRUE(partial.devices[i].gsi == 46 || partial.devices[i].gsi == 47);
    }
}
