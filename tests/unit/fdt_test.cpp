// Tests of the flattened devicetree parser (kernel/base/fdt*.hpp).
//
// Three kinds: the trees QEMU 7.2 hands a guest (tests/data/dtb, see its
// README for the commands; the expected values were read off with
// `dtc -I dtb -O dts` when the files were made), a hand-written tree for the
// features QEMU does not use, and crafted malformed blobs, one or more per
// FdtFault, plus truncation and bit-flip sweeps that must never crash.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/fdt.hpp"

using namespace mote;
using namespace mote::fdt;

namespace {

constexpr u64 kMiB = 1024 * 1024;

std::vector<u8> load_dtb(const char* name) {
    std::string path = std::string(MOTE_TEST_DATA) + "/dtb/" + name;
    std::FILE* file = std::fopen(path.c_str(), "rb");
    EXPECT_NE(file, nullptr) << path;
    std::vector<u8> bytes;
    if (!file) return bytes;
    u8 chunk[4096];
    usize n;
    while ((n = std::fread(chunk, 1, sizeof chunk, file)) > 0) bytes.insert(bytes.end(), chunk, chunk + n);
    std::fclose(file);
    return bytes;
}

// The blobs stay loaded for the whole run: a parsed Fdt borrows its bytes.
const std::vector<u8>& dtb(const char* name) {
    static std::map<std::string, std::vector<u8>> cache;
    auto it = cache.find(name);
    if (it == cache.end()) it = cache.emplace(name, load_dtb(name)).first;
    return it->second;
}

ReadonlyBytes bytes_of(const std::vector<u8>& v) { return ReadonlyBytes(v.data(), v.size()); }

Fdt parse_ok(const std::vector<u8>& blob) {
    FdtFault fault = FdtFault::BadMagic;
    auto fdt = Fdt::parse(bytes_of(blob), &fault);
    EXPECT_TRUE(fdt.ok()) << fdt_fault_name(fault);
    EXPECT_EQ(fault, FdtFault::None);
    return fdt.release_value();
}

std::string str(StringView s) { return std::string(s.data(), s.length()); }

Node node_at(const Fdt& fdt, const char* path) {
    auto node = fdt.find_node(path);
    EXPECT_TRUE(node.ok()) << path;
    return node.release_value();
}

usize count_compatible(const Fdt& fdt, const char* compatible) {
    usize n = 0;
    fdt.for_each_compatible(compatible, [&](const Node&) { ++n; });
    return n;
}

std::vector<Reg> memory_ranges(const Fdt& fdt) {
    std::vector<Reg> out;
    fdt.for_each_memory([&](Reg r) { out.push_back(r); });
    return out;
}

std::vector<u32> interrupt_cells(const Interrupt& irq) {
    return std::vector<u32>(irq.cells, irq.cells + irq.cell_count);
}

// ---------------------------------------------------------------------------
// A builder for crafted blobs. It lays out header, reservation map,
// structure and strings the way dtc does; tests then corrupt the result.

void put32(std::vector<u8>& v, u32 x) {
    for (int shift = 24; shift >= 0; shift -= 8) v.push_back(u8(x >> shift));
}
void put64(std::vector<u8>& v, u64 x) {
    put32(v, u32(x >> 32));
    put32(v, u32(x));
}
void set32(std::vector<u8>& v, usize at, u32 x) {
    for (int i = 0; i < 4; ++i) v[at + i] = u8(x >> (24 - 8 * i));
}
u32 get32(const std::vector<u8>& v, usize at) { return load_be32(v.data() + at); }

// Header field offsets.
constexpr usize kHTotal = 4, kHStruct = 8, kHStrings = 12, kHRsvmap = 16, kHVersion = 20, kHLastComp = 24,
                kHStringsSize = 32, kHStructSize = 36;

class Builder {
public:
    Builder& begin(const std::string& name) {
        put32(m_struct, 1);
        for (char c : name) m_struct.push_back(u8(c));
        m_struct.push_back(0);
        pad();
        return *this;
    }
    Builder& end() {
        put32(m_struct, 2);
        return *this;
    }
    Builder& nop() {
        put32(m_struct, 4);
        return *this;
    }
    Builder& finish() {
        put32(m_struct, 9);
        return *this;
    }
    Builder& word(u32 w) {
        put32(m_struct, w);
        return *this;
    }
    Builder& raw(const std::vector<u8>& bytes) {
        m_struct.insert(m_struct.end(), bytes.begin(), bytes.end());
        return *this;
    }
    Builder& prop(const std::string& name, const std::vector<u8>& value) {
        return prop_at(string_offset(name), value);
    }
    Builder& prop_at(u32 name_offset, const std::vector<u8>& value) {
        put32(m_struct, 3);
        put32(m_struct, u32(value.size()));
        put32(m_struct, name_offset);
        m_struct.insert(m_struct.end(), value.begin(), value.end());
        pad();
        return *this;
    }
    Builder& prop_u32(const std::string& name, std::vector<u32> cells) {
        std::vector<u8> value;
        for (u32 c : cells) put32(value, c);
        return prop(name, value);
    }
    Builder& prop_str(const std::string& name, const std::string& s) {
        std::vector<u8> value(s.begin(), s.end());
        value.push_back(0);
        return prop(name, value);
    }
    Builder& reserve(u64 base, u64 size) {
        m_reserved.push_back({base, size});
        return *this;
    }
    Builder& strings_raw(const std::vector<u8>& bytes) {
        m_strings.insert(m_strings.end(), bytes.begin(), bytes.end());
        return *this;
    }
    u32 string_offset(const std::string& name) {
        std::string all(m_strings.begin(), m_strings.end());
        usize at = all.find(name + '\0');
        if (at != std::string::npos) return u32(at);
        u32 offset = u32(m_strings.size());
        m_strings.insert(m_strings.end(), name.begin(), name.end());
        m_strings.push_back(0);
        return offset;
    }

    // header (40) | rsvmap | struct | strings | padding to 8
    std::vector<u8> build(bool terminate_rsvmap = true) const {
        std::vector<u8> out;
        const u32 rsvmap = 40;
        const u32 rsv_size = u32(16 * (m_reserved.size() + (terminate_rsvmap ? 1 : 0)));
        const u32 structure = rsvmap + rsv_size;
        const u32 strings = structure + u32(m_struct.size());
        u32 total = strings + u32(m_strings.size());
        total = (total + 7) & ~7u;
        put32(out, kFdtMagic);
        put32(out, total);
        put32(out, structure);
        put32(out, strings);
        put32(out, rsvmap);
        put32(out, 17);
        put32(out, 16);
        put32(out, 0);
        put32(out, u32(m_strings.size()));
        put32(out, u32(m_struct.size()));
        for (auto [base, size] : m_reserved) {
            put64(out, base);
            put64(out, size);
        }
        if (terminate_rsvmap) {
            put64(out, 0);
            put64(out, 0);
        }
        out.insert(out.end(), m_struct.begin(), m_struct.end());
        out.insert(out.end(), m_strings.begin(), m_strings.end());
        out.resize(total, 0);
        return out;
    }

private:
    void pad() {
        while (m_struct.size() % 4) m_struct.push_back(0);
    }
    std::vector<u8> m_struct;
    std::vector<u8> m_strings;
    std::vector<std::pair<u64, u64>> m_reserved;
};

// The smallest valid tree with one property and one child, for corruption.
Builder minimal() {
    Builder b;
    b.begin("").prop_u32("#address-cells", {1}).prop_u32("#size-cells", {1});
    b.begin("dev@10").prop_u32("reg", {0x10, 0x20}).prop_str("compatible", "mote,dev").end();
    b.end().finish();
    return b;
}

FdtFault fault_of(const std::vector<u8>& blob) {
    FdtFault fault = FdtFault::None;
    auto fdt = Fdt::parse(bytes_of(blob), &fault);
    if (fdt.ok()) return FdtFault::None;
    EXPECT_EQ(fdt.error(), Error::Malformed);
    EXPECT_NE(fault, FdtFault::None);
    return fault;
}

// Walks every part of the API over a parsed tree, as a boot would and more.
// Anything may fail with an error; nothing may crash or trip a sanitizer.
usize exercise(const Fdt& fdt) {
    usize work = 0;
    fdt.for_each_node([&](const Node& node) {
        work += node.name().length() + node.base_name().length() + node.unit_address().length();
        for (Property p : node.properties()) {
            work += p.name().length() + p.size();
            (void)p.as_u32().value_or(0);
            (void)p.as_u64().value_or(0);
            (void)p.as_number().value_or(0);
            if (auto s = p.as_string(); s.ok()) work += s.value().length();
            if (auto list = p.as_strings(); list.ok()) {
                for (StringView s : list.value()) work += s.length() + 1;
                work += list.value().count();
            }
            (void)p.cells(1, 2).value_or(0);
        }
        for (Node c : node.children()) {
            auto again = node.child(c.name());
            EXPECT_TRUE(again.ok());
            ++work;
        }
        usize regs = node.reg_count().value_or(0);
        for (usize i = 0; i < regs && i < 16; ++i) (void)node.reg(i);
        (void)node.reg(regs);
        usize irqs = node.interrupt_count().value_or(0);
        for (usize i = 0; i < irqs && i < 8; ++i) (void)node.interrupt(i);
        (void)node.interrupt_parent();
        (void)node.phandle();
        (void)node.address_cells();
        (void)node.size_cells();
        (void)node.is_enabled();
        if (auto parent = node.parent(); parent.ok()) work += parent.value().name().length();
        return true;
    });
    for (const char* path : {"/", "/chosen", "/cpus/cpu@0", "/soc/serial", "/memory", "serial0", "/aliases"})
        (void)fdt.find_node(path);
    (void)fdt.bootargs();
    (void)fdt.stdout_node();
    fdt.for_each_reserved([&](Reg r) { work += r.size != 0; });
    fdt.for_each_memory([&](Reg r) { work += r.size != 0; });
    fdt.for_each_reserved_memory([&](const Node&, Reg r) { work += r.size != 0; });
    for (u32 ph = 0; ph < 4; ++ph) (void)fdt.find_by_phandle(ph);
    return work;
}

}  // namespace

// ---------------------------------------------------------------------------
// QEMU riscv64 virt

TEST(FdtQemuRiscv, HeaderAndShape) {
    auto blob = load_dtb("qemu-riscv64-virt.dtb");
    Fdt fdt = parse_ok(blob);
    EXPECT_EQ(fdt.total_size(), 4222u);
    EXPECT_EQ(fdt.version(), 17u);
    EXPECT_EQ(fdt.boot_cpuid(), 0u);
    EXPECT_EQ(fdt.node_count(), 30u);  // dtc -O dts shows 30 nodes
    EXPECT_EQ(fdt.reserved_count(), 0u);
    Node root = fdt.root();
    EXPECT_TRUE(root.is_root());
    EXPECT_EQ(str(root.name()), "");
    EXPECT_TRUE(root.is_compatible("riscv-virtio"));
    EXPECT_EQ(str(root.property("model").value().as_string().value()), "riscv-virtio,qemu");
    EXPECT_EQ(root.address_cells(), 2u);
    EXPECT_EQ(root.size_cells(), 2u);
    usize visited = 0;
    fdt.for_each_node([&](const Node&) { ++visited; });
    EXPECT_EQ(visited, 30u);
}

TEST(FdtQemuRiscv, ChosenMemoryAndCpus) {
    Fdt fdt = parse_ok(dtb("qemu-riscv64-virt.dtb"));
    Node chosen = node_at(fdt, "/chosen");
    EXPECT_EQ(str(chosen.name()), "chosen");
    EXPECT_EQ(fdt.bootargs().error(), Error::NotFound);  // no -append
    EXPECT_EQ(str(fdt.stdout_path().value()), "/soc/serial@10000000");
    EXPECT_EQ(str(fdt.stdout_node().value().name()), "serial@10000000");
    EXPECT_EQ(chosen.property("rng-seed").value().size(), 32u);

    auto memory = memory_ranges(fdt);
    ASSERT_EQ(memory.size(), 1u);
    EXPECT_EQ(memory[0], (Reg {0x80000000, 128 * kMiB}));  // the default -m 128M
    EXPECT_EQ(str(node_at(fdt, "/memory").name()), "memory@80000000");

    Node cpus = node_at(fdt, "/cpus");
    EXPECT_EQ(cpus.address_cells(), 1u);
    EXPECT_EQ(cpus.size_cells(), 0u);
    EXPECT_EQ(cpus.property("timebase-frequency").value().as_number().value(), 10000000u);
    Node cpu0 = node_at(fdt, "/cpus/cpu@0");
    EXPECT_EQ(cpu0.reg(0).value(), (Reg {0, 0}));
    EXPECT_EQ(cpu0.reg(1).error(), Error::OutOfRange);
    EXPECT_EQ(str(cpu0.property("riscv,isa").value().as_string().value()).substr(0, 4), "rv64");
    EXPECT_TRUE(cpu0.is_enabled());
    EXPECT_EQ(node_at(fdt, "/cpus/cpu"), cpu0);  // base name matches the first cpu@N
    Node hart_intc = node_at(fdt, "/cpus/cpu@0/interrupt-controller");
    EXPECT_TRUE(hart_intc.is_compatible("riscv,cpu-intc"));
    EXPECT_EQ(hart_intc.parent().value(), cpu0);
    EXPECT_EQ(cpu0.parent().value(), cpus);
    EXPECT_EQ(cpus.parent().value(), fdt.root());
    EXPECT_EQ(fdt.root().parent().error(), Error::NotFound);
}

TEST(FdtQemuRiscv, UartPlicAndVirtio) {
    Fdt fdt = parse_ok(dtb("qemu-riscv64-virt.dtb"));
    std::vector<Node> uarts;
    fdt.for_each_compatible("ns16550a", [&](const Node& n) { uarts.push_back(n); });
    ASSERT_EQ(uarts.size(), 1u);
    Node uart = uarts[0];
    EXPECT_EQ(str(uart.name()), "serial@10000000");
    EXPECT_EQ(str(uart.base_name()), "serial");
    EXPECT_EQ(str(uart.unit_address()), "10000000");
    EXPECT_EQ(uart.reg_count().value(), 1u);
    EXPECT_EQ(uart.reg().value(), (Reg {0x10000000, 0x100}));
    EXPECT_EQ(uart.cpu_reg().value(), (Reg {0x10000000, 0x100}));  // /soc has an empty "ranges"
    // QEMU writes clock-frequency as one cell: 0x00384000.
    EXPECT_EQ(uart.property("clock-frequency").value().as_u32().value(), 3686400u);

    Node plic = node_at(fdt, "/soc/plic@c000000");
    EXPECT_TRUE(plic.is_compatible("riscv,plic0"));
    EXPECT_TRUE(plic.is_compatible("sifive,plic-1.0.0"));
    EXPECT_FALSE(plic.is_compatible("riscv"));
    EXPECT_EQ(plic.reg().value(), (Reg {0xc000000, 0x600000}));
    EXPECT_EQ(plic.interrupt_cells().value(), 1u);
    EXPECT_EQ(plic.phandle().value(), 3u);
    EXPECT_EQ(fdt.find_by_phandle(3).value(), plic);
    EXPECT_TRUE(plic.has_property("interrupt-controller"));
    EXPECT_TRUE(plic.property("interrupt-controller").value().is_empty());

    ASSERT_EQ(uart.interrupt_count().value(), 1u);
    Interrupt irq = uart.interrupt(0).value();
    EXPECT_EQ(irq.controller, plic);
    EXPECT_EQ(interrupt_cells(irq), std::vector<u32>({10}));
    EXPECT_EQ(uart.interrupt(1).error(), Error::OutOfRange);

    // The PLIC's own outputs go to the hart controllers through
    // interrupts-extended: M-mode external (11) and S-mode external (9).
    ASSERT_EQ(plic.interrupt_count().value(), 2u);
    Node hart_intc = node_at(fdt, "/cpus/cpu@0/interrupt-controller");
    EXPECT_EQ(plic.interrupt(0).value().controller, hart_intc);
    EXPECT_EQ(interrupt_cells(plic.interrupt(0).value()), std::vector<u32>({11}));
    EXPECT_EQ(interrupt_cells(plic.interrupt(1).value()), std::vector<u32>({9}));

    // Eight virtio-mmio transports at 0x10001000 + 0x1000*i, PLIC source 1 + i.
    std::set<u64> bases;
    fdt.for_each_compatible("virtio,mmio", [&](const Node& n) {
        Reg reg = n.reg().value();
        EXPECT_EQ(reg.size, 0x1000u);
        bases.insert(reg.base);
        Interrupt virq = n.interrupt(0).value();
        EXPECT_EQ(virq.controller, plic);
        EXPECT_EQ(virq.cells[0], (reg.base - 0x10000000) / 0x1000);
    });
    EXPECT_EQ(bases.size(), 8u);
    EXPECT_EQ(*bases.begin(), 0x10001000u);
    EXPECT_EQ(*bases.rbegin(), 0x10008000u);

    Node pci = node_at(fdt, "/soc/pci@30000000");
    EXPECT_EQ(pci.reg().value(), (Reg {0x30000000, 0x10000000}));
    EXPECT_EQ(pci.address_cells(), 3u);
    EXPECT_EQ(str(pci.property("device_type").value().as_string().value()), "pci");
}

TEST(FdtQemuRiscv, MemorySmpAndBootargs) {
    Fdt fdt = parse_ok(dtb("qemu-riscv64-virt-512m-smp2-append.dtb"));
    EXPECT_EQ(fdt.node_count(), 33u);
    EXPECT_EQ(str(fdt.bootargs().value()), "mote.log=debug");
    auto memory = memory_ranges(fdt);
    ASSERT_EQ(memory.size(), 1u);
    EXPECT_EQ(memory[0], (Reg {0x80000000, 512 * kMiB}));
    usize harts = 0;
    for (Node c : node_at(fdt, "/cpus").children()) {
        auto type = c.property("device_type");
        if (type.ok() && type.value().as_string().value() == "cpu") ++harts;
    }
    EXPECT_EQ(harts, 2u);
    // Each hart has its own interrupt controller with its own phandle.
    Node plic = node_at(fdt, "/soc/plic@c000000");
    ASSERT_EQ(plic.interrupt_count().value(), 4u);
    EXPECT_EQ(str(plic.interrupt(2).value().controller.parent().value().name()), "cpu@1");
}

// ---------------------------------------------------------------------------
// QEMU aarch64 virt

TEST(FdtQemuArm, Gicv2Pl011PsciVirtio) {
    Fdt fdt = parse_ok(dtb("qemu-aarch64-virt-gicv2.dtb"));
    EXPECT_EQ(fdt.total_size(), 1048576u);  // QEMU leaves room to grow
    EXPECT_EQ(fdt.node_count(), 56u);
    EXPECT_TRUE(fdt.root().is_compatible("linux,dummy-virt"));

    Node gic = node_at(fdt, "/intc@8000000");
    EXPECT_TRUE(gic.is_compatible("arm,cortex-a15-gic"));
    EXPECT_EQ(gic.reg_count().value(), 2u);
    EXPECT_EQ(gic.reg(0).value(), (Reg {0x8000000, 0x10000}));  // distributor
    EXPECT_EQ(gic.reg(1).value(), (Reg {0x8010000, 0x10000}));  // CPU interface
    EXPECT_EQ(gic.interrupt_cells().value(), 3u);
    EXPECT_EQ(count_compatible(fdt, "arm,gic-v2m-frame"), 1u);

    std::vector<Node> uarts;
    fdt.for_each_compatible("arm,pl011", [&](const Node& n) { uarts.push_back(n); });
    ASSERT_EQ(uarts.size(), 1u);
    EXPECT_EQ(uarts[0].reg().value(), (Reg {0x9000000, 0x1000}));
    // No interrupt-parent on the UART: it is inherited from the root.
    EXPECT_FALSE(uarts[0].has_property("interrupt-parent"));
    EXPECT_EQ(uarts[0].interrupt_parent().value(), gic);
    Interrupt irq = uarts[0].interrupt(0).value();
    EXPECT_EQ(irq.controller, gic);
    EXPECT_EQ(interrupt_cells(irq), std::vector<u32>({0, 1, 4}));  // SPI 1, level high
    EXPECT_EQ(str(fdt.stdout_path().value()), "/pl011@9000000");
    EXPECT_EQ(fdt.stdout_node().value(), uarts[0]);

    Node psci = node_at(fdt, "/psci");
    EXPECT_TRUE(psci.is_compatible("arm,psci-0.2"));
    EXPECT_EQ(str(psci.property("method").value().as_string().value()), "hvc");
    EXPECT_EQ(psci.property("cpu_on").value().as_u32().value(), 0xc4000003u);

    Node timer = node_at(fdt, "/timer");
    ASSERT_EQ(timer.interrupt_count().value(), 4u);
    EXPECT_EQ(interrupt_cells(timer.interrupt(1).value()), std::vector<u32>({1, 0xe, 0x104}));

    EXPECT_EQ(count_compatible(fdt, "virtio,mmio"), 32u);
    std::set<u64> bases;
    fdt.for_each_compatible("virtio,mmio", [&](const Node& n) {
        Reg reg = n.reg().value();
        bases.insert(reg.base);
        Interrupt virq = n.interrupt(0).value();
        EXPECT_EQ(virq.cells[0], 0u);  // SPI
        EXPECT_EQ(virq.cells[1], 0x10 + (reg.base - 0xa000000) / 0x200);
    });
    EXPECT_EQ(bases.size(), 32u);
    EXPECT_EQ(*bases.begin(), 0xa000000u);

    auto memory = memory_ranges(fdt);
    ASSERT_EQ(memory.size(), 1u);
    EXPECT_EQ(memory[0], (Reg {0x40000000, 128 * kMiB}));
    EXPECT_EQ(fdt.reserved_count(), 0u);
    EXPECT_EQ(fdt.bootargs().error(), Error::NotFound);

    Node clock = node_at(fdt, "/apb-pclk");
    EXPECT_EQ(clock.property("clock-frequency").value().as_number().value(), 24000000u);
    EXPECT_EQ(str(clock.property("clock-output-names").value().as_string().value()), "clk24mhz");
}

TEST(FdtQemuArm, Gicv3AndPcie) {
    Fdt fdt = parse_ok(dtb("qemu-aarch64-virt-gicv3.dtb"));
    EXPECT_EQ(fdt.node_count(), 56u);
    Node gic = node_at(fdt, "/intc@8000000");
    EXPECT_TRUE(gic.is_compatible("arm,gic-v3"));
    EXPECT_EQ(gic.reg(0).value(), (Reg {0x8000000, 0x10000}));   // distributor
    EXPECT_EQ(gic.reg(1).value(), (Reg {0x80a0000, 0xf60000}));  // redistributors
    EXPECT_EQ(gic.property("#redistributor-regions").value().as_u32().value(), 1u);
    Node its = node_at(fdt, "/intc/its@8080000");
    EXPECT_TRUE(its.is_compatible("arm,gic-v3-its"));
    EXPECT_EQ(its.reg().value(), (Reg {0x8080000, 0x20000}));
    EXPECT_EQ(its.cpu_reg().value(), (Reg {0x8080000, 0x20000}));
    EXPECT_EQ(fdt.find_by_phandle(its.phandle().value()).value(), its);
    EXPECT_EQ(node_at(fdt, "/pl011@9000000").interrupt(0).value().controller, gic);

    Node pcie = node_at(fdt, "/pcie");
    EXPECT_TRUE(pcie.is_compatible("pci-host-ecam-generic"));
    EXPECT_EQ(pcie.reg().value(), (Reg {0x4010000000, 0x10000000}));  // high ECAM
    EXPECT_EQ(count_compatible(fdt, "virtio,mmio"), 32u);
}

TEST(FdtQemuArm, MemorySmpAndBootargs) {
    Fdt fdt = parse_ok(dtb("qemu-aarch64-virt-gicv3-512m-smp2-append.dtb"));
    EXPECT_EQ(fdt.node_count(), 58u);
    EXPECT_EQ(str(fdt.bootargs().value()), "mote.log=debug");
    auto memory = memory_ranges(fdt);
    ASSERT_EQ(memory.size(), 1u);
    EXPECT_EQ(memory[0], (Reg {0x40000000, 512 * kMiB}));
    usize cpus = 0;
    for (Node c : node_at(fdt, "/cpus").children()) {
        if (!c.has_property("enable-method")) continue;
        EXPECT_EQ(str(c.property("enable-method").value().as_string().value()), "psci");
        EXPECT_EQ(c.reg().value().base, cpus);
        ++cpus;
    }
    EXPECT_EQ(cpus, 2u);
    // cpu-map refers to the cpus by phandle.
    Node core1 = node_at(fdt, "/cpus/cpu-map/socket0/cluster0/core1");
    u32 phandle = core1.property("cpu").value().as_u32().value();
    EXPECT_EQ(str(fdt.find_by_phandle(phandle).value().name()), "cpu@1");
}

TEST(FdtQemu, AllDumpsParseAndWalk) {
    for (const char* name : {"qemu-riscv64-virt.dtb", "qemu-riscv64-virt-512m-smp2-append.dtb",
                             "qemu-aarch64-virt-gicv2.dtb", "qemu-aarch64-virt-gicv3.dtb",
                             "qemu-aarch64-virt-gicv3-512m-smp2-append.dtb", "handmade.dtb"}) {
        SCOPED_TRACE(name);
        Fdt fdt = parse_ok(dtb(name));
        EXPECT_GT(exercise(fdt), 0u);
        // Every node is reachable by its own path, and back.
        fdt.for_each_node([&](const Node& node) {
            std::string path;
            for (Node n = node; !n.is_root(); n = n.parent().value()) path = "/" + str(n.name()) + path;
            if (path.empty()) path = "/";
            auto found = fdt.find_node(StringView(path.data(), path.size()));
            EXPECT_TRUE(found.ok()) << path;
            if (found.ok()) {
                EXPECT_EQ(found.value(), node) << path;
            }
        });
    }
}

// ---------------------------------------------------------------------------
// The hand-written tree

TEST(FdtHandmade, ReservationsMemoryAndAliases) {
    Fdt fdt = parse_ok(dtb("handmade.dtb"));
    std::vector<Reg> reserved;
    fdt.for_each_reserved([&](Reg r) { reserved.push_back(r); });
    ASSERT_EQ(reserved.size(), 2u);
    EXPECT_EQ(reserved[0], (Reg {0x80000000, 0x10000}));
    EXPECT_EQ(reserved[1], (Reg {0x88000000, 0x200000}));

    // Two enabled memory nodes, one with two ranges; the disabled one is skipped.
    auto memory = memory_ranges(fdt);
    ASSERT_EQ(memory.size(), 3u);
    EXPECT_EQ(memory[0], (Reg {0x80000000, 0x10000000}));
    EXPECT_EQ(memory[1], (Reg {0x100000000, 0x08000000}));
    EXPECT_EQ(memory[2], (Reg {0x110000000, 0x08000000}));

    std::vector<std::pair<std::string, Reg>> carve_outs;
    fdt.for_each_reserved_memory([&](const Node& n, Reg r) { carve_outs.push_back({str(n.name()), r}); });
    ASSERT_EQ(carve_outs.size(), 1u);  // the pool has no reg, "off" is disabled
    EXPECT_EQ(carve_outs[0].first, "firmware@80000000");
    EXPECT_EQ(carve_outs[0].second, (Reg {0x80000000, 0x20000}));

    EXPECT_EQ(str(fdt.bootargs().value()), "console=ttyS0 mote.log=trace");
    EXPECT_EQ(str(fdt.stdout_path().value()), "serial0");
    Node uart = node_at(fdt, "/bus@40000000/uart@1000");
    EXPECT_EQ(fdt.stdout_node().value(), uart);
    EXPECT_EQ(node_at(fdt, "serial0"), uart);
    EXPECT_EQ(str(node_at(fdt, "bus/uart@2000").name()), "uart@2000");
    EXPECT_EQ(node_at(fdt, "/bus/uart"), uart);  // base names, first match
    EXPECT_EQ(fdt.find_node("nosuchalias").error(), Error::NotFound);
    EXPECT_EQ(fdt.find_node("/bus@40000000/uart@3000").error(), Error::NotFound);
    EXPECT_EQ(fdt.find_node("/memory@1").error(), Error::NotFound);
    EXPECT_EQ(fdt.find_node("").error(), Error::InvalidArgument);
    EXPECT_EQ(node_at(fdt, "/"), fdt.root());
    EXPECT_EQ(node_at(fdt, "//bus@40000000//"), node_at(fdt, "/bus@40000000"));
    EXPECT_EQ(str(node_at(fdt, "/memory").name()), "memory@80000000");
    EXPECT_EQ(str(node_at(fdt, "/memory@100000000").name()), "memory@100000000");
}

TEST(FdtHandmade, RegWithOneCellBusAndStatus) {
    Fdt fdt = parse_ok(dtb("handmade.dtb"));
    Node uart = node_at(fdt, "serial0");
    EXPECT_EQ(uart.reg().value(), (Reg {0x1000, 0x100}));  // bus has 1 + 1 cells
    // The bus maps its 0..1 MiB at 0x40000000.
    EXPECT_EQ(uart.cpu_reg().value(), (Reg {0x40001000, 0x100}));
    EXPECT_EQ(uart.translate_address(0xfffff).value(), 0x400fffffu);
    EXPECT_EQ(uart.translate_address(0x100000).error(), Error::NotFound);
    // /cpus has no "ranges": a cpu's reg is an id, not an address.
    EXPECT_EQ(node_at(fdt, "/cpus/cpu@0").cpu_reg().error(), Error::NotFound);
    EXPECT_EQ(node_at(fdt, "/memory").cpu_reg().value(), (Reg {0x80000000, 0x10000000}));
    EXPECT_TRUE(uart.is_enabled());
    EXPECT_FALSE(node_at(fdt, "/bus/uart@2000").is_enabled());
    EXPECT_EQ(count_compatible(fdt, "mote,uart"), 2u);
    EXPECT_EQ(count_compatible(fdt, "ns16550a"), 1u);
    EXPECT_EQ(node_at(fdt, "/bus").reg_count().value(), 0u);
    EXPECT_EQ(node_at(fdt, "/bus").reg(0).error(), Error::NotFound);
    // Root-level nodes use the root's 2 + 1 cells.
    EXPECT_EQ(node_at(fdt, "/intc").reg().value(), (Reg {0x10000, 0x1000}));
    auto clock = uart.property("clock-frequency").value();
    EXPECT_EQ(clock.as_u64().value(), 30000000u);
    EXPECT_EQ(clock.as_number().value(), 30000000u);
    EXPECT_EQ(clock.as_u32().error(), Error::Malformed);
}

TEST(FdtHandmade, InterruptsInheritedAndExtended) {
    Fdt fdt = parse_ok(dtb("handmade.dtb"));
    Node intc = node_at(fdt, "/intc@10000");
    EXPECT_EQ(intc.phandle().value(), 0x77u);
    EXPECT_EQ(fdt.find_by_phandle(0x77).value(), intc);
    EXPECT_EQ(fdt.find_by_phandle(0).error(), Error::NotFound);
    EXPECT_EQ(fdt.find_by_phandle(0xffffffff).error(), Error::NotFound);
    EXPECT_EQ(fdt.find_by_phandle(0x12345).error(), Error::NotFound);

    // The UART has no interrupt-parent; its bus names the controller.
    Node uart = node_at(fdt, "serial0");
    EXPECT_EQ(uart.interrupt_parent().value(), intc);
    ASSERT_EQ(uart.interrupt_count().value(), 2u);
    EXPECT_EQ(interrupt_cells(uart.interrupt(0).value()), std::vector<u32>({5, 4}));
    EXPECT_EQ(interrupt_cells(uart.interrupt(1).value()), std::vector<u32>({6, 1}));
    EXPECT_EQ(uart.interrupt(2).error(), Error::OutOfRange);

    // interrupts-extended mixes controllers with different cell counts.
    Node timer = node_at(fdt, "/bus/timer");
    Node hart = node_at(fdt, "/cpus/cpu@0/interrupt-controller");
    ASSERT_EQ(timer.interrupt_count().value(), 2u);
    Interrupt first = timer.interrupt(0).value();
    EXPECT_EQ(first.controller, hart);
    EXPECT_EQ(interrupt_cells(first), std::vector<u32>({5}));
    Interrupt second = timer.interrupt(1).value();
    EXPECT_EQ(second.controller, intc);
    EXPECT_EQ(interrupt_cells(second), std::vector<u32>({7, 1}));
    EXPECT_EQ(timer.interrupt(2).error(), Error::OutOfRange);

    // No interrupts at all, and no controller up the tree.
    Node memory = node_at(fdt, "/memory");
    EXPECT_EQ(memory.interrupt_count().value(), 0u);
    EXPECT_EQ(memory.interrupt_parent().error(), Error::NotFound);
    EXPECT_EQ(memory.interrupt(0).error(), Error::NotFound);
}

TEST(FdtHandmade, PropertyReadings) {
    Fdt fdt = parse_ok(dtb("handmade.dtb"));
    Node n = node_at(fdt, "/empty-value");
    std::vector<std::string> names;
    for (Property p : n.properties()) names.push_back(str(p.name()));
    EXPECT_EQ(names, std::vector<std::string>({"flag", "list", "bad-string", "cells"}));

    Property flag = n.property("flag").value();
    EXPECT_TRUE(flag.is_empty());
    EXPECT_EQ(flag.as_u32().error(), Error::Malformed);
    EXPECT_EQ(flag.as_string().error(), Error::Malformed);
    EXPECT_EQ(flag.as_strings().value().count(), 0u);

    Property list = n.property("list").value();
    EXPECT_EQ(list.as_string().error(), Error::Malformed);  // three strings, not one
    StringList strings = list.as_strings().value();
    EXPECT_EQ(strings.count(), 3u);
    std::vector<std::string> items;
    for (StringView s : strings) items.push_back(str(s));
    EXPECT_EQ(items, std::vector<std::string>({"a", "", "bc"}));
    EXPECT_EQ(str(strings.at(2).value()), "bc");
    EXPECT_EQ(strings.at(3).error(), Error::OutOfRange);
    EXPECT_TRUE(strings.contains(""));
    EXPECT_FALSE(strings.contains("b"));

    Property bad = n.property("bad-string").value();  // "ab" without NUL
    EXPECT_EQ(bad.as_string().error(), Error::Malformed);
    EXPECT_EQ(bad.as_strings().error(), Error::Malformed);

    Property cells = n.property("cells").value();
    EXPECT_EQ(cells.cell_count(), 5u);
    EXPECT_EQ(cells.cell(4).value(), 5u);
    EXPECT_EQ(cells.cell(5).error(), Error::OutOfRange);
    EXPECT_EQ(cells.cells(0, 2).value(), 0x100000002u);
    EXPECT_EQ(cells.cells(3, 2).value(), 0x400000005u);
    EXPECT_EQ(cells.cells(4, 2).error(), Error::OutOfRange);
    EXPECT_EQ(cells.cells(9, 0).error(), Error::OutOfRange);
    EXPECT_EQ(cells.cells(2, 0).value(), 0u);
    EXPECT_EQ(cells.cells(0, 3).error(), Error::Unsupported);
    EXPECT_EQ(cells.cells(~usize(0), 1).error(), Error::Overflow);

    EXPECT_EQ(n.property("absent").error(), Error::NotFound);
    EXPECT_FALSE(n.has_property("absent"));
}

TEST(FdtHandmade, ChildrenAndEarlyStop) {
    Fdt fdt = parse_ok(dtb("handmade.dtb"));
    std::vector<std::string> names;
    for (Node c : fdt.root().children()) names.push_back(str(c.name()));
    EXPECT_EQ(names, std::vector<std::string>({"aliases", "chosen", "memory@80000000", "memory@100000000",
                                               "memory@200000000", "reserved-memory", "cpus", "intc@10000",
                                               "bus@40000000", "empty-value"}));
    for (Node c : node_at(fdt, "/chosen").children()) ADD_FAILURE() << str(c.name());

    usize seen = 0;
    fdt.for_each_node([&](const Node&) { return ++seen < 3; });
    EXPECT_EQ(seen, 3u);
    seen = 0;
    fdt.for_each_memory([&](Reg) { return ++seen < 2; });
    EXPECT_EQ(seen, 2u);
}

// ---------------------------------------------------------------------------
// Blob-level properties: alignment, version 16, NOPs, unused space.

TEST(FdtBlob, UnalignedCopyParsesTheSame) {
    auto blob = load_dtb("qemu-riscv64-virt.dtb");
    std::vector<u8> shifted(blob.size() + 3);
    std::copy(blob.begin(), blob.end(), shifted.begin() + 3);
    auto fdt = Fdt::parse(ReadonlyBytes(shifted.data() + 3, blob.size()));
    ASSERT_TRUE(fdt.ok());
    EXPECT_EQ(fdt.value().find_node("/soc/serial").value().reg().value(), (Reg {0x10000000, 0x100}));
}

TEST(FdtBlob, OnlyTotalSizeBytesAreUsed) {
    auto blob = load_dtb("qemu-riscv64-virt.dtb");
    blob.resize(blob.size() + 100, 0xee);
    Fdt fdt = parse_ok(blob);
    EXPECT_EQ(fdt.total_size(), 4222u);
    EXPECT_EQ(Fdt::peek_total_size(bytes_of(blob)).value(), 4222u);
    EXPECT_EQ(Fdt::peek_total_size(ReadonlyBytes(blob.data(), 7)).error(), Error::Malformed);
    blob[0] ^= 1;
    EXPECT_EQ(Fdt::peek_total_size(bytes_of(blob)).error(), Error::Malformed);
}

TEST(FdtBlob, Version16WithoutStructSize) {
    auto blob = minimal().build();
    set32(blob, kHVersion, 16);
    set32(blob, kHStructSize, 0xdeadbeef);  // not a field in version 16
    Fdt fdt = parse_ok(blob);
    EXPECT_EQ(fdt.version(), 16u);
    EXPECT_EQ(fdt.find_node("/dev").value().reg().value(), (Reg {0x10, 0x20}));
}

TEST(FdtBlob, NewerVersionThatIsBackwardsCompatible) {
    auto blob = minimal().build();
    set32(blob, kHVersion, 18);
    EXPECT_EQ(fault_of(blob), FdtFault::None);
}

TEST(FdtBlob, NopsAndTrailingSpaceAreSkipped) {
    Builder b;
    b.nop().begin("").nop().prop_u32("#address-cells", {1}).nop().prop_u32("#size-cells", {1}).nop();
    b.begin("a@1").nop().prop_u32("reg", {1, 2}).nop().end().nop();
    b.begin("b").end().nop().end().nop().finish().word(0x12345678).word(0);  // junk after FDT_END
    auto blob = b.build();
    Fdt fdt = parse_ok(blob);
    EXPECT_EQ(fdt.node_count(), 3u);
    std::vector<std::string> names;
    for (Node c : fdt.root().children()) names.push_back(str(c.name()));
    EXPECT_EQ(names, std::vector<std::string>({"a@1", "b"}));
    usize props = 0;
    for (Property p : fdt.root().properties()) props += p.size() == 4;
    EXPECT_EQ(props, 2u);
    EXPECT_EQ(fdt.find_node("/a").value().reg().value(), (Reg {1, 2}));
}

TEST(FdtBlob, RegCellLimits) {
    Builder b;
    b.begin("").prop_u32("#address-cells", {2}).prop_u32("#size-cells", {2});
    b.begin("pci").prop_u32("#address-cells", {3}).prop_u32("#size-cells", {2}).prop_u32("reg", {0, 1, 0, 2});
    b.begin("dev@0").prop_u32("reg", {0, 0, 0, 0, 0x1000}).end().end();
    b.begin("zero").prop_u32("#address-cells", {0}).prop_u32("#size-cells", {0});
    b.begin("x").prop_u32("reg", {}).end().end();
    b.begin("odd").prop_u32("reg", {1, 2, 3, 4, 5, 6}).end();
    b.end().finish();
    auto blob = b.build();
    Fdt fdt = parse_ok(blob);
    EXPECT_EQ(fdt.find_node("/pci").value().reg().value(), (Reg {1, 2}));
    EXPECT_EQ(fdt.find_node("/pci/dev@0").value().reg().error(), Error::Unsupported);
    EXPECT_EQ(fdt.find_node("/pci/dev@0").value().reg_count().error(), Error::Unsupported);
    EXPECT_EQ(fdt.find_node("/zero/x").value().reg_count().error(), Error::Malformed);
    EXPECT_EQ(fdt.find_node("/odd").value().reg_count().error(), Error::Malformed);
    EXPECT_EQ(fdt.find_node("/odd").value().reg(0).value(), (Reg {0x100000002, 0x300000004}));
    EXPECT_EQ(fdt.find_node("/odd").value().reg(1).error(), Error::OutOfRange);
}

TEST(FdtBlob, AddressTranslationThroughNestedBuses) {
    Builder b;
    b.begin("").prop_u32("#address-cells", {2}).prop_u32("#size-cells", {2});
    b.begin("outer").prop_u32("#address-cells", {1}).prop_u32("#size-cells", {1});
    // Two windows: 0x0-0xfff -> 0x1_0000_0000, 0x10000-0x1ffff -> 0x2000_0000.
    b.prop_u32("ranges", {0x0, 0x1, 0x0, 0x1000, 0x10000, 0x0, 0x20000000, 0x10000});
    b.begin("inner").prop_u32("#address-cells", {1}).prop_u32("#size-cells", {1});
    b.prop_u32("ranges", {0x0, 0x10000, 0x100});
    b.begin("dev@20").prop_u32("reg", {0x20, 0x10}).end();
    b.end();
    b.begin("low@10").prop_u32("reg", {0x10, 0x4}).end();
    b.end();
    b.begin("pci").prop_u32("#address-cells", {3}).prop_u32("#size-cells", {2}).prop_u32("ranges", {});
    b.begin("bridge").prop_u32("#address-cells", {1}).prop_u32("#size-cells", {1}).prop_u32("ranges", {0, 0, 0, 0, 0, 0x10});
    b.begin("x@0").prop_u32("reg", {0, 4}).end().end().end();
    b.begin("broken").prop_u32("#address-cells", {1}).prop_u32("#size-cells", {1}).prop_u32("ranges", {1, 2});
    b.begin("y@0").prop_u32("reg", {0, 4}).end().end();
    b.end().finish();
    auto blob = b.build();
    Fdt fdt = parse_ok(blob);
    // inner 0x20 -> outer 0x10020 (second window, offset 0x20) -> 0x20000020.
    EXPECT_EQ(fdt.find_node("/outer/inner/dev").value().cpu_reg().value(), (Reg {0x20000020, 0x10}));
    EXPECT_EQ(fdt.find_node("/outer/low").value().cpu_reg().value(), (Reg {0x100000010, 0x4}));
    EXPECT_EQ(fdt.find_node("/outer/low").value().translate_address(0x1000).error(), Error::NotFound);
    EXPECT_EQ(fdt.find_node("/pci/bridge/x").value().cpu_reg().error(), Error::Unsupported);
    EXPECT_EQ(fdt.find_node("/broken/y").value().cpu_reg().error(), Error::Malformed);
}

TEST(FdtBlob, InterruptParentCycleIsMalformed) {
    Builder b;
    b.begin("").prop_u32("interrupt-parent", {1});
    b.begin("a").prop_u32("phandle", {1}).prop_u32("interrupt-parent", {2}).end();
    b.begin("b").prop_u32("phandle", {2}).prop_u32("interrupt-parent", {1}).end();
    b.begin("dev").prop_u32("interrupts", {3}).end();
    b.end().finish();
    auto blob = b.build();
    Fdt fdt = parse_ok(blob);
    Node dev = fdt.find_node("/dev").value();
    EXPECT_EQ(dev.interrupt_parent().error(), Error::Malformed);
    EXPECT_EQ(dev.interrupt_count().error(), Error::Malformed);
}

TEST(FdtBlob, ExactlyMaxDepthIsAccepted) {
    Builder b;
    for (u32 i = 0; i < kMaxDepth; ++i) b.begin(i == 0 ? "" : "n");
    for (u32 i = 0; i < kMaxDepth; ++i) b.end();
    b.finish();
    auto blob = b.build();
    Fdt fdt = parse_ok(blob);
    EXPECT_EQ(fdt.node_count(), usize(kMaxDepth));
    std::string path;
    for (u32 i = 1; i < kMaxDepth; ++i) path += "/n";
    Node deepest = fdt.find_node(StringView(path.data(), path.size())).value();
    EXPECT_EQ(deepest.parent().value().parent().value().name(), "n");
}

// ---------------------------------------------------------------------------
// One crafted blob (or more) per FdtFault.

TEST(FdtFaults, EveryFaultHasANameAndATest) {
    std::set<std::string> names;
    for (usize i = 0; i < kFdtFaultCount; ++i) names.insert(fdt_fault_name(FdtFault(i)));
    EXPECT_EQ(names.size(), kFdtFaultCount);
    EXPECT_EQ(names.count("UnknownFdtFault"), 0u);
    EXPECT_STREQ(fdt_fault_name(FdtFault(kFdtFaultCount)), "UnknownFdtFault");
}

TEST(FdtFaults, Header) {
    auto good = minimal().build();
    ASSERT_EQ(fault_of(good), FdtFault::None);

    EXPECT_EQ(fault_of({}), FdtFault::TruncatedHeader);
    EXPECT_EQ(fault_of(std::vector<u8>(good.begin(), good.begin() + 39)), FdtFault::TruncatedHeader);

    auto blob = good;
    blob[3] ^= 0x01;
    EXPECT_EQ(fault_of(blob), FdtFault::BadMagic);

    blob = good;
    set32(blob, kHVersion, 15);
    EXPECT_EQ(fault_of(blob), FdtFault::UnsupportedVersion);
    blob = good;
    set32(blob, kHLastComp, 18);
    EXPECT_EQ(fault_of(blob), FdtFault::UnsupportedVersion);

    blob = good;
    set32(blob, kHTotal, u32(good.size() + 1));
    EXPECT_EQ(fault_of(blob), FdtFault::TruncatedBlob);
    EXPECT_EQ(fault_of(std::vector<u8>(good.begin(), good.end() - 1)), FdtFault::TruncatedBlob);
    blob = good;
    set32(blob, kHTotal, 0xffffffff);
    EXPECT_EQ(fault_of(blob), FdtFault::TruncatedBlob);
}

TEST(FdtFaults, Blocks) {
    auto good = minimal().build();
    const u32 total = get32(good, kHTotal);
    auto with = [&](usize field, u32 value) {
        auto blob = good;
        set32(blob, field, value);
        return fault_of(blob);
    };
    EXPECT_EQ(with(kHTotal, 20), FdtFault::BlockOutOfBounds);
    EXPECT_EQ(with(kHStruct, total), FdtFault::BlockOutOfBounds);
    EXPECT_EQ(with(kHStruct, 0xfffffffc), FdtFault::BlockOutOfBounds);
    EXPECT_EQ(with(kHStructSize, 0xfffffffc), FdtFault::BlockOutOfBounds);
    EXPECT_EQ(with(kHStrings, 0), FdtFault::BlockOutOfBounds);              // inside the header
    EXPECT_EQ(with(kHStringsSize, total), FdtFault::BlockOutOfBounds);
    EXPECT_EQ(with(kHRsvmap, 8), FdtFault::BlockOutOfBounds);
    EXPECT_EQ(with(kHRsvmap, total + 8), FdtFault::BlockOutOfBounds);

    EXPECT_EQ(with(kHRsvmap, 44), FdtFault::Misaligned);
    EXPECT_EQ(with(kHStruct, get32(good, kHStruct) + 2), FdtFault::Misaligned);
    EXPECT_EQ(with(kHStructSize, get32(good, kHStructSize) - 2), FdtFault::Misaligned);

    EXPECT_EQ(with(kHStrings, get32(good, kHStruct)), FdtFault::BlocksOverlap);
    EXPECT_EQ(with(kHStruct, get32(good, kHRsvmap)), FdtFault::BlocksOverlap);

    // The map runs into the end of the blob without a (0, 0) entry.
    EXPECT_EQ(with(kHRsvmap, total - 8), FdtFault::UnterminatedReserveMap);
    Builder b;
    b.reserve(0x1000, 0x1000);
    auto unterminated = b.build(false);  // an empty structure block follows
    set32(unterminated, kHStruct, get32(unterminated, kHTotal));
    set32(unterminated, kHStrings, get32(unterminated, kHTotal));
    EXPECT_EQ(fault_of(unterminated), FdtFault::UnterminatedReserveMap);
}

TEST(FdtFaults, Tokens) {
    auto root_with = [](auto body) {
        Builder b;
        b.begin("");
        body(b);
        return b.build();
    };
    EXPECT_EQ(fault_of(root_with([](Builder& b) { b.word(5).end().finish(); })), FdtFault::BadToken);
    EXPECT_EQ(fault_of(root_with([](Builder& b) { b.word(0).end().finish(); })), FdtFault::BadToken);
    EXPECT_EQ(fault_of(root_with([](Builder& b) { b.word(0x01000000).end().finish(); })), FdtFault::BadToken);

    EXPECT_EQ(fault_of(root_with([](Builder& b) { b.end(); })), FdtFault::MissingEnd);
    EXPECT_EQ(fault_of(Builder().build()), FdtFault::MissingEnd);  // an empty structure block

    // A name whose NUL would be past the end of the structure block.
    EXPECT_EQ(fault_of(root_with([](Builder& b) { b.word(1).raw({'a', 'b', 'c', 'd'}); })),
              FdtFault::UnterminatedName);

    EXPECT_EQ(fault_of(root_with([](Builder& b) { b.begin("").end().end().finish(); })), FdtFault::BadNodeName);
    EXPECT_EQ(fault_of(root_with([](Builder& b) { b.begin("a/b").end().end().finish(); })), FdtFault::BadNodeName);
}

TEST(FdtFaults, Properties) {
    auto root_with = [](auto body) {
        Builder b;
        b.begin("");
        body(b);
        return b.build();
    };
    // len runs past the block, wraps when added to the offset, or the
    // property header itself is cut off.
    EXPECT_EQ(fault_of(root_with([](Builder& b) { b.word(3).word(64).word(b.string_offset("x")).end().finish(); })),
              FdtFault::PropertyOutOfBounds);
    EXPECT_EQ(fault_of(root_with([](Builder& b) { b.word(3).word(0xffffffff).word(0).end().finish(); })),
              FdtFault::PropertyOutOfBounds);
    EXPECT_EQ(fault_of(root_with([](Builder& b) { b.word(3).word(0); })), FdtFault::PropertyOutOfBounds);

    EXPECT_EQ(fault_of(root_with([](Builder& b) {
                  u32 past = b.string_offset("x") + 2;  // strings block is "x\0"
                  b.prop_at(past, {}).end().finish();
              })),
              FdtFault::BadStringOffset);
    EXPECT_EQ(fault_of(root_with([](Builder& b) {
                  b.string_offset("x");
                  b.prop_at(0xffffffff, {}).end().finish();
              })),
              FdtFault::BadStringOffset);
    EXPECT_EQ(fault_of(root_with([](Builder& b) { b.prop_at(0, {}).end().finish(); })),  // no strings at all
              FdtFault::BadStringOffset);

    // Unterminated, empty and over-long names.
    EXPECT_EQ(fault_of(root_with([](Builder& b) { b.strings_raw({'a', 'b'}).prop_at(0, {}).end().finish(); })),
              FdtFault::BadPropertyName);
    EXPECT_EQ(fault_of(root_with([](Builder& b) { b.strings_raw({0}).prop_at(0, {}).end().finish(); })),
              FdtFault::BadPropertyName);
    EXPECT_EQ(fault_of(root_with([](Builder& b) { b.prop(std::string(kMaxPropertyNameLength + 1, 'p'), {}).end().finish(); })),
              FdtFault::BadPropertyName);
    EXPECT_EQ(fault_of(root_with([](Builder& b) { b.prop(std::string(kMaxPropertyNameLength, 'p'), {}).end().finish(); })),
              FdtFault::None);

    Builder before;
    before.prop_u32("x", {1}).begin("").end().finish();
    EXPECT_EQ(fault_of(before.build()), FdtFault::PropertyOutsideNode);
    Builder after;
    after.begin("").end().prop_u32("x", {1}).finish();
    EXPECT_EQ(fault_of(after.build()), FdtFault::PropertyOutsideNode);

    EXPECT_EQ(fault_of(root_with([](Builder& b) { b.begin("c").end().prop_u32("x", {1}).end().finish(); })),
              FdtFault::PropertyAfterChild);
    // A property of a child after the child's own child.
    EXPECT_EQ(fault_of(root_with([](Builder& b) {
                  b.begin("c").prop_u32("x", {1}).begin("d").end().nop().prop_u32("y", {1}).end().end().finish();
              })),
              FdtFault::PropertyAfterChild);
}

TEST(FdtFaults, Nesting) {
    Builder stray;
    stray.end().finish();
    EXPECT_EQ(fault_of(stray.build()), FdtFault::UnbalancedNodes);
    Builder open;
    open.begin("").begin("a").end().finish();
    EXPECT_EQ(fault_of(open.build()), FdtFault::UnbalancedNodes);
    Builder none;
    none.nop().finish();
    EXPECT_EQ(fault_of(none.build()), FdtFault::UnbalancedNodes);
    Builder two;
    two.begin("").end().begin("").end().finish();
    EXPECT_EQ(fault_of(two.build()), FdtFault::UnbalancedNodes);
    Builder extra_end;
    extra_end.begin("").end().end().finish();
    EXPECT_EQ(fault_of(extra_end.build()), FdtFault::UnbalancedNodes);

    Builder deep;
    for (u32 i = 0; i <= kMaxDepth; ++i) deep.begin(i == 0 ? "" : "n");
    for (u32 i = 0; i <= kMaxDepth; ++i) deep.end();
    deep.finish();
    EXPECT_EQ(fault_of(deep.build()), FdtFault::TooDeep);

    // Far deeper than any stack could recurse: still a plain fault.
    Builder abyss;
    abyss.begin("");
    for (u32 i = 0; i < 100000; ++i) abyss.begin("n");
    EXPECT_EQ(fault_of(abyss.build()), FdtFault::TooDeep);
}

// ---------------------------------------------------------------------------
// Sweeps: whatever the damage, parse returns an error or a tree that the
// whole API can walk. ASan and UBSan watch every read.

TEST(FdtSweep, TruncateAtEveryLength) {
    // QEMU pads the file to 1 MiB; the blob proper is its first totalsize bytes.
    auto blob = load_dtb("qemu-riscv64-virt.dtb");
    blob.resize(Fdt::peek_total_size(bytes_of(blob)).value());
    usize ok = 0;
    for (usize length = 0; length <= blob.size(); ++length) {
        std::vector<u8> cut(blob.begin(), blob.begin() + length);
        // As given: the header's totalsize is a lie from 40 bytes on.
        auto plain = Fdt::parse(bytes_of(cut));
        EXPECT_EQ(plain.ok(), length == blob.size());
        // With totalsize patched to match, so parsing gets further in.
        if (length >= 8) {
            set32(cut, kHTotal, u32(length));
            auto patched = Fdt::parse(bytes_of(cut));
            if (patched.ok()) {
                ++ok;
                exercise(patched.value());
            }
        }
    }
    // Only the full length holds both blocks: the strings block ends the blob.
    EXPECT_EQ(ok, 1u);
}

TEST(FdtSweep, CutStructureAndStringsBlocks) {
    // Shrinking the recorded block sizes ends the structure in the middle
    // of every token, and the strings in the middle of every name.
    auto blob = load_dtb("qemu-riscv64-virt.dtb");
    blob.resize(Fdt::peek_total_size(bytes_of(blob)).value());
    const u32 struct_size = get32(blob, kHStructSize);
    const u32 strings_size = get32(blob, kHStringsSize);
    std::set<FdtFault> faults;
    for (u32 size = 0; size < struct_size; size += 4) {
        auto cut = blob;
        set32(cut, kHStructSize, size);
        FdtFault fault = fault_of(cut);
        EXPECT_NE(fault, FdtFault::None) << size;
        faults.insert(fault);
    }
    EXPECT_TRUE(faults.count(FdtFault::MissingEnd));
    EXPECT_TRUE(faults.count(FdtFault::PropertyOutOfBounds));
    EXPECT_TRUE(faults.count(FdtFault::UnterminatedName));
    usize ok = 0;
    for (u32 size = 0; size <= strings_size; ++size) {
        auto cut = blob;
        set32(cut, kHStringsSize, size);
        FdtFault fault = fault_of(cut);
        if (fault == FdtFault::None) {
            ++ok;
            continue;
        }
        EXPECT_TRUE(fault == FdtFault::BadStringOffset || fault == FdtFault::BadPropertyName) << fdt_fault_name(fault);
    }
    EXPECT_GE(ok, 1u);
}

TEST(FdtSweep, FlipBytesEverywhere) {
    for (const char* name : {"qemu-riscv64-virt-512m-smp2-append.dtb", "handmade.dtb"}) {
        auto blob = load_dtb(name);
        blob.resize(Fdt::peek_total_size(bytes_of(blob)).value());  // drop QEMU's padding
        usize ok = 0, failed = 0;
        for (usize at = 0; at < blob.size(); ++at) {
            for (u8 mask : {u8(0x01), u8(0x80), u8(0xff)}) {
                blob[at] ^= mask;
                FdtFault fault = FdtFault::None;
                auto fdt = Fdt::parse(bytes_of(blob), &fault);
                if (fdt.ok()) {
                    ++ok;
                    // Walking every node is costly; a sample keeps the test quick.
                    if (at % 199 == 0) exercise(fdt.value());
                } else {
                    ++failed;
                    EXPECT_NE(fault, FdtFault::None);
                }
                blob[at] ^= mask;
            }
        }
        EXPECT_GT(ok, 0u) << name;
        EXPECT_GT(failed, 0u) << name;
    }
}

TEST(FdtSweep, FlipStructureWordsOfArmTree) {
    // The aarch64 blob is 1 MiB, mostly free space; damage its blocks only.
    auto blob = load_dtb("qemu-aarch64-virt-gicv3.dtb");
    const usize end = get32(blob, kHStrings) + get32(blob, kHStringsSize);
    for (usize at = 0; at < end; at += 3) {
        for (u8 mask : {u8(0x04), u8(0xff)}) {
            blob[at] ^= mask;
            auto fdt = Fdt::parse(bytes_of(blob));
            if (fdt.ok() && at % 251 == 0) exercise(fdt.value());
            blob[at] ^= mask;
        }
    }
}

// ---------------------------------------------------------------------------
// The validated-blob fast path: step() and property_named() must agree with
// the full decoder on every token of every stored tree.

TEST(FdtView, StepAndPropertyNamedAgreeWithDecode) {
    for (const char* name : {"qemu-riscv64-virt.dtb", "qemu-riscv64-virt-512m-smp2-append.dtb",
                             "qemu-aarch64-virt-gicv2.dtb", "qemu-aarch64-virt-gicv3.dtb",
                             "qemu-aarch64-virt-gicv3-512m-smp2-append.dtb", "handmade.dtb"}) {
        SCOPED_TRACE(name);
        const std::vector<u8>& blob = dtb(name);
        parse_ok(blob);
        auto be32 = [&](usize at) { return load_be32(blob.data() + at); };
        FdtView view(ReadonlyBytes(blob.data() + be32(8), be32(36)), ReadonlyBytes(blob.data() + be32(12), be32(32)));
        usize tokens = 0;
        usize properties = 0;
        for (u32 at = 0;; ++tokens) {
            RawToken full = view.token(at);
            TokenStep fast = view.step(at);
            ASSERT_EQ(fast.kind, full.kind) << at;
            ASSERT_EQ(fast.next, full.next) << at;
            if (full.kind == Token::Property) {
                ++properties;
                std::string n = str(full.name);
                EXPECT_TRUE(view.property_named(at, full.name)) << n;
                std::string longer = n + "x";
                std::string shorter = n.substr(0, n.size() - 1);
                std::string changed = n;
                changed.back() ^= 1;
                EXPECT_FALSE(view.property_named(at, StringView(longer.data(), longer.size()))) << n;
                EXPECT_FALSE(view.property_named(at, StringView(shorter.data(), shorter.size()))) << n;
                EXPECT_FALSE(view.property_named(at, StringView(changed.data(), changed.size()))) << n;
            }
            if (full.kind == Token::End) break;
            EXPECT_EQ(view.skip_nops(at), full.kind == Token::Nop ? view.skip_nops(full.next) : at);
            at = full.next;
        }
        EXPECT_GT(tokens, 10u);
        EXPECT_GT(properties, 5u);
    }
}
