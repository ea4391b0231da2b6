// Directories: finding, listing, adding and removing entries, block by
// block through the format layer's DirectoryBlock. Linux's indexed (htree)
// directories read correctly as linear ones (the index hides in records
// that linear readers skip); the first change to one drops its index flag,
// which leaves a valid linear directory, as e2fsck expects.
#include "base/memory.hpp"
#include "fs/ext2/directory_block.hpp"
#include "fs/ext2/ext2_fs.hpp"
#include "fs/ext2/le_bytes.hpp"

namespace mote::fs::ext2 {

namespace {

NodeType node_type_of(FileType type) {
    switch (type) {
    case FileType::Regular: return NodeType::File;
    case FileType::Directory: return NodeType::Directory;
    case FileType::Symlink: return NodeType::Symlink;
    case FileType::Unknown: return NodeType::File;
    default: return NodeType::Device;
    }
}

}  // namespace

// The decoded block of `dir` in `buffer` (file block `logical`),
// validated. The cache keeps the check's note while the block is
// unchanged, so a directory's blocks are checked once, not on every lookup.
static Result<DirectoryBlock> check_dir_block(const Geometry& g, BufferRef& buffer, u64 logical, u32 self,
                                              Ext2Fault& fault) {
    ReadonlyBytes bytes(buffer.data(), g.block_size);
    u64 note = buffer->note();
    auto decoded = logical == 0 ? DirectoryBlock::decode_first(g, bytes, self, &fault, &note)
                                : DirectoryBlock::decode(g, bytes, &fault, &note);
    if (!decoded.is_error()) buffer->set_note(note);
    return decoded;
}

BufferRef Ext2Fs::peek_dir_block(const Ext2Node& dir, u64 logical) {
    u32 block = 0;
    if (map_cached(dir, logical, 1, block) != 1) return {};
    return m_cache.peek(block);
}

Task<BufferRef> Ext2Fs::read_dir_block(Ext2Node& dir, u64 logical) {
    u32 block = CO_TRY(co_await map_block(dir, logical, false));
    if (block == 0) co_return BufferRef {};
    co_return co_await m_cache.read(block);
}

Task<Ext2Fs::Found> Ext2Fs::find_entry(Ext2Node& dir, StringView name, BufferRef* where) {
    const Geometry& g = m_sb.geometry;
    ++m_counters.lookups;
    DirHash& hash = dir.m_hash;
    // Restarts when a change to the directory met an indexed lookup waiting
    // for a block (the probe's table may have changed or gone).
    for (;;) {
        const u64 blocks = dir.m_inode.size / g.block_size;
        const u64 version = dir.m_dir_version;
        // Indexed: only the blocks that may hold the name, in the order the
        // probe meets them. Otherwise every block; a long directory's
        // first scan builds its index on the way, so it runs to the end
        // even after it found the name.
        const bool indexed = hash.ready();
        bool building = false;
        if (!indexed && blocks >= kDirHashMinBlocks && hash.state() == DirHash::State::Absent)
            building = !hash.prepare(m_pages, dir.m_inode.size).is_error();
        auto stop_building = [&] {
            if (building) hash.release();
            building = false;
        };
        DirHash::Probe probe;
        if (indexed) probe = hash.probe(name);
        Found found;
        bool have = false;
        bool changed = false;
        for (u64 step = 0;; ++step) {
            u64 logical = step;
            if (indexed) {
                const u32 candidate = hash.next(probe);
                if (candidate == DirHash::kEnd) break;
                logical = candidate;
            } else if (step >= blocks) {
                break;
            }
            BufferRef buffer = peek_dir_block(dir, logical);
            if (!buffer) {
                auto read = co_await read_dir_block(dir, logical);
                if (read.is_error()) {
                    stop_building();
                    co_return read.error();
                }
                buffer = read.release_value();
                if (indexed && dir.m_dir_version != version) {
                    changed = true;
                    break;
                }
            }
            if (!buffer) continue;  // a hole
            Ext2Fault fault = Ext2Fault::None;
            auto decoded = check_dir_block(g, buffer, logical, dir.m_number, fault);
            if (decoded.is_error()) {
                stop_building();
                if (fault == Ext2Fault::None) co_return decoded.error();
                co_return corrupt(fault, dir.m_number, "directory block");
            }
            if (!have) {
                auto entry = decoded.value().find(name);
                if (!entry.is_error()) {
                    have = true;
                    found = Found {entry.value().inode, entry.value().type, logical, entry.value().offset};
                    if (where) *where = static_cast<BufferRef&&>(buffer);
                }
            }
            if (building) {
                for (const DirEntry& record : decoded.value()) {
                    if (record.in_use() && !hash.insert(record.name, u32(logical))) {
                        stop_building();
                        break;
                    }
                }
            }
            if (have && !building) co_return found;
        }
        if (changed) continue;
        // The index counts only if nothing changed the directory while the
        // scan waited for its blocks.
        if (building) {
            if (dir.m_dir_version == version) hash.finish_build();
            else hash.release();
        }
        if (have) co_return found;
        co_return Error::NotFound;
    }
}

Task<bool> Ext2Fs::entry_at(Ext2Node& dir, u64 index, fs::DirEntry& out) {
    const Geometry& g = m_sb.geometry;
    const u64 blocks = dir.m_inode.size / g.block_size;
    // A listing asks for index 0, 1, 2, ...: start where the last call
    // found its entry (unless the directory changed since), not at block 0,
    // and read the directory's blocks ahead when it begins.
    u64 seen = 0;
    u64 logical = 0;
    if (dir.m_cursor_version == dir.m_dir_version && dir.m_cursor_seen <= index) {
        logical = dir.m_cursor_logical;
        seen = dir.m_cursor_seen;
    }
    if (index == 0) (void)co_await read_ahead(dir, 0, 0);
    for (; logical < blocks; ++logical) {
        BufferRef buffer = peek_dir_block(dir, logical);
        if (!buffer) buffer = CO_TRY(co_await read_dir_block(dir, logical));
        if (!buffer) continue;  // a hole
        Ext2Fault fault = Ext2Fault::None;
        auto decoded = check_dir_block(g, buffer, logical, dir.m_number, fault);
        if (decoded.is_error()) {
            if (fault == Ext2Fault::None) co_return decoded.error();
            co_return corrupt(fault, dir.m_number, "directory block");
        }
        const DirectoryBlock& d = decoded.value();
        // Skip whole blocks quickly when the index lies beyond them.
        const usize listed = d.used_count() - (logical == 0 ? 2 : 0);
        if (seen + listed <= index) {
            seen += listed;
            continue;
        }
        dir.m_cursor_logical = logical;
        dir.m_cursor_seen = seen;
        dir.m_cursor_version = dir.m_dir_version;
        for (const ext2::DirEntry& record : d) {
            if (!record.in_use() || record.is_dot() || record.is_dotdot()) continue;
            if (seen++ != index) continue;
            out.inode = record.inode;
            out.type = node_type_of(record.type);
            out.set_name(record.name);
            if (record.type == FileType::Unknown) {
                // No filetype feature: the inode says.
                NodeRef child = CO_TRY(co_await get_node(record.inode));
                out.type = child->type();
            }
            co_return true;
        }
    }
    co_return false;
}

void Ext2Fs::indexed(Ext2Node& dir, StringView name, u64 logical) {
    if (dir.m_hash.ready() && !dir.m_hash.insert(name, u32(logical))) dir.m_hash.release();
}

void Ext2Fs::directory_changing(Ext2Node& dir) {
    if (dir.m_inode.flags & kInodeFlagIndex) dir.m_inode.flags &= ~kInodeFlagIndex;
    ++dir.m_dir_version;  // entry_at's cursor is stale now
}

Task<void> Ext2Fs::add_entry(Ext2Node& dir, StringView name, u32 inode, FileType type) {
    const Geometry& g = m_sb.geometry;
    const FileType stored = g.filetype ? type : FileType::Unknown;
    directory_changing(dir);
    const u64 blocks = dir.m_inode.size / g.block_size;
    for (u64 logical = 0; logical < blocks; ++logical) {
        BufferRef buffer = peek_dir_block(dir, logical);
        if (!buffer) buffer = CO_TRY(co_await read_dir_block(dir, logical));
        if (!buffer) continue;  // a hole
        // Checked as lookups check it, so the block has a note to skip it by
        // next time (and to carry past the edit: note_after_edit).
        Ext2Fault fault = Ext2Fault::None;
        if (check_dir_block(g, buffer, logical, dir.m_number, fault).is_error())
            co_return corrupt(fault, dir.m_number, "directory block");
        // Try in place first (the edit leaves the block unchanged when it
        // does not fit), so blocks without room never join the change.
        // The note survives the wait (a write does not change the bytes).
        const u64 note = buffer->note();
        if (buffer->writing()) CO_TRY(co_await m_cache.prepare_modify(buffer));
        auto inserted = insert_entry(g, Bytes(buffer.data(), g.block_size), name, inode, stored, &fault, note);
        if (inserted.is_error()) {
            if (fault == Ext2Fault::NoRoom) continue;
            co_return corrupt(fault, dir.m_number, "directory block");
        }
        CO_TRY(co_await modify(buffer));
        dirty(buffer);
        buffer->set_note(note_after_edit(g, ReadonlyBytes(buffer.data(), g.block_size), note));
        indexed(dir, name, logical);
        co_return Result<void> {};
    }
    // Every block is full: a new one at the end.
    bool fresh = false;
    u32 block = CO_TRY(co_await map_block(dir, blocks, true, &fresh));
    BufferRef buffer = CO_TRY(co_await m_cache.get_zeroed(block));
    CO_TRY(co_await modify(buffer));
    init_empty_directory_block(g, Bytes(buffer.data(), g.block_size));
    Ext2Fault fault = Ext2Fault::None;
    auto inserted = insert_entry(g, Bytes(buffer.data(), g.block_size), name, inode, stored, &fault);
    dirty(buffer);
    if (inserted.is_error()) co_return inserted.error();
    dir.m_inode.size += g.block_size;
    indexed(dir, name, blocks);
    co_return Result<void> {};
}

Task<void> Ext2Fs::remove_entry(Ext2Node& dir, StringView name) {
    const Geometry& g = m_sb.geometry;
    BufferRef buffer;
    const Found found = CO_TRY(co_await find_entry(dir, name, &buffer));
    directory_changing(dir);
    const u64 note = buffer->note();  // modify() clears it; the bytes stay as checked until the edit
    CO_TRY(co_await modify(buffer));
    Ext2Fault fault = Ext2Fault::None;
    auto removed = ext2::remove_entry(g, Bytes(buffer.data(), g.block_size), name, &fault, note);
    dirty(buffer);
    if (removed.is_error()) {
        dir.m_hash.release();
        co_return corrupt(fault, dir.m_number, "directory block");
    }
    buffer->set_note(note_after_edit(g, ReadonlyBytes(buffer.data(), g.block_size), note));
    if (dir.m_hash.ready()) dir.m_hash.remove(name, u32(found.logical));
    co_return Result<void> {};
}

// Points the existing entry `name` at another inode (rename over a name):
// one record changed in place, so the name never disappears.
Task<void> Ext2Fs::set_entry(Ext2Node& dir, StringView name, u32 inode, FileType type) {
    const Geometry& g = m_sb.geometry;
    BufferRef buffer;
    Found found = CO_TRY(co_await find_entry(dir, name, &buffer));
    directory_changing(dir);
    // find_entry checked the block; modify() waits out a write in flight,
    // which does not move the record.
    const u32 at = found.offset;
    CO_TRY(co_await modify(buffer));
    Bytes bytes(buffer.data(), g.block_size);
    store_le32(bytes, at, inode);
    if (g.filetype) bytes[at + 7] = u8(type);
    dirty(buffer);
    co_return Result<void> {};
}

Task<bool> Ext2Fs::directory_empty(Ext2Node& dir) {
    const Geometry& g = m_sb.geometry;
    const u64 blocks = dir.m_inode.size / g.block_size;
    for (u64 logical = 0; logical < blocks; ++logical) {
        BufferRef buffer = peek_dir_block(dir, logical);
        if (!buffer) buffer = CO_TRY(co_await read_dir_block(dir, logical));
        if (!buffer) continue;  // a hole
        Ext2Fault fault = Ext2Fault::None;
        auto decoded = check_dir_block(g, buffer, logical, dir.m_number, fault);
        if (decoded.is_error()) co_return corrupt(fault, dir.m_number, "directory block");
        if (decoded.value().used_count() > (logical == 0 ? 2u : 0u)) co_return false;
    }
    co_return true;
}

Task<void> Ext2Fs::set_dotdot(Ext2Node& dir, u32 parent) {
    const Geometry& g = m_sb.geometry;
    BufferRef buffer = peek_dir_block(dir, 0);
    if (!buffer) buffer = CO_TRY(co_await read_dir_block(dir, 0));
    if (!buffer) co_return corrupt(Ext2Fault::MissingDotEntry, dir.m_number, "directory");
    Ext2Fault fault = Ext2Fault::None;
    auto decoded = check_dir_block(g, buffer, 0, dir.m_number, fault);
    if (decoded.is_error()) co_return corrupt(fault, dir.m_number, "directory block");
    // decode_first checked that record 1 is "..", right after ".".
    const u32 at = load_le16(ReadonlyBytes(buffer.data(), g.block_size), 4);
    CO_TRY(co_await modify(buffer));
    store_le32(Bytes(buffer.data(), g.block_size), at, parent);
    dirty(buffer);
    co_return Result<void> {};
}

Task<bool> Ext2Fs::is_ancestor(u32 ancestor, Ext2Node& node) {
    // Up the ".." chain to the root; bounded, so a corrupt loop ends.
    u32 current = node.m_number;
    for (u32 steps = 0; steps < 4096; ++steps) {
        if (current == ancestor) co_return true;
        if (current == kRootInode) co_return false;
        NodeRef here = CO_TRY(co_await get_node(current));
        Ext2Node& dir = *static_cast<Ext2Node*>(here.get());
        BufferRef buffer = peek_dir_block(dir, 0);
        if (!buffer) buffer = CO_TRY(co_await read_dir_block(dir, 0));
        if (!buffer) co_return corrupt(Ext2Fault::MissingDotEntry, current, "directory");
        Ext2Fault fault = Ext2Fault::None;
        auto decoded = check_dir_block(m_sb.geometry, buffer, 0, current, fault);
        if (decoded.is_error()) co_return corrupt(fault, current, "directory block");
        const u32 parent = decoded.value().parent_inode();
        if (parent == current) co_return false;
        current = parent;
    }
    co_return corrupt(Ext2Fault::BadDotEntry, node.m_number, "directory loop");
}

}  // namespace mote::fs::ext2
