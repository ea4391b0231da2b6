// Parses arbitrary bytes as a flattened devicetree and, when the parser
// accepts them, drives the whole read API over the result the way boot code
// would and further: every node, every property read every way, reg and
// interrupts, parents, path and phandle lookups, the chosen/memory helpers.
// parse() promises that an accepted blob cannot make a later lookup step
// outside it, so any crash, sanitizer report or VERIFY failure is a bug.
//
// The input is the blob itself, so the QEMU dumps in seeds/fdt_fuzz are
// valid starting points. It is parsed from an unaligned copy to catch any
// read that assumes alignment.
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/fdt.hpp"
#include "base/verify.hpp"

using namespace mote;
using namespace mote::fdt;

namespace {

// Where the walk's checksum goes, so the reads cannot be optimised away.
volatile usize g_sink;

// Per-node bounds keep one input's work near-linear: an accepted blob can
// still hold thousands of reg entries or interrupt specifiers, and each
// interrupt lookup walks the tree.
constexpr usize kRegsPerNode = 16;
constexpr usize kInterruptsPerNode = 4;

void read_property(const Property& p, usize& sink) {
    sink += p.name().length() + p.size() + p.cell_count();
    sink += p.as_u32().value_or(0) + p.as_u64().value_or(0) + p.as_number().value_or(0);
    if (auto s = p.as_string(); s.ok()) {
        VERIFY(s.value().length() + 1 == p.size());
        sink += s.value().length();
    }
    if (auto list = p.as_strings(); list.ok()) {
        usize n = 0;
        for (StringView s : list.value()) {
            sink += s.length();
            ++n;
        }
        VERIFY(n == list.value().count());
        if (n > 0) VERIFY(list.value().at(n - 1).ok());
        VERIFY(list.value().at(n).is_error());
    }
    sink += p.cell(0).value_or(0) + p.cells(1, 2).value_or(0) + p.cells(0, 0).value_or(0);
}

void visit(const Fdt& fdt, const Node& node, usize& sink) {
    sink += node.name().length() + node.base_name().length() + node.unit_address().length();
    for (Property p : node.properties()) {
        read_property(p, sink);
        // Looking a property up by its own name finds one of that name.
        auto again = node.property(p.name());
        VERIFY(again.ok() && again.value().name() == p.name());
    }
    usize children = 0;
    for (Node child : node.children()) {
        VERIFY(child.parent().value() == node);
        if (++children <= 4) VERIFY(node.child(child.name()).ok());
    }
    usize regs = node.reg_count().value_or(0);
    for (usize i = 0; i < regs && i < kRegsPerNode; ++i) VERIFY(node.reg(i).ok());
    if (auto reg = node.cpu_reg(0); reg.ok()) sink += reg.value().base;
    if (auto count = node.interrupt_count(); count.ok()) {
        for (usize i = 0; i < count.value() && i < kInterruptsPerNode; ++i) {
            auto irq = node.interrupt(i);
            if (irq.ok()) {
                VERIFY(irq.value().cell_count <= kMaxInterruptCells);
                VERIFY(irq.value().controller.interrupt_cells().ok());
            }
        }
    }
    if (auto parent = node.interrupt_parent(); parent.ok()) VERIFY(parent.value().has_property("#interrupt-cells"));
    if (auto phandle = node.phandle(); phandle.ok()) {
        auto found = fdt.find_by_phandle(phandle.value());
        if (phandle.value() != 0 && phandle.value() != ~u32(0)) {
            // Index or walk, the answer is the first node with this phandle,
            // and it carries its real parent.
            VERIFY(found.ok());
            VERIFY(found.value().offset() <= node.offset());
            VERIFY(found.value().phandle().value_or(0) == phandle.value());
            if (found.value() == node) VERIFY(found.value().parent().ok() == node.parent().ok());
            if (found.value() == node && !node.is_root())
                VERIFY(found.value().parent().value() == node.parent().value());
        }
    }
    sink += node.address_cells() + node.size_cells() + node.is_enabled() + node.is_compatible("virtio,mmio");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // One byte of offset so the blob is never 4- or 8-aligned.
    uint8_t* copy = static_cast<uint8_t*>(malloc(size + 1));
    if (!copy) return 0;
    if (size) memcpy(copy + 1, data, size);

    FdtFault fault = FdtFault::None;
    auto parsed = Fdt::parse(ReadonlyBytes(copy + 1, size), &fault);
    VERIFY(parsed.ok() == (fault == FdtFault::None));
    VERIFY(fdt_fault_name(fault) != nullptr);
    if (parsed.is_error()) {
        VERIFY(parsed.error() == Error::Malformed);
        free(copy);
        return 0;
    }
    const Fdt& fdt = parsed.value();
    VERIFY(fdt.total_size() <= size);

    usize sink = 0;
    usize nodes = 0;
    fdt.for_each_node([&](const Node& node) {
        ++nodes;
        visit(fdt, node, sink);
    });
    VERIFY(nodes == fdt.node_count());

    static const char* const kPaths[] = {"/",       "/chosen",          "/cpus",    "/cpus/cpu@0",
                                         "/soc/serial@10000000", "/soc/plic", "/memory", "/reserved-memory",
                                         "/aliases", "serial0",          "serial0/x", "//a//b/"};
    for (const char* path : kPaths) (void)fdt.find_node(path);
    (void)fdt.bootargs();
    (void)fdt.stdout_path();
    (void)fdt.stdout_node();
    fdt.for_each_compatible("ns16550a", [&](const Node& n) { sink += n.reg().ok(); });
    fdt.for_each_reserved([&](Reg r) { sink += r.base + r.size; });
    fdt.for_each_memory([&](Reg r) { sink += r.base + r.size; });
    fdt.for_each_reserved_memory([&](const Node&, Reg r) { sink += r.base + r.size; });
    for (u32 phandle = 0; phandle < 4; ++phandle) (void)fdt.find_by_phandle(phandle);

    g_sink = sink;
    free(copy);
    return 0;
}
