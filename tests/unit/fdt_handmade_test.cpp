// Devicetree parser on a hand-written tree and crafted valid blobs: the
// features QEMU's trees do not use (reservations, aliases, 1-cell buses,
// interrupts-extended, NOPs, old and new versions, nested ranges).
#include "support/fdt_helpers.hpp"

using namespace mote;
using namespace mote::fdt;
using namespace mote::fdt_test;

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
// The phandle index parse() builds, and the walk behind it

TEST(FdtBlob, PhandleIndexReadsPhandlesAsNodeDoes) {
    Builder b;
    b.begin("").prop_u32("phandle", {9}).prop_u32("#address-cells", {1}).prop_u32("#size-cells", {1});
    b.begin("old").prop_u32("linux,phandle", {1}).end();
    // "phandle" wins over "linux,phandle", whatever the order.
    b.begin("both").prop_u32("linux,phandle", {2}).prop_u32("phandle", {3}).end();
    // A "phandle" that is not one cell is no phandle, even with a good
    // "linux,phandle" (Node::phandle() reads it the same way).
    b.begin("bad").prop_u32("phandle", {4, 4}).prop_u32("linux,phandle", {5}).end();
    // The first of two nodes with the same phandle; its phandle comes
    // before its children, which have their own.
    b.begin("bus").prop_u32("phandle", {6}).prop_u32("#address-cells", {2});
    b.begin("dev").prop_u32("phandle", {7}).prop_u32("reg", {0, 0x1000, 0x10}).end();
    b.end();
    b.begin("again").prop_u32("phandle", {6}).end();
    b.end().finish();
    auto blob = b.build();
    Fdt fdt = parse_ok(blob);
    EXPECT_TRUE(fdt.phandle_index_complete());

    EXPECT_EQ(fdt.find_by_phandle(9).value(), fdt.root());
    EXPECT_EQ(fdt.find_by_phandle(1).value(), node_at(fdt, "/old"));
    EXPECT_EQ(fdt.find_by_phandle(3).value(), node_at(fdt, "/both"));
    EXPECT_EQ(fdt.find_by_phandle(2).error(), Error::NotFound);
    EXPECT_EQ(fdt.find_by_phandle(4).error(), Error::NotFound);
    EXPECT_EQ(fdt.find_by_phandle(5).error(), Error::NotFound);
    EXPECT_EQ(fdt.find_by_phandle(6).value(), node_at(fdt, "/bus"));
    // The node found through the index knows its parent, so its reg is
    // decoded with the bus's 2 + 1 cells.
    Node dev = fdt.find_by_phandle(7).value();
    EXPECT_EQ(dev, node_at(fdt, "/bus/dev"));
    EXPECT_EQ(dev.parent().value(), node_at(fdt, "/bus"));
    EXPECT_EQ(dev.reg().value(), (Reg {0x1000, 0x10}));
    EXPECT_TRUE(fdt.find_by_phandle(9).value().is_root());
    EXPECT_EQ(fdt.find_by_phandle(0).error(), Error::NotFound);
    EXPECT_EQ(fdt.find_by_phandle(0xffffffff).error(), Error::NotFound);
    for (u32 p : {1u, 3u, 6u, 7u, 9u}) EXPECT_EQ(fdt.find_by_phandle(p).value().phandle().value(), p);
}

TEST(FdtBlob, PhandlesPastTheIndexAreFoundByWalking) {
    // More phandles than the index holds, and the last node repeats an
    // indexed phandle: the index must still answer with the first node.
    const u32 count = u32(kPhandleIndexSize) + 8;
    Builder b;
    b.begin("");
    for (u32 i = 0; i < count; ++i) b.begin("n@" + std::to_string(i)).prop_u32("phandle", {100 + i}).end();
    b.begin("dup").prop_u32("phandle", {100}).end();
    b.begin("late").prop_u32("phandle", {100 + count}).end();
    b.end().finish();
    auto blob = b.build();
    Fdt fdt = parse_ok(blob);
    EXPECT_FALSE(fdt.phandle_index_complete());
    for (u32 i = 0; i < count; ++i) {
        auto node = fdt.find_by_phandle(100 + i);
        ASSERT_TRUE(node.ok()) << i;
        EXPECT_EQ(str(node.value().name()), "n@" + std::to_string(i));
        EXPECT_EQ(node.value().parent().value(), fdt.root());
    }
    EXPECT_EQ(str(fdt.find_by_phandle(100).value().name()), "n@0");
    EXPECT_EQ(str(fdt.find_by_phandle(100 + count).value().name()), "late");
    EXPECT_EQ(fdt.find_by_phandle(99).error(), Error::NotFound);
}
