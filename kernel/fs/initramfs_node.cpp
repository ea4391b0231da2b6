#include "fs/initramfs_node.hpp"

#include "base/memory.hpp"

namespace mote::fs {

namespace {

// Bytewise order of two names: negative, zero or positive.
int compare_names(StringView a, StringView b) {
    const usize n = min(a.length(), b.length());
    const int prefix = n ? mem_compare(a.data(), b.data(), n) : 0;
    if (prefix != 0) return prefix;
    if (a.length() == b.length()) return 0;
    return a.length() < b.length() ? -1 : 1;
}

}  // namespace

Stat InitramfsNode::stat() const {
    return Stat {.size = m_data.size(), .type = m_type, .mode = m_mode, .inode = m_inode};
}

InitramfsNode* InitramfsNode::find_child(StringView name) const {
    for (InitramfsNode* child = m_first_child; child; child = child->m_next_sibling) {
        const int order = compare_names(child->m_name, name);
        if (order == 0) return child;
        if (order > 0) break;  // sorted: it would have come before this one
    }
    return nullptr;
}

void InitramfsNode::insert_child(InitramfsNode* child) {
    InitramfsNode** link = &m_first_child;
    while (*link && compare_names((*link)->m_name, child->m_name) < 0) link = &(*link)->m_next_sibling;
    child->m_next_sibling = *link;
    *link = child;
}

Task<NodeRef> InitramfsNode::lookup(StringView name) {
    if (m_type != NodeType::Directory) return Error::BadState;
    InitramfsNode* child = find_child(name);
    if (!child) return Error::NotFound;
    return NodeRef(*child);
}

Task<usize> InitramfsNode::read(u64 offset, IoBuffer buffer) {
    if (m_type != NodeType::File) return Error::BadState;
    if (offset >= m_data.size()) return usize(0);
    const usize count = usize(min<u64>(buffer.size(), m_data.size() - offset));
    auto copied = buffer.fill(0, ReadonlyBytes(m_data.data() + offset, count));
    if (copied.is_error()) return copied.error();
    return count;
}

Task<bool> InitramfsNode::read_dir(u64 index, DirEntry& out) {
    if (m_type != NodeType::Directory) return Error::BadState;
    InitramfsNode* child = m_first_child;
    for (u64 i = 0; child && i < index; ++i) child = child->m_next_sibling;
    if (!child) return false;
    out.inode = child->m_inode;
    out.type = child->m_type;
    out.set_name(child->m_name);
    return true;
}

}  // namespace mote::fs
