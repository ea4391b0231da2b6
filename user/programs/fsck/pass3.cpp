// Pass 3: connectivity. Every directory must hang from the root by the
// entries pass 2 found, without loops; one that does not (the top of a
// detached subtree, or a member of a loop) goes into /lost+found. Then each
// directory's ".." must name that parent, and "." and ".." are counted for
// pass 4.
#include "checker_state.hpp"

#include "directory_repair.hpp"

namespace mote::fsck {

namespace {

// ".." of directory `number` is record 1 of its first block.
Result<void> set_dotdot(Checker& c, u32 number, u32 parent) {
    const Geometry& g = c.geometry();
    Inode inode = TRY(c.read_inode(number));
    const u32 first = inode.block[0];
    if (!g.is_data_block(first)) return Error::Malformed;
    Bytes block(c.m_dir_block, g.block_size);
    TRY(c.read_block(first, block));
    auto decoded = DirectoryBlock::decode_first(g, block, number);
    if (decoded.is_error()) return decoded.error();
    for (const DirEntry& entry : decoded.value()) {
        if (entry.in_use() && entry.is_dotdot()) {
            set_entry_inode(block, entry.offset, parent);
            return c.write_block(first, block);
        }
    }
    return Error::Malformed;
}

// Blanks the entry of directory `dir` that names `child` (not "." or
// ".."), as e2fsck clears an entry.
struct EntryRemoval {
    Checker* checker;
    u32 dir;
    u32 child;
    bool done = false;
    bool failed = false;
};

u32 remove_naming(void* context, const BlockRef& ref) {
    auto& s = *static_cast<EntryRemoval*>(context);
    Checker& c = *s.checker;
    const Geometry& g = c.geometry();
    if (s.done || s.failed || ref.level != 0 || !g.is_data_block(ref.block)) return ref.block;
    Bytes block(c.m_dir_block, g.block_size);
    if (c.read_block(ref.block, block).is_error()) {
        s.failed = true;
        return ref.block;
    }
    auto decoded = ref.logical == 0 ? DirectoryBlock::decode_first(g, block, s.dir) : DirectoryBlock::decode(g, block);
    if (decoded.is_error()) return ref.block;
    for (const DirEntry& entry : decoded.value()) {
        if (!entry.in_use() || entry.is_dot() || entry.is_dotdot() || entry.inode != s.child) continue;
        set_entry_inode(block, entry.offset, 0);
        if (c.write_block(ref.block, block).is_error()) s.failed = true;
        else s.done = true;
        break;
    }
    return ref.block;
}

}  // namespace

Result<bool> Checker::pass3() {
    const Geometry& g = geometry();
    DirInfo* root = in_use(kRootInode) ? dir_info(kRootInode) : nullptr;
    if (!root) {
        report(Problem::RootNotDirectory, false, "the root inode is not a directory in use: cannot go on");
        return false;
    }
    root->parent = kRootInode;
    if (m_lost_found && !dir_info(m_lost_found)) m_lost_found = 0;

    auto reached = allocate_bits(g.inodes_count + 1);
    auto on_path = allocate_bits(g.inodes_count + 1);
    if (reached.is_error() || on_path.is_error()) return Error::NoMemory;
    Bits done = reached.value();
    Bits path = on_path.value();
    done.set(kRootInode);
    bool told_no_lost_found = false;

    for (u32 i = 0; i < m_dir_count; ++i) {
        const u32 start = m_dirs[i].inode;
        if (!in_use(start) || done.get(start)) continue;
        // Up through the parents until the root's tree, or a directory
        // without a parent, or one already on this path (a loop).
        u32 x = start;
        u32 detached = 0;
        while (true) {
            if (done.get(x)) break;
            path.set(x);
            const u32 parent = dir_info(x)->parent;
            if (parent == 0 || !in_use(parent) || !dir_info(parent)) {
                detached = x;
                break;
            }
            if (path.get(parent)) {
                detached = x;  // closes a loop: cut it here
                break;
            }
            x = parent;
        }
        if (detached) {
            DirInfo* info = dir_info(detached);
            const bool can = m_lost_found != 0 && m_lost_found != detached && done.get(m_lost_found);
            bool fixed = false;
            // A loop is cut where it closes: the entry naming `detached`
            // in its old parent goes, or it would be named twice.
            const bool in_loop = info->parent != 0 && in_use(info->parent) && dir_info(info->parent);
            if (can && m_fix && in_loop) {
                Inode old_parent = TRY(read_inode(info->parent));
                EntryRemoval removal {this, info->parent, detached};
                TRY(walk_blocks(old_parent, remove_naming, &removal));
                if (removal.failed) return Error::Io;
            }
            if (can && in_loop && m_counted[detached] != 0) --m_counted[detached];
            if (can && m_fix) fixed = TRY(add_to_lost_found(detached, FileType::Directory));
            report(Problem::UnconnectedDirectory, fixed, "directory {} is not reachable from the root (parent {}), {}",
                   detached, info->parent, can ? "moved to /lost+found" : "left");
            if (!can && !told_no_lost_found) {
                report(Problem::NoLostFound, false, "no /lost+found to reconnect to");
                told_no_lost_found = true;
            }
            if (can) {
                // Its entry there and the lost+found link its ".." will add.
                info->parent = m_lost_found;
                if (m_counted[detached] != 0xffff) ++m_counted[detached];
                if (fixed) {
                    Inode lf = TRY(read_inode(m_lost_found));
                    ++lf.links_count;
                    TRY(write_inode(m_lost_found, lf));
                }
                ++m_links[m_lost_found];
            } else {
                info->parent = info->dotdot;  // nothing to compare ".." against
            }
        }
        // Everything on the path now hangs from the root (or is given up).
        for (u32 y = start; path.get(y); y = dir_info(y)->parent) {
            path.clear(y);
            done.set(y);
            if (!dir_info(y)->parent || !dir_info(dir_info(y)->parent)) break;
        }
    }

    for (u32 i = 0; i < m_dir_count; ++i) {
        DirInfo& info = m_dirs[i];
        if (!in_use(info.inode)) continue;
        if (info.dotdot != info.parent && info.parent != 0) {
            bool fixed = false;
            if (m_fix) fixed = set_dotdot(*this, info.inode, info.parent).ok();
            report(Problem::BadDotDot, fixed, "directory {}: '..' names {}, its parent is {}", info.inode, info.dotdot,
                   info.parent);
            info.dotdot = info.parent;
        }
        if (m_counted[info.inode] != 0xffff) ++m_counted[info.inode];
        if (info.dotdot && info.dotdot <= g.inodes_count && m_counted[info.dotdot] != 0xffff)
            ++m_counted[info.dotdot];
    }
    return true;
}

}  // namespace mote::fsck
