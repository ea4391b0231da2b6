#include "fs/sys_node.hpp"

#include "base/memory.hpp"

namespace mote::fs {

namespace {
// The one snapshot: whose it is and its text.
char g_snapshot[SysFile::kSnapshotBytes];
const SysFile* g_snapshot_owner = nullptr;
usize g_snapshot_length = 0;
}  // namespace

Stat SysFile::stat() const {
    Stat stat;
    stat.type = NodeType::File;
    stat.mode = m_apply ? 0644 : 0444;
    stat.size = g_snapshot_owner == this ? g_snapshot_length : 0;
    stat.inode = m_inode ? m_inode : u64(1) << 32;
    return stat;
}

Result<usize> SysFile::read(u64 offset, Span<u8> buffer) {
    if (offset == 0 || g_snapshot_owner != this) {
        FormatBuffer out(Span<char>(g_snapshot, sizeof(g_snapshot) - 16));
        m_generate(out, m_context);
        if (out.truncated()) out.append("...(cut)\n");
        g_snapshot_length = out.length();
        g_snapshot_owner = this;
    }
    if (offset >= g_snapshot_length) return usize(0);
    usize n = min<usize>(buffer.size(), usize(g_snapshot_length - offset));
    mem_copy(buffer.data(), g_snapshot + offset, n);
    return n;
}

Result<usize> SysFile::write(u64 offset, Span<const u8> data) {
    if (!m_apply) return Error::ReadOnly;
    // A setting is written whole, in one write at offset 0.
    if (offset != 0) return Error::InvalidArgument;
    StringView text(reinterpret_cast<const char*>(data.data()), data.size());
    while (!text.empty() && (text[text.length() - 1] == '\n' || text[text.length() - 1] == ' '))
        text = text.substr(0, text.length() - 1);
    TRY(m_apply(text, m_context));
    if (g_snapshot_owner == this) g_snapshot_owner = nullptr;
    return data.size();
}

void SysDirectory::add(SysNode& child) {
    child.m_parent = this;
    m_children.push_back(child);
}

Stat SysDirectory::stat() const {
    Stat stat;
    stat.type = NodeType::Directory;
    stat.mode = 0555;
    stat.inode = (u64(1) << 32) + 1;
    return stat;
}

Result<FsNode*> SysDirectory::lookup(StringView name) {
    for (SysNode& child : m_children)
        if (child.name() == name) return static_cast<FsNode*>(&child);
    return Error::NotFound;
}

Result<bool> SysDirectory::read_dir(u64 index, DirEntry& out) {
    u64 i = 0;
    for (SysNode& child : m_children) {
        if (i++ != index) continue;
        Stat stat = child.stat();
        out.inode = stat.inode;
        out.type = stat.type;
        out.set_name(child.name());
        return true;
    }
    return false;
}

Result<void> MountRoot::mount(StringView name, FsNode& node) {
    if (m_count == kMaxMounts) return Error::Overflow;
    if (m_base.lookup(name).ok()) return Error::BadState;  // would hide a real entry
    m_mounts[m_count++] = {name, &node};
    return {};
}

Result<FsNode*> MountRoot::lookup(StringView name) {
    for (usize i = 0; i < m_count; ++i)
        if (m_mounts[i].name == name) return m_mounts[i].node;
    return m_base.lookup(name);
}

Result<bool> MountRoot::read_dir(u64 index, DirEntry& out) {
    if (index < m_count) {
        Stat stat = m_mounts[index].node->stat();
        out.inode = stat.inode;
        out.type = stat.type;
        out.set_name(m_mounts[index].name);
        return true;
    }
    return m_base.read_dir(index - m_count, out);
}

}  // namespace mote::fs
