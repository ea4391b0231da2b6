// Devicetree parser on the trees QEMU 7.2 hands a guest (tests/data/dtb; see
// its README for the commands; expected values were read off with
// `dtc -I dtb -O dts` when the files were made).
#include "support/fdt_helpers.hpp"

using namespace mote;
using namespace mote::fdt;
using namespace mote::fdt_test;

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
