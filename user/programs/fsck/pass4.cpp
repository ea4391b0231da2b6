// Pass 4: reference counts. An in-use inode no entry names is attached to
// /lost+found (an empty regular file is simply released, as e2fsck does);
// then every inode's i_links_count must equal the entries naming it (for a
// directory: its entry, its "." and its subdirectories' "..").
#include "checker_state.hpp"

namespace mote::fsck {

Result<void> Checker::pass4() {
    const Geometry& g = geometry();
    for (u32 number = 1; number <= g.inodes_count; ++number) {
        if (!in_use(number) || (number < g.first_inode && number != kRootInode)) continue;
        const FileType type = type_of(number);
        if (m_counted[number] == 0 && type != FileType::Directory) {
            Inode inode = TRY(read_inode(number));
            if (type == FileType::Regular && inode.size == 0 && inode.sectors == 0) {
                report(Problem::UnattachedEmpty, m_fix, "inode {}: empty file no directory names, released", number);
                TRY(clear_inode(number, inode));
                continue;
            }
            const bool can = m_lost_found != 0;
            bool fixed = false;
            if (can && m_fix) fixed = TRY(add_to_lost_found(number, type));
            report(Problem::UnattachedInode, fixed, "inode {}: {} no directory names, {}", number,
                   file_type_name(type), can ? "moved to /lost+found" : "left (no /lost+found)");
            // Left unattached by a failed fix: its links stay as they are
            // (setting them to 0 would delete it).
            if (m_fix && !fixed) continue;
            if (can) m_counted[number] = 1;
        }
        if (m_counted[number] != m_links[number]) {
            const u16 want = m_counted[number];
            report(Problem::LinkCount, m_fix, "inode {}: link count {} -> {}", number, m_links[number], want);
            if (m_fix) {
                Inode inode = TRY(read_inode(number));
                inode.links_count = want;
                TRY(write_inode(number, inode));
            }
            m_links[number] = want;
        }
    }
    return {};
}

}  // namespace mote::fsck
