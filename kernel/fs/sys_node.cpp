#include "fs/sys_node.hpp"

#include "base/crc32c.hpp"
#include "base/memory.hpp"

namespace mote::fs {

namespace {
// The one snapshot: whose it is and its text.
char g_snapshot[SysFile::kSnapshotBytes];
const SysFile* g_snapshot_owner = nullptr;
usize g_snapshot_length = 0;
// Where change_token() makes a fresh text: not the snapshot, which a reader
// may be in the middle of.
char g_scratch[SysFile::kSnapshotBytes];

u64 token_of(const char* text, usize length) {
    return u64(crc32c(ReadonlyBytes(reinterpret_cast<const u8*>(text), length))) << 32 | u64(length);
}
}  // namespace

Stat SysFile::stat() const {
    Stat stat;
    stat.type = NodeType::File;
    stat.mode = m_apply ? 0644 : 0444;
    stat.size = g_snapshot_owner == this ? g_snapshot_length : 0;
    stat.inode = m_inode ? m_inode : u64(1) << 32;
    return stat;
}

Task<usize> SysFile::read(u64 offset, IoBuffer buffer) {
    if (offset == 0 || g_snapshot_owner != this) {
        FormatBuffer out(Span<char>(g_snapshot, sizeof(g_snapshot) - 16));
        m_generate(out, m_context);
        if (out.truncated()) out.append("...(cut)\n");
        g_snapshot_length = out.length();
        g_snapshot_owner = this;
        m_read_token = token_of(g_snapshot, g_snapshot_length);
    }
    if (offset >= g_snapshot_length) return usize(0);
    usize n = usize(min<u64>(buffer.size(), g_snapshot_length - offset));
    auto copied = buffer.fill(0, ReadonlyBytes(reinterpret_cast<const u8*>(g_snapshot) + offset, n));
    if (copied.is_error()) return copied.error();
    return n;
}

Result<u64> SysFile::change_token(bool last_read) {
    if (last_read) return m_read_token;
    FormatBuffer out(Span<char>(g_scratch, sizeof(g_scratch) - 16));
    m_generate(out, m_context);
    if (out.truncated()) out.append("...(cut)\n");
    return token_of(g_scratch, out.length());
}

Task<usize> SysFile::write(u64 offset, IoBuffer data) {
    if (!m_apply) return Error::ReadOnly;
    // A setting is written whole, in one write at offset 0.
    if (offset != 0) return Error::InvalidArgument;
    if (data.size() > kSettingBytes) return Error::Overflow;
    char bytes[kSettingBytes];
    auto taken = data.take(0, Span<u8>(reinterpret_cast<u8*>(bytes), usize(data.size())));
    if (taken.is_error()) return taken.error();
    StringView text(bytes, usize(data.size()));
    while (!text.empty() && (text[text.length() - 1] == '\n' || text[text.length() - 1] == ' '))
        text = text.substr(0, text.length() - 1);
    auto applied = m_apply(text, m_context);
    if (applied.is_error()) return applied.error();
    if (g_snapshot_owner == this) g_snapshot_owner = nullptr;
    return usize(data.size());
}

void SysDirectory::add(SysNode& child) { m_children.push_back(child); }

Stat SysDirectory::stat() const {
    Stat stat;
    stat.type = NodeType::Directory;
    stat.mode = 0555;
    stat.inode = (u64(1) << 32) + 1;
    return stat;
}

Task<NodeRef> SysDirectory::lookup(StringView name) {
    for (SysNode& child : m_children)
        if (child.name() == name) return NodeRef(child);
    return Error::NotFound;
}

Task<bool> SysDirectory::read_dir(u64 index, DirEntry& out) {
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
    if (name.empty() || name.length() > abi::kNameMax || is_mount(name)) return Error::InvalidArgument;
    m_mounts[m_count++] = {name, &node};
    return {};
}

FsNode* MountRoot::mounted(StringView name) const {
    for (usize i = 0; i < m_count; ++i)
        if (m_mounts[i].name == name) return m_mounts[i].node;
    return nullptr;
}

Task<NodeRef> MountRoot::lookup(StringView name) {
    if (FsNode* node = mounted(name)) return NodeRef(*node);
    return m_base.lookup(name);
}

// The mount points first, then the base's entries without the ones they
// hide: entry `index` is the (index - mounts)-th visible base entry.
Task<bool> MountRoot::read_dir(u64 index, DirEntry& out) {
    if (index < m_count) {
        Stat stat = m_mounts[index].node->stat();
        out.inode = stat.inode;
        out.type = stat.type;
        out.set_name(m_mounts[index].name);
        co_return true;
    }
    const u64 want = index - m_count;
    u64 visible = 0, base = 0;
    if (m_cursor_visible != ~u64(0) && m_cursor_visible < want) {
        visible = m_cursor_visible + 1;
        base = m_cursor_base + 1;
    }
    for (;; ++base) {
        bool more = CO_TRY(co_await m_base.read_dir(base, out));
        if (!more) co_return false;
        if (is_mount(out.name())) continue;
        if (visible == want) break;
        ++visible;
    }
    m_cursor_visible = want;
    m_cursor_base = base;
    co_return true;
}

Task<NodeRef> MountRoot::create(StringView name, CreateSpec spec) {
    if (is_mount(name)) return Error::Exists;
    return m_base.create(name, spec);
}

Task<void> MountRoot::link(StringView name, FsNode& node) {
    if (is_mount(name)) return Error::Exists;
    return m_base.link(name, node);
}

Task<void> MountRoot::unlink(StringView name, bool directory) {
    if (is_mount(name)) return Error::Busy;
    return m_base.unlink(name, directory);
}

Task<void> MountRoot::rename(StringView name, FsNode& new_directory, StringView new_name) {
    if (is_mount(name) || (&new_directory == this && is_mount(new_name))) return Error::Busy;
    return m_base.rename(name, new_directory, new_name);
}

}  // namespace mote::fs
