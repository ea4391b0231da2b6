// Pass 2: directory structure. Every block of every directory decodes
// (else it is salvaged), the first begins with "." and ".."; every entry
// names an inode pass 1 found in use, with that inode's file type; a
// directory is named by one entry only. Entries are counted for pass 4 and
// each directory's parent and ".." noted for pass 3.
#include "checker_state.hpp"

#include "directory_repair.hpp"

namespace mote::fsck {

namespace {

bool dot_fault(Ext2Fault fault) {
    return fault == Ext2Fault::MissingDotEntry || fault == Ext2Fault::BadDotEntry ||
           fault == Ext2Fault::MisplacedDotEntry;
}

struct DirectoryScan {
    Checker* checker;
    u32 number;
    DirInfo* info;
    u64 next_logical = 0;
    bool index_stale = false;
    bool failed = false;
    Error error = Error::Io;
};

// One directory block: decode or salvage, then judge each entry.
Result<void> scan_block(DirectoryScan& s, u32 block_number, u64 logical) {
    Checker& c = *s.checker;
    const Geometry& g = c.geometry();
    Bytes block(c.m_dir_block, g.block_size);
    TRY(c.read_block(block_number, block));
    const bool first = logical == 0;
    bool dirty = false;
    Ext2Fault fault = Ext2Fault::None;
    auto decode = [&](Ext2Fault* out) {
        return first ? DirectoryBlock::decode_first(g, block, s.number, out) : DirectoryBlock::decode(g, block, out);
    };
    if (decode(&fault).is_error()) {
        const u32 parent = s.info->parent ? s.info->parent : kRootInode;
        const Repair repair = repair_directory_block(g, block, first, s.number, parent);
        const Problem kind = first && dot_fault(fault) ? Problem::BadDotEntries : Problem::DirectoryCorrupt;
        c.report(kind, c.fixing(), "directory {} block {} (logical {}): {}, {}", s.number, block_number, logical,
                 ext2_fault_name(fault), repair == Repair::Salvaged ? "salvaged" : "rebuilt empty");
        dirty = true;
        s.index_stale = true;
    }
    auto decoded = decode(nullptr);
    VERIFY(decoded.ok());
    for (const DirEntry& entry : decoded.value()) {
        if (!entry.in_use() || entry.is_dot()) continue;
        if (entry.is_dotdot()) {
            s.info->dotdot = entry.inode;
            continue;
        }
        const u32 child = entry.inode;
        if (child < g.first_inode || !c.in_use(child)) {
            c.report(Problem::EntryUnusedInode, c.fixing(), "directory {}: entry '{}' names {} inode {}, cleared",
                     s.number, entry.name, child < g.first_inode ? "reserved" : "unused", child);
            set_entry_inode(block, entry.offset, 0);
            dirty = true;
            continue;
        }
        const FileType type = c.type_of(child);
        if (type == FileType::Directory) {
            DirInfo* info = c.dir_info(child);
            if (info->parent != 0 || child == kRootInode) {
                c.report(Problem::DirectoryHardLink, c.fixing(),
                         "directory {}: entry '{}' is a second link to directory {}, cleared", s.number, entry.name,
                         child);
                set_entry_inode(block, entry.offset, 0);
                dirty = true;
                // Checking only, the entry stays and counts (pass 4 then
                // sees the link count it implies, as e2fsck -n does).
                if (!c.fixing() && c.m_counted[child] != 0xffff) ++c.m_counted[child];
                continue;
            }
            info->parent = s.number;
        }
        if (g.filetype && entry.type != type) {
            c.report(Problem::EntryFileType, c.fixing(), "directory {}: entry '{}' has type {}, inode {} is {}",
                     s.number, entry.name, file_type_name(entry.type), child, file_type_name(type));
            set_entry_type(block, entry.offset, type);
            dirty = true;
        }
        if (c.m_counted[child] != 0xffff) ++c.m_counted[child];
        if (s.number == kRootInode && entry.name == "lost+found" && type == FileType::Directory) c.m_lost_found = child;
    }
    if (dirty && c.fixing()) TRY(c.write_block(block_number, block));
    return {};
}

u32 visit_directory_block(void* context, const BlockRef& ref) {
    auto& s = *static_cast<DirectoryScan*>(context);
    Checker& c = *s.checker;
    if (ref.level != 0 || s.failed || !c.geometry().is_data_block(ref.block)) return ref.block;
    if (ref.logical != s.next_logical) {
        c.report(Problem::DirectoryHole, false, "directory {}: blocks {}..{} are holes", s.number, s.next_logical,
                 ref.logical - 1);
    }
    s.next_logical = ref.logical + 1;
    if (auto r = scan_block(s, ref.block, ref.logical); r.is_error()) {
        s.failed = true;
        s.error = r.error();
    }
    return ref.block;
}

}  // namespace

Result<void> Checker::pass2() {
    for (u32 i = 0; i < m_dir_count; ++i) {
        const u32 number = m_dirs[i].inode;
        if (!in_use(number)) continue;
        Inode inode = TRY(read_inode(number));
        DirectoryScan s {this, number, &m_dirs[i]};
        // A pass-1 fix may be pending only in memory (-n): out-of-range
        // pointers are skipped by the walker and the visitor alike.
        TRY(walk_blocks(inode, visit_directory_block, &s));
        if (s.failed) return s.error;
        if (s.index_stale && inode.has_index() && m_fix) {
            // A salvaged block no longer matches the hash index: linear it is.
            inode.flags &= ~kInodeFlagIndex;
            TRY(write_inode(number, inode));
        }
    }
    return {};
}

}  // namespace mote::fsck
