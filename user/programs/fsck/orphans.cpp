// The ext3 orphan list: inodes unlinked (or being truncated) while open
// when the filesystem stopped. s_last_orphan heads the chain, each inode's
// dtime names the next. A mount finishes the work; fsck does the same, as
// e2fsck does before its passes: an inode with no links is deleted (its
// blocks return in pass 5), one with links is cut back to its size.
#include "checker_state.hpp"

namespace mote::fsck {

namespace {

struct Cut {
    const Geometry* geometry;
    u64 keep;        // logical blocks kept: ceil(size / block_size)
    u64 remaining;   // blocks (data and indirect) left in the map
};

u32 cut_at_size(void* context, const BlockRef& ref) {
    auto& cut = *static_cast<Cut*>(context);
    // Everything at or past the size goes; an indirect block goes when its
    // whole range does.
    if (ref.logical >= cut.keep) return 0;
    if (cut.geometry->is_data_block(ref.block)) ++cut.remaining;
    return ref.block;
}

}  // namespace

Result<void> Checker::process_orphans() {
    const Geometry& g = geometry();
    u32 next = m_sb.last_orphan;
    if (next == 0) return {};
    u32 steps = 0;
    while (next != 0) {
        if (next < g.first_inode || next > g.inodes_count || ++steps > g.inodes_count) {
            report(Problem::OrphanListBad, m_fix, "orphan list: inode {} cannot be on it; list cut", next);
            break;
        }
        const u32 number = next;
        Inode inode = TRY(read_inode(number));
        next = inode.dtime;
        if (inode.links_count == 0) {
            report(Problem::OrphanDeleted, m_fix, "inode {}: orphan with no links, deleted", number);
            if (m_fix) {
                inode.dtime = m_now;
                TRY(write_inode(number, inode));
            }
            continue;
        }
        const bool mapped = inode.type == FileType::Regular || inode.type == FileType::Directory ||
                            (inode.type == FileType::Symlink && !inode.fast_symlink);
        report(Problem::OrphanTruncated, m_fix, "inode {}: orphan with {} links, truncated to {} bytes", number,
               inode.links_count, inode.size);
        if (!m_fix) continue;
        inode.dtime = 0;
        if (mapped && !(inode.flags & (kInodeFlagExtents | kInodeFlagInlineData))) {
            Cut cut {&g, (inode.size + g.block_size - 1) / g.block_size, 0};
            auto walked = walk_blocks(inode, cut_at_size, &cut);
            // A garbage map is pass 1's to judge.
            if (walked.ok()) inode.sectors = (cut.remaining + (inode.file_acl ? 1 : 0)) * (g.block_size / 512);
        }
        TRY(write_inode(number, inode));
    }
    if (m_fix) {
        m_sb.last_orphan = 0;
        TRY(write_superblock());
    }
    return {};
}

}  // namespace mote::fsck
