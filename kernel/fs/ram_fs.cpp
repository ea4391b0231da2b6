#include "fs/ram_fs.hpp"

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

// What a directory entry may be called (the syscall layer has checked
// already; a kernel caller may not have).
bool valid_name(StringView name) {
    if (name.empty() || name.length() > abi::kNameMax || name == "." || name == "..") return false;
    for (char c : name)
        if (c == '/' || c == '\0') return false;
    return true;
}

constexpr u8 kZeros[512] = {};

}  // namespace

// ---------------------------------------------------------------------------
// RamFs

RamFs::RamFs(PageAllocator& pages, Limits limits, FsClock clock)
    : m_pages(pages),
      m_node_cache("ramfs-node", sizeof(RamNode), alignof(RamNode), pages),
      m_entry_cache("ramfs-entry", sizeof(RamEntry), alignof(RamEntry), pages),
      m_limits(limits),
      m_clock(clock),
      m_root(*this, NodeType::Directory, 01777, 1, clock.read()) {
    // The root is named by its mount, not by an entry: one name for good.
    m_root.m_names = 1;
}

RamFs::~RamFs() {
    // Depth first without recursion: go down into the first entry while it
    // is a non-empty directory; remove it otherwise; go up from an emptied
    // directory (its own entry is then first in its parent).
    RamNode* dir = &m_root;
    for (;;) {
        RamEntry* entry = dir->m_entries.front();
        if (!entry) {
            if (dir == &m_root) break;
            dir = dir->m_parent;
            continue;
        }
        RamNode& node = *entry->node;
        if (node.is_dir() && !node.m_entries.empty()) {
            dir = &node;
            continue;
        }
        VERIFY_MSG(node.m_refs == 0, "a ramfs node is referenced while its filesystem goes");
        dir->m_entries.remove(*entry);
        dir->drop_entry(*entry);
    }
    VERIFY_MSG(m_root.m_refs == 0, "the ramfs root is referenced while its filesystem goes");
}

abi::FsStat RamFs::stats() {
    abi::FsStat stat {};
    stat.block_size = kPageSize;
    stat.blocks = m_limits.bytes / kPageSize;
    u64 free = m_bytes >= m_limits.bytes ? 0 : (m_limits.bytes - m_bytes) / kPageSize;
    stat.free_blocks = free;
    stat.avail_blocks = free;
    stat.files = m_limits.nodes;
    stat.free_files = m_node_count >= m_limits.nodes ? 0 : m_limits.nodes - m_node_count;
    stat.flags = 0;
    stat.name_max = abi::kNameMax;
    mem_copy(stat.type, "ramfs", 6);
    return stat;
}

Result<void> RamFs::charge(u64 bytes, u64 nodes) {
    if (bytes > m_limits.bytes || m_bytes > m_limits.bytes - bytes) return Error::NoSpace;
    if (nodes > m_limits.nodes || m_node_count > m_limits.nodes - nodes) return Error::NoSpace;
    m_bytes += bytes;
    m_node_count += nodes;
    return {};
}

void RamFs::refund(u64 bytes, u64 nodes) {
    VERIFY(m_bytes >= bytes && m_node_count >= nodes);
    m_bytes -= bytes;
    m_node_count -= nodes;
}

Result<PhysAddr> RamFs::take_page() {
    TRY(charge(kPageSize, 0));
    auto page = m_pages.allocate(0);
    if (page.is_error()) {
        refund(kPageSize, 0);
        return page.error();
    }
    mem_set(page_bytes(page.value()), 0, kPageSize);
    return page.value();
}

void RamFs::give_page(PhysAddr page) {
    m_pages.free(page, 0);
    refund(kPageSize, 0);
}

Result<RamNode*> RamFs::new_node(NodeType type, u32 mode) {
    TRY(charge(sizeof(RamNode), 1));
    auto memory = m_node_cache.allocate();
    if (memory.is_error()) {
        refund(sizeof(RamNode), 1);
        return memory.error();
    }
    return new (memory.value()) RamNode(*this, type, mode, m_next_inode++, now());
}

Result<RamEntry*> RamFs::new_entry(StringView name, RamNode& node) {
    TRY(charge(sizeof(RamEntry), 0));
    auto memory = m_entry_cache.allocate();
    if (memory.is_error()) {
        refund(sizeof(RamEntry), 0);
        return memory.error();
    }
    auto* entry = new (memory.value()) RamEntry;
    entry->node = &node;
    entry->name_length = u32(name.length());
    mem_copy(entry->name_bytes, name.data(), name.length());
    return entry;
}

void RamFs::free_entry(RamEntry& entry) {
    entry.~RamEntry();
    m_entry_cache.free(&entry);
    refund(sizeof(RamEntry), 0);
}

void RamFs::collect(RamNode& node) {
    if (&node == &m_root || node.m_names != 0 || node.m_refs != 0) return;
    VERIFY(node.m_entries.empty());
    node.m_pages.free_from(*this, 0);
    node.~RamNode();
    m_node_cache.free(&node);
    refund(sizeof(RamNode), 1);
}

// ---------------------------------------------------------------------------
// RamNode

RamNode::RamNode(RamFs& fs, NodeType type, u32 mode, u64 inode, i64 now)
    : m_fs(fs), m_type(type), m_mode(mode & 07777), m_inode(inode), m_atime(now), m_mtime(now), m_ctime(now) {}

Stat RamNode::stat() const {
    Stat stat;
    stat.type = m_type;
    stat.mode = m_mode;
    stat.inode = m_inode;
    // A directory: its entries (there are no bytes to count); 2 + its
    // subdirectories' ".." for links, none once removed.
    stat.size = is_dir() ? m_entries.size() : m_size;
    stat.links = is_dir() ? (m_names ? 2 + m_subdirs : 0) : m_names;
    stat.blocks = (m_pages.data_pages() + m_pages.index_pages()) * (kPageSize / 512);
    stat.atime_ns = m_atime;
    stat.mtime_ns = m_mtime;
    stat.ctime_ns = m_ctime;
    return stat;
}

void RamNode::release() {
    VERIFY_MSG(m_refs > 0, "a ramfs node released more often than retained");
    if (--m_refs == 0) m_fs.collect(*this);
}

Filesystem* RamNode::filesystem() { return &m_fs; }

RamEntry* RamNode::find(StringView name) {
    for (RamEntry& entry : m_entries) {
        int order = compare_names(entry.name(), name);
        if (order == 0) return &entry;
        if (order > 0) break;
    }
    return nullptr;
}

void RamNode::insert(RamEntry& entry) {
    for (RamEntry& other : m_entries) {
        if (compare_names(other.name(), entry.name()) > 0) {
            m_entries.insert_before(other, entry);
            return;
        }
    }
    m_entries.push_back(entry);
}

void RamNode::touch_contents(i64 now) {
    m_mtime = now;
    m_ctime = now;
}

Task<NodeRef> RamNode::lookup(StringView name) {
    if (!is_dir()) return Error::BadState;
    RamEntry* entry = find(name);
    if (!entry) return Error::NotFound;
    return NodeRef(*entry->node);
}

Task<bool> RamNode::read_dir(u64 index, DirEntry& out) {
    if (!is_dir()) return Error::BadState;
    u64 i = 0;
    for (RamEntry& entry : m_entries) {
        if (i++ != index) continue;
        out.inode = entry.node->m_inode;
        out.type = entry.node->m_type;
        out.set_name(entry.name());
        return true;
    }
    return false;
}

Task<usize> RamNode::read(u64 offset, IoBuffer buffer) { return do_read(offset, buffer); }

Result<usize> RamNode::do_read(u64 offset, IoBuffer buffer) {
    if (is_dir()) return Error::BadState;
    if (offset >= m_size) return usize(0);
    u64 count = min<u64>(buffer.size(), m_size - offset);
    u64 done = 0;
    while (done < count) {
        u64 at = offset + done;
        u64 in_page = at % kPageSize;
        u64 chunk = min<u64>(kPageSize - in_page, count - done);
        if (u8* page = m_pages.find(m_fs, at / kPageSize)) {
            TRY(buffer.fill(done, ReadonlyBytes(page + in_page, usize(chunk))));
        } else {
            // A hole.
            for (u64 z = 0; z < chunk; z += sizeof(kZeros))
                TRY(buffer.fill(done + z, ReadonlyBytes(kZeros, usize(min<u64>(sizeof(kZeros), chunk - z)))));
        }
        done += chunk;
    }
    return usize(done);
}

Task<usize> RamNode::write(u64 offset, IoBuffer data) { return do_write(offset, data); }

Result<usize> RamNode::do_write(u64 offset, IoBuffer data) {
    if (m_type != NodeType::File) return Error::BadState;  // a directory, or a symlink opened itself
    return store(offset, data);
}

Result<usize> RamNode::store(u64 offset, IoBuffer data) {
    u64 count = data.size();
    if (count == 0) return usize(0);
    if (offset >= kMaxFileBytes) return Error::Overflow;
    count = min(count, kMaxFileBytes - offset);
    u64 done = 0;
    while (done < count) {
        u64 at = offset + done;
        u64 in_page = at % kPageSize;
        u64 chunk = min<u64>(kPageSize - in_page, count - done);
        auto page = m_pages.get(m_fs, at / kPageSize);
        if (page.is_error()) {
            if (done > 0) break;  // keep what was stored, as POSIX's short write
            return page.error();
        }
        auto taken = data.take(done, Span<u8>(page.value() + in_page, usize(chunk)));
        if (taken.is_error()) {
            if (done > 0) break;
            return taken.error();
        }
        done += chunk;
    }
    if (offset + done > m_size) m_size = offset + done;
    touch_contents(m_fs.now());
    return usize(done);
}

Task<void> RamNode::truncate(u64 size) { return do_truncate(size); }

Result<void> RamNode::do_truncate(u64 size) {
    if (m_type != NodeType::File) return Error::BadState;
    if (size > kMaxFileBytes) return Error::Overflow;
    if (size < m_size) {
        // Whole pages past the end go; the tail of the last one is zeroed,
        // so growing again reads zeros there (a fresh page is zero too).
        m_pages.free_from(m_fs, (size + kPageSize - 1) / kPageSize);
        if (size % kPageSize)
            if (u8* page = m_pages.find(m_fs, size / kPageSize))
                mem_set(page + size % kPageSize, 0, usize(kPageSize - size % kPageSize));
    }
    m_size = size;
    touch_contents(m_fs.now());
    return {};
}

Task<void> RamNode::set_times(i64 atime_ns, i64 mtime_ns) {
    if ((atime_ns < 0 && atime_ns != abi::kTimeOmit) || (mtime_ns < 0 && mtime_ns != abi::kTimeOmit))
        return Error::InvalidArgument;
    if (atime_ns != abi::kTimeOmit) m_atime = atime_ns;
    if (mtime_ns != abi::kTimeOmit) m_mtime = mtime_ns;
    m_ctime = m_fs.now();
    return Result<void> {};
}

Task<NodeRef> RamNode::create(StringView name, CreateSpec spec) { return do_create(name, spec); }

Result<NodeRef> RamNode::do_create(StringView name, const CreateSpec& spec) {
    if (!is_dir()) return Error::BadState;
    if (!m_names) return Error::NotFound;  // removed
    if (!valid_name(name) || spec.mode > 07777) return Error::InvalidArgument;
    bool symlink = spec.type == NodeType::Symlink;
    if (spec.type != NodeType::File && spec.type != NodeType::Directory && !symlink) return Error::InvalidArgument;
    if (symlink && (spec.target.empty() || spec.target.length() > kMaxTarget)) return Error::InvalidArgument;
    if (find(name)) return Error::Exists;
    RamNode* node = TRY(m_fs.new_node(spec.type, spec.mode));
    if (symlink) {
        auto target = ReadonlyBytes(reinterpret_cast<const u8*>(spec.target.data()), spec.target.length());
        auto stored = node->store(0, IoBuffer::kernel(target));
        if (stored.is_error() || stored.value() != target.size()) {
            m_fs.collect(*node);
            return stored.is_error() ? stored.error() : Error::NoSpace;
        }
    }
    auto entry = m_fs.new_entry(name, *node);
    if (entry.is_error()) {
        m_fs.collect(*node);
        return entry.error();
    }
    insert(*entry.value());
    node->m_names = 1;
    if (node->is_dir()) {
        node->m_parent = this;
        ++m_subdirs;
    }
    touch_contents(m_fs.now());
    return NodeRef(*node);
}

Task<void> RamNode::link(StringView name, FsNode& target) { return do_link(name, target.underlying()); }

Result<void> RamNode::do_link(StringView name, FsNode& target) {
    if (!is_dir()) return Error::BadState;
    if (!m_names) return Error::NotFound;
    if (target.filesystem() != &m_fs) return Error::CrossDevice;
    auto& node = static_cast<RamNode&>(target);
    if (!valid_name(name)) return Error::InvalidArgument;
    if (find(name)) return Error::Exists;  // before the node's own checks, as Linux
    if (node.is_dir()) return Error::BadState;
    if (!node.m_names) return Error::NotFound;  // unlinked: only open handles hold it
    if (node.m_names == 0xffff) return Error::Overflow;
    RamEntry* entry = TRY(m_fs.new_entry(name, node));
    insert(*entry);
    ++node.m_names;
    i64 now = m_fs.now();
    node.m_ctime = now;
    touch_contents(now);
    return {};
}

void RamNode::drop_entry(RamEntry& entry) {
    RamNode& node = *entry.node;
    m_fs.free_entry(entry);
    --node.m_names;
    if (node.is_dir()) {
        node.m_parent = nullptr;
        --m_subdirs;
    }
    node.m_ctime = m_fs.now();
    m_fs.collect(node);
}

Task<void> RamNode::unlink(StringView name, bool directory) { return do_unlink(name, directory); }

Result<void> RamNode::do_unlink(StringView name, bool directory) {
    if (!is_dir()) return Error::BadState;
    RamEntry* entry = find(name);
    if (!entry) return Error::NotFound;
    RamNode& node = *entry->node;
    if (node.is_dir() != directory) return Error::BadState;
    if (directory && !node.m_entries.empty()) return Error::NotEmpty;
    m_entries.remove(*entry);
    drop_entry(*entry);
    touch_contents(m_fs.now());
    return {};
}

Task<void> RamNode::rename(StringView name, FsNode& new_directory, StringView new_name) {
    return do_rename(name, new_directory.underlying(), new_name);
}

Result<void> RamNode::do_rename(StringView name, FsNode& new_directory, StringView new_name) {
    if (!is_dir()) return Error::BadState;
    if (new_directory.filesystem() != &m_fs) return Error::CrossDevice;
    auto& to = static_cast<RamNode&>(new_directory);
    if (!to.is_dir()) return Error::BadState;
    if (!to.m_names) return Error::NotFound;
    if (!valid_name(new_name)) return Error::InvalidArgument;
    RamEntry* entry = find(name);
    if (!entry) return Error::NotFound;
    RamNode& moving = *entry->node;
    // Every check before any change: then nothing can fail half way.
    if (moving.is_dir())
        for (RamNode* up = &to; up; up = up->m_parent)
            if (up == &moving) return Error::BadState;  // below itself
    RamEntry* replaced = to.find(new_name);
    if (replaced) {
        RamNode& old = *replaced->node;
        if (&old == &moving) return {};  // the same node under both names: nothing to do (POSIX)
        // Replacing a directory the source is inside: it is not empty,
        // whatever the types (Linux checks this first too).
        for (RamNode* up = this; up; up = up->m_parent)
            if (up == &old) return Error::NotEmpty;
        if (moving.is_dir() != old.is_dir()) return Error::BadState;
        if (old.is_dir() && !old.m_entries.empty()) return Error::NotEmpty;
    }
    i64 now = m_fs.now();
    if (replaced) {
        to.m_entries.remove(*replaced);
        to.drop_entry(*replaced);
    }
    m_entries.remove(*entry);
    entry->name_length = u32(new_name.length());
    mem_copy(entry->name_bytes, new_name.data(), new_name.length());
    to.insert(*entry);
    if (moving.is_dir() && &to != this) {
        --m_subdirs;
        ++to.m_subdirs;
        moving.m_parent = &to;
    }
    moving.m_ctime = now;
    touch_contents(now);
    to.touch_contents(now);
    return {};
}

}  // namespace mote::fs
