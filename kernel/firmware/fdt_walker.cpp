#include "firmware/fdt_walker.hpp"

#include "base/verify.hpp"

namespace mote::fdt {

bool TreeWalker::next() {
    while (!m_done) {
        const u32 offset = m_offset;
        TokenStep t = m_view.step(offset);
        m_offset = t.next;
        switch (t.kind) {
        case Token::BeginNode:
            // parse() rejected anything deeper, so this is a bug if it fires.
            VERIFY(m_depth < kMaxDepth);
            m_stack[m_depth++] = offset;
            return true;
        case Token::EndNode:
            VERIFY(m_depth > 0);
            --m_depth;
            break;
        case Token::Property:
        case Token::Nop: break;
        case Token::End: m_done = true; break;
        }
    }
    return false;
}

bool TreeWalker::seek(u32 offset) {
    while (next()) {
        if (m_stack[m_depth - 1] == offset) return true;
        // Nodes appear in offset order, so once past it there is no match.
        if (m_stack[m_depth - 1] > offset) return false;
    }
    return false;
}

bool TreeWalker::seek_phandle(u32 phandle) {
    while (next()) {
        auto value = node().phandle();
        if (value.ok() && value.value() == phandle) return true;
    }
    return false;
}

Node TreeWalker::node() const { return ancestor(m_depth); }

Node TreeWalker::ancestor(u32 depth) const {
    VERIFY(depth >= 1 && depth <= m_depth);
    u32 parent = depth >= 2 ? m_stack[depth - 2] : Node::kNoParent;
    return Node(m_view, m_stack[depth - 1], parent);
}

Result<Node> find_node_by_phandle(FdtView view, u32 phandle) {
    // 0 and 0xffffffff are never valid phandles (2.3.3); refusing them here
    // keeps a zeroed interrupt-parent from matching a node with a bad one.
    if (phandle == 0 || phandle == ~u32(0)) return Error::NotFound;
    TreeWalker walker(view);
    if (!walker.seek_phandle(phandle)) return Error::NotFound;
    return walker.node();
}

}  // namespace mote::fdt
