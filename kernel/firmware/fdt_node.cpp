#include "firmware/fdt_node.hpp"

#include "base/checked.hpp"
#include "firmware/fdt_walker.hpp"

namespace mote::fdt {

namespace {

// The properties of a node come right after its FDT_BEGIN_NODE and before
// any child (parse() enforces the order of 5.4.2), so a lookup reads only
// the node's own properties, never its subtree.
// Names are compared in place; only the match is decoded in full.
Result<Property> find_property(FdtView view, u32 node_offset, StringView name) {
    u32 at = view.skip_nops(view.step(node_offset).next);
    for (TokenStep t = view.step(at); t.kind == Token::Property; t = view.step(at)) {
        if (view.property_named(at, name)) {
            RawToken match = view.token(at);
            return Property(match.name, match.value);
        }
        at = view.skip_nops(t.next);
    }
    return Error::NotFound;
}

u32 cells_property(FdtView view, u32 node_offset, StringView name, u32 fallback) {
    auto property = find_property(view, node_offset, name);
    if (property.is_error()) return fallback;
    return property.value().as_u32().value_or(fallback);
}

usize find_char(StringView s, char c) {
    for (usize i = 0; i < s.length(); ++i)
        if (s[i] == c) return i;
    return s.length();
}

// How many interrupt-parent / tree-parent steps interrupt_parent() takes
// before it calls the chain a cycle. A sane tree needs at most its depth
// plus a few phandle jumps.
constexpr u32 kMaxInterruptHops = 2 * kMaxDepth;

}  // namespace

StringView Node::name() const { return m_view.token(m_offset).name; }

StringView Node::base_name() const {
    StringView full = name();
    return full.substr(0, find_char(full, '@'));
}

StringView Node::unit_address() const {
    StringView full = name();
    usize at = find_char(full, '@');
    return at == full.length() ? StringView() : full.substr(at + 1);
}

Result<Property> Node::property(StringView name) const { return find_property(m_view, m_offset, name); }

bool Node::is_compatible(StringView compatible) const {
    auto property = this->property("compatible");
    if (property.is_error()) return false;
    auto list = property.value().as_strings();
    return list.ok() && list.value().contains(compatible);
}

bool Node::is_enabled() const {
    auto status = property("status");
    if (status.is_error()) return true;
    auto text = status.value().as_string();
    return text.ok() && (text.value() == "okay" || text.value() == "ok");
}

u32 Node::first_property_offset() const { return m_view.step(m_offset).next; }

Property Node::PropertyIterator::operator*() const {
    RawToken t = m_view.token(m_offset);
    return Property(t.name, t.value);
}

Node::PropertyIterator& Node::PropertyIterator::operator++() {
    u32 at = m_view.skip_nops(m_view.step(m_offset).next);
    m_offset = m_view.step(at).kind == Token::Property ? at : kEnd;
    return *this;
}

Node::PropertyRange Node::properties() const {
    u32 at = m_view.skip_nops(first_property_offset());
    return {PropertyIterator(m_view, m_view.step(at).kind == Token::Property ? at : kEnd)};
}

Node::ChildIterator& Node::ChildIterator::operator++() {
    // Properties never follow a child, so after a child's subtree comes
    // either the next child or the parent's FDT_END_NODE.
    u32 at = m_view.skip_nops(m_view.end_of_node(m_offset));
    m_offset = m_view.step(at).kind == Token::BeginNode ? at : kEnd;
    return *this;
}

Node::ChildRange Node::children() const {
    u32 at = m_view.skip_nops(first_property_offset());
    for (TokenStep t = m_view.step(at); t.kind == Token::Property; t = m_view.step(at)) at = m_view.skip_nops(t.next);
    return {ChildIterator(m_view, m_offset, m_view.step(at).kind == Token::BeginNode ? at : kEnd)};
}

Result<Node> Node::child(StringView name) const {
    const bool has_unit = find_char(name, '@') < name.length();
    u32 first_by_base = kEnd;
    for (Node c : children()) {
        if (c.name() == name) return c;
        if (!has_unit && first_by_base == kEnd && c.base_name() == name) first_by_base = c.offset();
    }
    if (first_by_base == kEnd) return Error::NotFound;
    return Node(m_view, first_by_base, m_offset);
}

Result<Node> Node::parent() const {
    if (is_root()) return Error::NotFound;
    TreeWalker walker(m_view);
    VERIFY(walker.seek(m_parent));
    return walker.node();
}

u32 Node::address_cells() const { return cells_property(m_view, m_offset, "#address-cells", 2); }
u32 Node::size_cells() const { return cells_property(m_view, m_offset, "#size-cells", 1); }

namespace {

struct RegLayout {
    u32 address_cells;
    u32 size_cells;
};

// The parent's #address-cells/#size-cells give the layout of a node's reg.
// The root has no parent; it gets the defaults.
Result<RegLayout> reg_layout(FdtView view, u32 parent) {
    RegLayout layout {2, 1};
    if (parent != Node::kNoParent) {
        layout.address_cells = cells_property(view, parent, "#address-cells", 2);
        layout.size_cells = cells_property(view, parent, "#size-cells", 1);
    }
    if (layout.address_cells > 2 || layout.size_cells > 2) return Error::Unsupported;
    if (layout.address_cells + layout.size_cells == 0) return Error::Malformed;
    return layout;
}

}  // namespace

Result<usize> Node::reg_count() const {
    auto reg = property("reg");
    if (reg.is_error()) return usize(0);
    RegLayout layout = TRY(reg_layout(m_view, m_parent));
    const usize entry_bytes = 4 * usize(layout.address_cells + layout.size_cells);
    if (reg.value().size() % entry_bytes != 0) return Error::Malformed;
    return reg.value().size() / entry_bytes;
}

Result<Reg> Node::reg(usize index) const {
    Property reg = TRY(property("reg"));
    RegLayout layout = TRY(reg_layout(m_view, m_parent));
    const usize first = TRY(checked_mul<usize>(index, layout.address_cells + layout.size_cells));
    Reg out;
    out.base = TRY(reg.cells(first, layout.address_cells));
    out.size = TRY(reg.cells(first + layout.address_cells, layout.size_cells));
    return out;
}

namespace {

// Maps `address` from the child address space of `bus` into that of its
// parent, through the bus's "ranges": <child-address parent-address length>
// triples sized by the bus's own cells, the parent's #address-cells, and the
// bus's #size-cells.
Result<u64> translate_through(const Node& bus, const Node& bus_parent, u64 address) {
    Property ranges = TRY(bus.property("ranges"));
    if (ranges.is_empty()) return address;  // identity mapping
    const u32 child_cells = bus.address_cells();
    const u32 parent_cells = bus_parent.address_cells();
    const u32 size_cells = bus.size_cells();
    if (child_cells > 2 || parent_cells > 2 || size_cells > 2) return Error::Unsupported;
    const usize entry_cells = child_cells + parent_cells + size_cells;
    if (entry_cells == 0 || ranges.size() % (4 * entry_cells) != 0) return Error::Malformed;
    for (usize first = 0; first < ranges.cell_count(); first += entry_cells) {
        const u64 child = TRY(ranges.cells(first, child_cells));
        const u64 parent = TRY(ranges.cells(first + child_cells, parent_cells));
        const u64 length = TRY(ranges.cells(first + child_cells + parent_cells, size_cells));
        if (address < child || address - child >= length) continue;
        return checked_add(parent, address - child);
    }
    return Error::NotFound;
}

}  // namespace

Result<u64> Node::translate_address(u64 bus_address) const {
    TreeWalker walker(m_view);
    VERIFY(walker.seek(m_offset));
    u64 address = bus_address;
    // This node sits on the bus of its parent (depth - 1); each bus down to
    // the root's children maps into its own parent's space.
    for (u32 bus = walker.depth() - 1; bus >= 2; --bus) {
        address = TRY(translate_through(walker.ancestor(bus), walker.ancestor(bus - 1), address));
    }
    return address;
}

Result<Reg> Node::cpu_reg(usize index) const {
    Reg out = TRY(reg(index));
    out.base = TRY(translate_address(out.base));
    return out;
}

Result<u32> Node::phandle() const {
    auto value = property("phandle");
    if (value.is_error()) return TRY(property("linux,phandle")).as_u32();
    return value.value().as_u32();
}

Result<u32> Node::interrupt_cells() const { return TRY(property("#interrupt-cells")).as_u32(); }

Result<Node> Node::resolve_phandle(u32 phandle) const { return find_node_by_phandle(m_view, phandle); }

Result<Node> Node::interrupt_parent() const {
    // One walk positions `walker` on this node with all its ancestors known,
    // so a step to the tree parent is free; only a jump through an
    // interrupt-parent phandle walks again (and leaves the walker on the
    // target, with its ancestors).
    TreeWalker walker(m_view);
    VERIFY(walker.seek(m_offset));
    u32 depth = walker.depth();
    for (u32 hop = 0; hop < kMaxInterruptHops; ++hop) {
        auto link = walker.ancestor(depth).property("interrupt-parent");
        if (link.ok()) {
            const u32 phandle = TRY(link.value().as_u32());
            if (phandle == 0 || phandle == ~u32(0)) return Error::NotFound;
            walker = TreeWalker(m_view);
            if (!walker.seek_phandle(phandle)) return Error::NotFound;
            depth = walker.depth();
        } else {
            if (depth == 1) return Error::NotFound;  // past the root
            --depth;
        }
        Node candidate = walker.ancestor(depth);
        if (candidate.has_property("#interrupt-cells")) return candidate;
    }
    // interrupt-parent links that go round in a circle.
    return Error::Malformed;
}

namespace {

Result<u32> specifier_cells(const Node& controller) {
    u32 cells = TRY(controller.interrupt_cells());
    if (cells > kMaxInterruptCells) return Error::Unsupported;
    return cells;
}

}  // namespace

// Both readings walk the same way: "interrupts-extended" is a list of
// <phandle specifier...> entries, each sized by its own controller, while
// "interrupts" is a flat array of specifiers for one interrupt parent.
Result<usize> Node::interrupt_count() const {
    auto extended = property("interrupts-extended");
    if (extended.ok()) {
        const Property& list = extended.value();
        if (list.size() % 4 != 0) return Error::Malformed;
        usize count = 0;
        for (usize cell = 0; cell < list.cell_count(); ++count) {
            const u32 phandle = TRY(list.cell(cell));
            Node controller = TRY(resolve_phandle(phandle));
            cell += 1 + TRY(specifier_cells(controller));
            if (cell > list.cell_count()) return Error::Malformed;
        }
        return count;
    }
    auto interrupts = property("interrupts");
    if (interrupts.is_error()) return usize(0);
    Node controller = TRY(interrupt_parent());
    const u32 cells = TRY(specifier_cells(controller));
    if (cells == 0 || interrupts.value().size() % (4 * cells) != 0) return Error::Malformed;
    return interrupts.value().size() / (4 * cells);
}

Result<Interrupt> Node::interrupt(usize index) const {
    auto extended = property("interrupts-extended");
    if (extended.ok()) {
        const Property& list = extended.value();
        usize cell = 0;
        for (usize i = 0;; ++i) {
            if (cell >= list.cell_count()) return Error::OutOfRange;
            const u32 phandle = TRY(list.cell(cell));
            Node controller = TRY(resolve_phandle(phandle));
            const u32 cells = TRY(specifier_cells(controller));
            if (i == index) {
                Interrupt out {controller};
                out.cell_count = cells;
                for (u32 c = 0; c < cells; ++c) out.cells[c] = TRY(list.cell(cell + 1 + c));
                return out;
            }
            cell += 1 + cells;
        }
    }
    Property interrupts = TRY(property("interrupts"));
    Node controller = TRY(interrupt_parent());
    const u32 cells = TRY(specifier_cells(controller));
    if (cells == 0) return Error::Malformed;
    const usize first = TRY(checked_mul<usize>(index, cells));
    Interrupt out {controller};
    out.cell_count = cells;
    for (u32 c = 0; c < cells; ++c) out.cells[c] = TRY(interrupts.cell(first + c));
    return out;
}

}  // namespace mote::fdt
