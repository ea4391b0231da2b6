// Ext2Node's FsNode operations: each takes the filesystem's mutex, checks,
// then changes the filesystem inside one change (one journal transaction).
#include "base/memory.hpp"
#include "core/log.hpp"
#include "fs/ext2/directory_block.hpp"
#include "fs/ext2/ext2_fs.hpp"

namespace mote::fs::ext2 {

namespace {

constexpr u16 kLinkMax = 65000;
constexpr u32 kSymlinkMax = 4095;
constexpr i64 kNsPerSecond = 1000000000;

NodeType node_type(FileType type) {
    switch (type) {
    case FileType::Regular: return NodeType::File;
    case FileType::Directory: return NodeType::Directory;
    case FileType::Symlink: return NodeType::Symlink;
    default: return NodeType::Device;
    }
}

u16 type_bits(FileType type) {
    switch (type) {
    case FileType::Directory: return 0040000;
    case FileType::Symlink: return 0120000;
    default: return 0100000;
    }
}

// Seconds for an inode from nanoseconds since 1970, clamped to 32 bits.
u32 to_seconds(i64 ns) {
    if (ns <= 0) return 0;
    const i64 s = ns / kNsPerSecond;
    return s > 0xffffffffll ? 0xffffffffu : u32(s);
}

}  // namespace

Stat Ext2Node::stat() const {
    Stat s;
    s.size = m_inode.size;
    s.type = node_type(m_inode.type);
    s.mode = m_inode.permissions();
    s.inode = m_number;
    s.links = m_inode.links_count;
    s.blocks = m_inode.sectors;
    s.atime_ns = i64(m_inode.atime) * kNsPerSecond;
    s.mtime_ns = i64(m_inode.mtime) * kNsPerSecond;
    s.ctime_ns = i64(m_inode.ctime) * kNsPerSecond;
    return s;
}

Filesystem* Ext2Node::filesystem() { return &m_fs; }

Result<bool> Ext2Fs::check_block_map(const Inode& inode) const {
    const Geometry& g = m_sb.geometry;
    for (u32 block : inode.block)
        if (block != 0 && !g.is_data_block(block)) return false;
    return true;
}

Task<NodeRef> Ext2Node::lookup(StringView name) {
    auto guard = co_await m_fs.m_mutex.lock();
    if (m_inode.type != FileType::Directory) co_return Error::BadState;
    auto found = co_await m_fs.find_entry(*this, name);
    if (found.is_error()) co_return found.error();
    co_return co_await m_fs.get_node(found.value().inode);
}

Task<usize> Ext2Node::read(u64 offset, IoBuffer buffer) {
    auto guard = co_await m_fs.m_mutex.lock();
    switch (m_inode.type) {
    case FileType::Regular: co_return co_await m_fs.read_file(*this, offset, buffer);
    case FileType::Symlink: {
        if (!m_inode.fast_symlink) co_return co_await m_fs.read_file(*this, offset, buffer);
        u8 target[kFastSymlinkMax + 1];
        const usize length = m_inode.fast_symlink_target(Bytes(target, sizeof target));
        if (offset >= length) co_return usize(0);
        const usize n = buffer.size() < length - offset ? usize(buffer.size()) : usize(length - offset);
        CO_TRY(buffer.fill(0, ReadonlyBytes(target + offset, n)));
        co_return n;
    }
    case FileType::Directory: co_return Error::BadState;
    default: co_return Error::Unsupported;
    }
}

Task<bool> Ext2Node::read_dir(u64 index, fs::DirEntry& out) {
    auto guard = co_await m_fs.m_mutex.lock();
    if (m_inode.type != FileType::Directory) co_return Error::BadState;
    co_return co_await m_fs.entry_at(*this, index, out);
}

Task<usize> Ext2Node::write(u64 offset, IoBuffer data) {
    auto guard = co_await m_fs.m_mutex.lock();
    if (m_fs.m_read_only) co_return Error::ReadOnly;
    if (m_inode.type == FileType::Directory) co_return Error::BadState;
    if (m_inode.type != FileType::Regular) co_return Error::Unsupported;
    co_return co_await m_fs.write_file(*this, offset, data);
}

Task<NodeRef> Ext2Node::create(StringView name, CreateSpec spec) {
    auto guard = co_await m_fs.m_mutex.lock();
    co_return co_await m_fs.do_create(*this, name, spec);
}

Task<void> Ext2Node::link(StringView name, FsNode& node) {
    auto guard = co_await m_fs.m_mutex.lock();
    FsNode& target = node.underlying();
    if (target.filesystem() != &m_fs) co_return Error::CrossDevice;
    co_return co_await m_fs.do_link(*this, name, static_cast<Ext2Node&>(target));
}

Task<void> Ext2Node::unlink(StringView name, bool directory) {
    auto guard = co_await m_fs.m_mutex.lock();
    co_return co_await m_fs.do_unlink(*this, name, directory);
}

Task<void> Ext2Node::rename(StringView name, FsNode& new_directory, StringView new_name) {
    auto guard = co_await m_fs.m_mutex.lock();
    FsNode& to = new_directory.underlying();
    if (to.filesystem() != &m_fs) co_return Error::CrossDevice;
    co_return co_await m_fs.do_rename(*this, name, static_cast<Ext2Node&>(to), new_name);
}

Task<void> Ext2Node::truncate(u64 size) {
    auto guard = co_await m_fs.m_mutex.lock();
    if (m_inode.type == FileType::Directory) co_return Error::BadState;
    if (m_inode.type != FileType::Regular) co_return Error::Unsupported;
    CO_TRY(co_await m_fs.begin_change(64));
    Result<void> done = co_await m_fs.resize(*this, size);
    CO_TRY(co_await m_fs.end_change());
    co_return done;
}

Task<void> Ext2Node::set_times(i64 atime_ns, i64 mtime_ns) {
    auto guard = co_await m_fs.m_mutex.lock();
    CO_TRY(co_await m_fs.begin_change(4));
    const u32 now = m_fs.now_seconds();
    if (atime_ns != abi::kTimeOmit) m_inode.atime = atime_ns == abi::kTimeNow ? now : to_seconds(atime_ns);
    if (mtime_ns != abi::kTimeOmit) m_inode.mtime = mtime_ns == abi::kTimeNow ? now : to_seconds(mtime_ns);
    m_inode.ctime = now;
    CO_TRY(co_await m_fs.write_inode(*this));
    co_return co_await m_fs.end_change();
}

Task<void> Ext2Node::sync() {
    // fsync: a commit makes every change so far durable, this file's with
    // them (one journal); without a journal, everything dirty is written.
    auto guard = co_await m_fs.m_mutex.lock();
    if (m_fs.m_read_only) co_return Result<void> {};
    CO_TRY(co_await m_fs.commit());
    co_return co_await m_fs.m_cache.sync();
}

// ---- the changes ----------------------------------------------------------

Task<NodeRef> Ext2Fs::do_create(Ext2Node& dir, StringView name, CreateSpec spec) {
    const Geometry& g = m_sb.geometry;
    if (m_read_only) co_return Error::ReadOnly;
    if (dir.m_inode.type != FileType::Directory) co_return Error::BadState;
    if (dir.m_inode.links_count == 0) co_return Error::NotFound;  // removed while open
    if (name.length() == 0 || name.length() > kDirNameMax) co_return Error::InvalidArgument;
    FileType type;
    switch (spec.type) {
    case NodeType::File: type = FileType::Regular; break;
    case NodeType::Directory: type = FileType::Directory; break;
    case NodeType::Symlink: type = FileType::Symlink; break;
    default: co_return Error::Unsupported;
    }
    if (type == FileType::Symlink && (spec.target.length() == 0 || spec.target.length() > kSymlinkMax))
        co_return Error::InvalidArgument;
    if (type == FileType::Directory && dir.m_inode.links_count >= kLinkMax) co_return Error::Overflow;
    auto existing = co_await find_entry(dir, name);
    if (!existing.is_error()) co_return Error::Exists;
    if (existing.error() != Error::NotFound) co_return existing.error();

    CO_TRY(co_await begin_change(24));
    Result<NodeRef> made = co_await [&]() -> Task<NodeRef> {
        const u32 parent_group = (dir.m_number - 1) / g.inodes_per_group;
        const u32 number = CO_TRY(co_await allocate_inode(parent_group, type == FileType::Directory));
        // A clean slot: nothing of a previous inode's bytes survives.
        Inode fresh;
        {
            Ext2Fault fault = Ext2Fault::None;
            const InodeLocation at = CO_TRY(locate_inode(g, number, &fault));
            BufferRef table = CO_TRY(co_await m_cache.read(m_groups[at.group].inode_table + at.table_block));
            CO_TRY(co_await modify(table));
            const u32 generation = number * 2654435761u ^ now_seconds();
            mem_set(table.data() + at.offset, 0, g.inode_size);
            fresh.mode = u16(type_bits(type) | (spec.mode & 07777));
            fresh.type = type;
            fresh.links_count = type == FileType::Directory ? 2 : 1;
            fresh.atime = fresh.ctime = fresh.mtime = now_seconds();
            fresh.generation = generation;
            encode_inode(g, fresh, Bytes(table.data() + at.offset, g.inode_size));
            dirty(table);
        }
        NodeRef ref = CO_TRY(make_node(number, fresh));
        Ext2Node& node = *static_cast<Ext2Node*>(ref.get());
        if (type == FileType::Directory) {
            bool new_block = false;
            const u32 block = CO_TRY(co_await map_block(node, 0, true, &new_block));
            BufferRef buffer = CO_TRY(co_await m_cache.get_zeroed(block));
            CO_TRY(co_await modify(buffer));
            init_directory_block(g, Bytes(buffer.data(), g.block_size), number, dir.m_number);
            dirty(buffer);
            node.m_inode.size = g.block_size;
        } else if (type == FileType::Symlink) {
            if (spec.target.length() <= kFastSymlinkMax) {
                node.m_inode.set_fast_symlink_target(spec.target);
                node.m_inode.fast_symlink = true;
                node.m_inode.size = spec.target.length();
            } else {
                bool new_block = false;
                const u32 block = CO_TRY(co_await map_block(node, 0, true, &new_block));
                BufferRef buffer = CO_TRY(co_await m_cache.get_zeroed(block));
                CO_TRY(co_await modify(buffer));
                mem_set(buffer.data(), 0, g.block_size);
                mem_copy(buffer.data(), spec.target.data(), spec.target.length());
                dirty(buffer);
                node.m_inode.size = spec.target.length();
            }
        }
        CO_TRY(co_await write_inode(node));
        CO_TRY(co_await add_entry(dir, name, number, type));
        if (type == FileType::Directory) ++dir.m_inode.links_count;
        dir.m_inode.mtime = dir.m_inode.ctime = now_seconds();
        CO_TRY(co_await write_inode(dir));
        co_return ref;
    }();
    CO_TRY(co_await end_change());
    co_return made;
}

Task<void> Ext2Fs::do_link(Ext2Node& dir, StringView name, Ext2Node& node) {
    if (m_read_only) co_return Error::ReadOnly;
    if (dir.m_inode.type != FileType::Directory) co_return Error::BadState;
    if (node.m_inode.type == FileType::Directory) co_return Error::BadState;
    if (node.m_inode.links_count == 0) co_return Error::NotFound;
    if (node.m_inode.links_count >= kLinkMax) co_return Error::Overflow;
    auto existing = co_await find_entry(dir, name);
    if (!existing.is_error()) co_return Error::Exists;
    if (existing.error() != Error::NotFound) co_return existing.error();
    CO_TRY(co_await begin_change(8));
    Result<void> done = co_await [&]() -> Task<void> {
        CO_TRY(co_await add_entry(dir, name, node.m_number, node.m_inode.type));
        ++node.m_inode.links_count;
        node.m_inode.ctime = now_seconds();
        CO_TRY(co_await write_inode(node));
        dir.m_inode.mtime = dir.m_inode.ctime = now_seconds();
        co_return co_await write_inode(dir);
    }();
    CO_TRY(co_await end_change());
    co_return done;
}

// One name of `node` is gone (its links count already lowered and written):
// if none is left and nobody has it open, its blocks and inode are freed.
Task<void> Ext2Fs::drop_link(Ext2Node& node) {
    if (node.m_inode.links_count != 0 || node.m_freed) co_return Result<void> {};
    if (node.m_refs > 1) {
        // Still open: freed on its last release; until then on the orphan
        // list, so a crash meanwhile does not leak it.
        if (!node.m_orphan) CO_TRY(co_await add_orphan(node));
        co_return Result<void> {};
    }
    if (node.m_orphan) CO_TRY(co_await remove_orphan(node));
    if (node.m_inode.has_block_map()) {
        Result<void> freed = co_await free_blocks_from(node, 0);
        if (freed.is_error()) {
            // Corrupt (a block freed twice): leave the inode for e2fsck.
            node.m_broken = true;
            co_return freed.error();
        }
    }
    node.m_inode.dtime = now_seconds();
    node.m_inode.size = 0;
    CO_TRY(co_await write_inode(node));
    CO_TRY(co_await free_inode(node.m_number, node.m_inode.type == FileType::Directory));
    node.m_freed = true;
    co_return Result<void> {};
}

Task<void> Ext2Fs::add_orphan(Ext2Node& node) {
    node.m_inode.dtime = m_sb.last_orphan;
    m_sb.last_orphan = node.m_number;
    m_sb_dirty = true;
    node.m_orphan = true;
    co_return co_await write_inode(node);
}

Task<void> Ext2Fs::remove_orphan(Ext2Node& node) {
    const u32 next = node.m_inode.dtime;
    node.m_orphan = false;
    node.m_inode.dtime = 0;
    if (m_sb.last_orphan == node.m_number) {
        m_sb.last_orphan = next;
        m_sb_dirty = true;
        co_return Result<void> {};
    }
    // Find the one before it: every orphan is an open node, so in memory.
    for (auto& bucket : m_buckets)
        for (Ext2Node& other : bucket)
            if (other.m_orphan && other.m_inode.dtime == node.m_number) {
                other.m_inode.dtime = next;
                co_return co_await write_inode(other);
            }
    co_return corrupt(Ext2Fault::BadInodeNumber, node.m_number, "orphan list");
}

Task<void> Ext2Fs::process_orphans() {
    // A crash left these: open files whose last name was removed. Each is
    // freed now; a chain that loops or leaves the inode range is cut (and
    // left to e2fsck).
    const Geometry& g = m_sb.geometry;
    u32 freed = 0;
    for (u32 steps = 0; m_sb.last_orphan != 0; ++steps) {
        const u32 number = m_sb.last_orphan;
        Ext2Fault fault = Ext2Fault::None;
        auto where = locate_inode(g, number, &fault);
        if (where.is_error() || number < g.first_inode || steps > g.inodes_count) {
            m_sb.last_orphan = 0;
            m_sb_dirty = true;
            co_return corrupt(Ext2Fault::BadInodeNumber, number, "orphan list");
        }
        const InodeLocation at = where.value();
        Inode inode;
        {
            BufferRef table = CO_TRY(co_await m_cache.read(m_groups[at.group].inode_table + at.table_block));
            inode = load_inode(g, ReadonlyBytes(table.data() + at.offset, g.inode_size));
        }
        if (inode.type == FileType::Unknown || inode.links_count != 0 ||
            (inode.has_block_map() && !CO_TRY(check_block_map(inode)))) {
            m_sb.last_orphan = 0;
            m_sb_dirty = true;
            co_return corrupt(Ext2Fault::InodeNotInUse, number, "orphan list");
        }
        CO_TRY(co_await begin_change(64));
        NodeRef ref = CO_TRY(make_node(number, inode));
        Ext2Node& node = *static_cast<Ext2Node*>(ref.get());
        node.m_orphan = true;
        Result<void> done = co_await drop_link(node);
        CO_TRY(co_await end_change());
        if (done.is_error()) {
            m_sb.last_orphan = 0;
            m_sb_dirty = true;
            co_return done.error();
        }
        ++freed;
    }
    if (freed) log_info("ext2", "{}: freed {} orphan inodes", m_device.name(), freed);
    co_return Result<void> {};
}

Task<void> Ext2Fs::do_unlink(Ext2Node& dir, StringView name, bool directory) {
    if (m_read_only) co_return Error::ReadOnly;
    if (dir.m_inode.type != FileType::Directory) co_return Error::BadState;
    Found found = CO_TRY(co_await find_entry(dir, name));
    NodeRef ref = CO_TRY(co_await get_node(found.inode));
    Ext2Node& node = *static_cast<Ext2Node*>(ref.get());
    const bool is_directory = node.m_inode.type == FileType::Directory;
    if (directory != is_directory) co_return Error::BadState;
    if (is_directory && !CO_TRY(co_await directory_empty(node))) co_return Error::NotEmpty;
    CO_TRY(co_await begin_change(40));
    Result<void> done = co_await [&]() -> Task<void> {
        CO_TRY(co_await remove_entry(dir, name));
        const u32 now = now_seconds();
        if (is_directory) {
            node.m_inode.links_count = 0;
            if (dir.m_inode.links_count > 1) --dir.m_inode.links_count;
        } else if (node.m_inode.links_count > 0) {
            --node.m_inode.links_count;
        }
        node.m_inode.ctime = now;
        dir.m_inode.mtime = dir.m_inode.ctime = now;
        CO_TRY(co_await write_inode(dir));
        CO_TRY(co_await write_inode(node));
        co_return co_await drop_link(node);
    }();
    CO_TRY(co_await end_change());
    co_return done;
}

Task<void> Ext2Fs::do_rename(Ext2Node& from, StringView name, Ext2Node& to, StringView new_name) {
    if (m_read_only) co_return Error::ReadOnly;
    if (from.m_inode.type != FileType::Directory || to.m_inode.type != FileType::Directory) co_return Error::BadState;
    if (to.m_inode.links_count == 0) co_return Error::NotFound;
    Found source = CO_TRY(co_await find_entry(from, name));
    NodeRef source_ref = CO_TRY(co_await get_node(source.inode));
    Ext2Node& node = *static_cast<Ext2Node*>(source_ref.get());
    const bool moving_dir = node.m_inode.type == FileType::Directory;

    NodeRef target_ref;
    auto target = co_await find_entry(to, new_name);
    if (!target.is_error()) {
        if (target.value().inode == source.inode) co_return Result<void> {};  // the same file: nothing to do
        target_ref = CO_TRY(co_await get_node(target.value().inode));
    } else if (target.error() != Error::NotFound) {
        co_return target.error();
    }
    Ext2Node* replaced = static_cast<Ext2Node*>(target_ref.get());
    if (replaced) {
        const bool target_dir = replaced->m_inode.type == FileType::Directory;
        if (moving_dir != target_dir) co_return Error::BadState;
        if (target_dir && !CO_TRY(co_await directory_empty(*replaced))) co_return Error::NotEmpty;
    }
    if (moving_dir && &from != &to) {
        // Not into itself or below it.
        if (CO_TRY(co_await is_ancestor(node.m_number, to))) co_return Error::BadState;
        if (!replaced && to.m_inode.links_count >= kLinkMax) co_return Error::Overflow;
    }

    CO_TRY(co_await begin_change(48));
    Result<void> done = co_await [&]() -> Task<void> {
        const u32 now = now_seconds();
        // The new name first (in place over a replaced one), then the old
        // name goes: within one transaction, so a crash shows one or the
        // other state, never neither.
        if (replaced) CO_TRY(co_await set_entry(to, new_name, node.m_number, node.m_inode.type));
        else CO_TRY(co_await add_entry(to, new_name, node.m_number, node.m_inode.type));
        CO_TRY(co_await remove_entry(from, name));
        if (moving_dir && &from != &to) {
            CO_TRY(co_await set_dotdot(node, to.m_number));
            if (from.m_inode.links_count > 1) --from.m_inode.links_count;
            ++to.m_inode.links_count;
        }
        if (replaced) {
            if (replaced->m_inode.type == FileType::Directory) {
                replaced->m_inode.links_count = 0;
                if (to.m_inode.links_count > 1) --to.m_inode.links_count;  // its ".." is gone
            } else if (replaced->m_inode.links_count > 0) {
                --replaced->m_inode.links_count;
            }
            replaced->m_inode.ctime = now;
            CO_TRY(co_await write_inode(*replaced));
        }
        node.m_inode.ctime = now;
        CO_TRY(co_await write_inode(node));
        from.m_inode.mtime = from.m_inode.ctime = now;
        CO_TRY(co_await write_inode(from));
        if (&to != &from) {
            to.m_inode.mtime = to.m_inode.ctime = now;
            CO_TRY(co_await write_inode(to));
        }
        if (replaced) CO_TRY(co_await drop_link(*replaced));
        co_return Result<void> {};
    }();
    CO_TRY(co_await end_change());
    co_return done;
}

}  // namespace mote::fs::ext2
