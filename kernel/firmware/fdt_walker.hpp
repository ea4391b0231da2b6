// Depth-first walk over every node of a validated devicetree.
//
// The walk follows the token stream once, front to back, keeping the offsets
// of the open nodes in a fixed array of kMaxDepth entries: no recursion and
// bounded stack, whatever the blob. While positioned on a node the walker
// also knows all of its ancestors, which is how Node finds its parent and
// interrupt parent.
#pragma once

#include "firmware/fdt_node.hpp"

namespace mote::fdt {

class TreeWalker {
public:
    explicit TreeWalker(FdtView view) : m_view(view) {}

    // Moves to the next node in depth-first (document) order; false at the
    // end. The first call moves to the root.
    bool next();
    // Walks until the node whose FDT_BEGIN_NODE is at `offset`; false if no
    // node starts there.
    bool seek(u32 offset);
    // Walks until the next node whose phandle is `phandle`; false if none.
    bool seek_phandle(u32 phandle);

    Node node() const;
    // Depth of the current node: 1 for the root.
    u32 depth() const { return m_depth; }
    // The ancestor at `depth` (1 = root, depth() = the current node).
    Node ancestor(u32 depth) const;

private:
    FdtView m_view;
    u32 m_offset = 0;  // of the next token to read
    u32 m_depth = 0;
    u32 m_stack[kMaxDepth] {};
    bool m_done = false;
};

// The first node whose phandle is `phandle`; NotFound for none, 0 and ~0
// (the values that the spec reserves).
Result<Node> find_node_by_phandle(FdtView view, u32 phandle);

}  // namespace mote::fdt
