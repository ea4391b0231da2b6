// A node of a validated devicetree: its name, properties, children, and the
// readings that need the tree around it (reg, interrupts, parent).
//
// A Node is a small value: a copy of the blob's block views and the offset of
// its FDT_BEGIN_NODE token. It stays valid as long as the blob's bytes do,
// whether or not the Fdt it came from is still around. Nothing is cached and
// nothing allocates; lookups that need an ancestor (parent(), interrupt
// resolution, address translation) re-walk the structure block from the
// root, which is O(blob), with one u32 per tree level on the stack.
#pragma once

#include "firmware/fdt_property.hpp"
#include "firmware/fdt_view.hpp"
#include "base/result.hpp"

namespace mote::fdt {

// One entry of a `reg` property: a bus address and a length (2.3.6). The
// address is in the parent bus's address space; Node::cpu_reg translates it
// to the CPU's. On QEMU virt every bus maps 1:1, so the two agree.
struct Reg {
    u64 base = 0;
    u64 size = 0;

    bool operator==(const Reg&) const = default;
};

// Most cells an interrupt specifier may have here (GICv3 uses 3, or 4 with
// PPI partitions; the PLIC and the RISC-V hart controllers use 1).
inline constexpr u32 kMaxInterruptCells = 4;

struct Interrupt;

class Node {
public:
    // Full name including the unit address ("serial@10000000"); "" for root.
    StringView name() const;
    // Name before the '@' ("serial"), and the unit address after it ("10000000" or "").
    StringView base_name() const;
    StringView unit_address() const;
    bool is_root() const { return m_parent == kNoParent; }

    Result<Property> property(StringView name) const;  // NotFound if absent
    bool has_property(StringView name) const { return property(name).ok(); }
    // True if `compatible` is one of the strings of the "compatible" property.
    bool is_compatible(StringView compatible) const;
    // True unless "status" is present and neither "okay" nor "ok" (2.3.4).
    bool is_enabled() const;

    class PropertyIterator {
    public:
        PropertyIterator(FdtView view, u32 offset) : m_view(view), m_offset(offset) {}
        Property operator*() const;
        PropertyIterator& operator++();
        bool operator!=(const PropertyIterator& other) const { return m_offset != other.m_offset; }

    private:
        FdtView m_view;
        u32 m_offset;  // of an FDT_PROP token, or kEnd
    };
    struct PropertyRange {
        PropertyIterator first;
        PropertyIterator begin() const { return first; }
        PropertyIterator end() const { return PropertyIterator(FdtView(), kEnd); }
    };
    // for (Property p : node.properties())
    PropertyRange properties() const;

    class ChildIterator {
    public:
        ChildIterator(FdtView view, u32 parent, u32 offset) : m_view(view), m_parent(parent), m_offset(offset) {}
        Node operator*() const { return Node(m_view, m_offset, m_parent); }
        ChildIterator& operator++();
        bool operator!=(const ChildIterator& other) const { return m_offset != other.m_offset; }

    private:
        FdtView m_view;
        u32 m_parent;
        u32 m_offset;  // of a child's FDT_BEGIN_NODE token, or kEnd
    };
    struct ChildRange {
        ChildIterator first;
        ChildIterator begin() const { return first; }
        ChildIterator end() const { return ChildIterator(FdtView(), 0, kEnd); }
    };
    // for (Node child : node.children()), in blob order.
    ChildRange children() const;

    // The child called `name`. A name with a unit address must match exactly.
    // A name without one ("memory") matches a child of that exact name, else
    // the first child whose name before the '@' equals it ("memory@80000000").
    Result<Node> child(StringView name) const;
    // NotFound for the root. O(blob): the parent's own parent is found by a walk.
    Result<Node> parent() const;

    // #address-cells and #size-cells of this node, which describe the reg of
    // its children (2.3.5). Absent or malformed properties read as the
    // spec's defaults, 2 and 1.
    u32 address_cells() const;
    u32 size_cells() const;

    // Number of entries in `reg` (0 if absent); Malformed if the value is not
    // a whole number of entries.
    Result<usize> reg_count() const;
    // Entry `index` of `reg`, decoded with the PARENT's #address-cells and
    // #size-cells. Unsupported if either is above 2 (PCI's 3-cell addresses).
    Result<Reg> reg(usize index = 0) const;

    // An address on this node's parent bus, as the CPU sees it: translated
    // through the "ranges" of every ancestor bus up to the root (2.3.8). An
    // empty "ranges" maps 1:1; a bus without "ranges" is not memory-mapped
    // (NotFound), nor is an address no range covers. Unsupported past 2
    // cells (PCI). O(blob): one walk finds the ancestors.
    Result<u64> translate_address(u64 bus_address) const;
    // reg(index) with its base translated: what a driver maps.
    Result<Reg> cpu_reg(usize index = 0) const;

    // "phandle" (or the older "linux,phandle"); NotFound if absent.
    Result<u32> phandle() const;

    // This node's own #interrupt-cells (it is an interrupt controller or nexus).
    Result<u32> interrupt_cells() const;
    // The node that receives this node's "interrupts" (2.4.1): the target of
    // "interrupt-parent" if present, else the tree parent, repeated until a
    // node with #interrupt-cells is reached. NotFound if the chain ends.
    Result<Node> interrupt_parent() const;

    // Number of interrupt specifiers in "interrupts-extended" (preferred, as
    // the spec says) or "interrupts"; 0 if the node has neither.
    Result<usize> interrupt_count() const;
    // Specifier `index` with the controller it belongs to.
    Result<Interrupt> interrupt(usize index) const;

    // Identity within the blob: the offset of the FDT_BEGIN_NODE token.
    u32 offset() const { return m_offset; }
    bool operator==(const Node& other) const { return m_offset == other.m_offset; }

    static constexpr u32 kNoParent = ~u32(0);
    static constexpr u32 kEnd = ~u32(0);

private:
    friend class Fdt;
    friend class TreeWalker;
    Node(FdtView view, u32 offset, u32 parent) : m_view(view), m_offset(offset), m_parent(parent) {}

    u32 first_property_offset() const;
    Result<Node> resolve_phandle(u32 phandle) const;

    FdtView m_view;
    u32 m_offset;
    u32 m_parent;  // offset of the parent's FDT_BEGIN_NODE, or kNoParent
};

// One interrupt specifier and the controller that interprets it (2.4).
struct Interrupt {
    Node controller;
    u32 cell_count = 0;
    u32 cells[kMaxInterruptCells] {};
};

}  // namespace mote::fdt
