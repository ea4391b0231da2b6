// The flattened devicetree (DTB) the firmware hands the kernel at boot: where
// RAM is, which devices exist at which addresses and interrupts, and the
// command line. Devicetree Specification v0.4, chapter 5.
//
//     FdtFault fault;
//     auto fdt = Fdt::parse(ReadonlyBytes(blob, size), &fault);
//     if (fdt.is_error()) panic(fdt_fault_name(fault));
//     fdt.value().for_each_compatible("ns16550a", [&](Node uart) { ... });
//
// parse() validates the header and walks the whole structure block once, so
// no later lookup can meet malformed data: every Node and Property handed
// out afterwards is known to lie inside the blob. The blob is borrowed, never
// copied; it must stay mapped and unchanged while any Fdt, Node or Property
// from it is in use. Nothing allocates, nothing recurses, and the blob may
// sit at any alignment.
//
// The public surface is this file, fdt_node.hpp (Node, Reg, Interrupt) and
// fdt_property.hpp (Property, StringList).
#pragma once

#include "firmware/fdt_fault.hpp"
#include "firmware/fdt_node.hpp"
#include "firmware/fdt_property.hpp"
#include "firmware/fdt_walker.hpp"
#include "base/result.hpp"
#include "base/span.hpp"

namespace mote::fdt {

inline constexpr u32 kFdtMagic = 0xd00dfeed;
// The header is 40 bytes in version 17, the current one; a version-16 blob
// lacks the final size_dt_struct word.
inline constexpr usize kHeaderSize = 40;
// Phandles that parse() indexes. QEMU's virt trees have 3 to 10 (one per
// interrupt controller, clock and CPU); a tree with more still works, its
// later phandles are found by a walk.
inline constexpr usize kPhandleIndexSize = 32;

namespace detail {
// Calls f(args...); a callback may return void (keep going) or bool (false
// stops the walk).
template <typename F, typename... Args>
bool invoke_continue(F& f, const Args&... args) {
    if constexpr (__is_same(decltype(f(args...)), void)) {
        f(args...);
        return true;
    } else {
        return static_cast<bool>(f(args...));
    }
}
}  // namespace detail

class Fdt {
public:
    // Validates `blob` (only its first header.totalsize bytes are used). On
    // failure returns Error::Malformed and, if `fault` is non-null, stores
    // the reason there (FdtFault::None on success).
    static Result<Fdt> parse(ReadonlyBytes blob, FdtFault* fault = nullptr);

    // Reads header.totalsize from the first bytes of a blob whose size is not
    // yet known (boot code gets only a pointer). Checks the magic and nothing
    // else; parse() checks the rest.
    static Result<u32> peek_total_size(ReadonlyBytes header);

    Node root() const { return Node(m_view, m_root, Node::kNoParent); }

    // A node by absolute path ("/soc/serial@10000000", "/cpus"), or by a path
    // that starts with an alias from /aliases ("serial0", "serial0/child").
    // Components match as in Node::child. NotFound if any step is missing.
    Result<Node> find_node(StringView path) const;
    // The node whose "phandle" is `phandle`: the first in blob order, as
    // find_node_by_phandle() would find it. A lookup in the index parse()
    // built, O(kPhandleIndexSize); O(blob) only for a tree with more
    // phandles than the index holds.
    Result<Node> find_by_phandle(u32 phandle) const;
    // Whether every phandle of the tree is in the index (for tests).
    bool phandle_index_complete() const { return m_phandles_complete; }

    // f(Node) for every node, depth-first in blob order, the root first.
    // f may return bool: false stops the walk.
    template <typename F>
    void for_each_node(F&& f) const {
        TreeWalker walker(m_view);
        while (walker.next()) {
            if (!detail::invoke_continue(f, walker.node())) return;
        }
    }

    // f(Node) for every node whose "compatible" list contains `compatible`.
    template <typename F>
    void for_each_compatible(StringView compatible, F&& f) const {
        for_each_node([&](const Node& node) {
            if (!node.is_compatible(compatible)) return true;
            return detail::invoke_continue(f, node);
        });
    }

    // f(Reg) for every entry of the memory reservation block (5.3), the
    // terminating (0, 0) entry excluded.
    template <typename F>
    void for_each_reserved(F&& f) const {
        for (usize i = 0; i < m_reserved_count; ++i) {
            if (!detail::invoke_continue(f, reserved_entry(i))) return;
        }
    }
    usize reserved_count() const { return m_reserved_count; }

    // f(Reg) for every reg range of every enabled child of the root whose
    // device_type is "memory" (3.4). Ranges that do not decode are skipped.
    template <typename F>
    void for_each_memory(F&& f) const {
        for (Node node : root().children()) {
            if (!is_memory_node(node)) continue;
            usize count = node.reg_count().value_or(0);
            for (usize i = 0; i < count; ++i) {
                auto reg = node.reg(i);
                if (reg.is_error()) continue;
                if (!detail::invoke_continue(f, reg.value())) return;
            }
        }
    }

    // f(Node, Reg) for every reg range of every enabled child of
    // /reserved-memory (3.5). Children that ask for a dynamic allocation
    // ("size" without "reg") have no range and are not reported.
    template <typename F>
    void for_each_reserved_memory(F&& f) const {
        auto parent = find_node("/reserved-memory");
        if (parent.is_error()) return;
        for (Node node : parent.value().children()) {
            if (!node.is_enabled()) continue;
            usize count = node.reg_count().value_or(0);
            for (usize i = 0; i < count; ++i) {
                auto reg = node.reg(i);
                if (reg.is_error()) continue;
                if (!detail::invoke_continue(f, node, reg.value())) return;
            }
        }
    }

    // /chosen/bootargs, the kernel command line.
    Result<StringView> bootargs() const;
    // /chosen/stdout-path (or the older linux,stdout-path) without the
    // ":options" suffix: a path or an alias.
    Result<StringView> stdout_path() const;
    // The node stdout_path() names, aliases resolved.
    Result<Node> stdout_node() const;

    usize total_size() const { return m_blob.size(); }
    ReadonlyBytes blob() const { return m_blob; }
    u32 version() const { return m_version; }
    u32 boot_cpuid() const { return m_boot_cpuid; }
    // Number of nodes, counted by parse().
    usize node_count() const { return m_node_count; }

private:
    Fdt() = default;
    // The checks behind parse(); fills `out` and returns FdtFault::None if
    // the blob is valid.
    static FdtFault validate(ReadonlyBytes blob, Fdt& out);
    Reg reserved_entry(usize index) const;
    // Called by validate() for each node, in blob order, once its properties
    // are known.
    void index_phandle(u32 phandle, u32 node, u32 parent);
    static bool is_memory_node(const Node& node);

    ReadonlyBytes m_blob;  // exactly totalsize bytes
    FdtView m_view;
    u32 m_root = 0;        // offset of the root's FDT_BEGIN_NODE
    u32 m_reserved_offset = 0;
    usize m_reserved_count = 0;
    usize m_node_count = 0;
    u32 m_version = 0;
    u32 m_boot_cpuid = 0;

    // The first kPhandleIndexSize nodes with a phandle, in blob order, so a
    // hit is the same node a walk would find first. Built by the validation
    // walk, which has to visit every property anyway: the boot code looks
    // up a phandle for every PCI interrupt-map entry and used to walk the
    // whole blob each time.
    struct PhandleEntry {
        u32 phandle;
        u32 node;    // offset of its FDT_BEGIN_NODE
        u32 parent;  // of the parent's, or Node::kNoParent
    };
    PhandleEntry m_phandles[kPhandleIndexSize] {};
    usize m_phandle_count = 0;
    bool m_phandles_complete = true;
};

}  // namespace mote::fdt
