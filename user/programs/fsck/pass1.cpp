// Pass 1: every inode. Which are in use (links, as e2fsck decides, not the
// bitmap), whether their mode, flags and size make sense, which blocks
// their maps claim (each pointer in range, each block claimed once, the
// metadata never), and whether i_blocks and i_size agree with the map.
// Pass 1b then gives every file that shares a block its own copy.
#include "checker_state.hpp"

#include "base/memory.hpp"

namespace mote::fsck {

namespace {

// Walk A: looks, changes nothing.
struct Survey {
    const Geometry* geometry;
    u32 illegal = 0;
    u64 data_blocks = 0;
    u64 indirect_blocks = 0;
    bool first_block = false;  // a valid data block at logical 0
};

u32 survey(void* context, const BlockRef& ref) {
    auto& s = *static_cast<Survey*>(context);
    if (!s.geometry->is_data_block(ref.block)) {
        ++s.illegal;
    } else if (ref.level == 0) {
        ++s.data_blocks;
        s.first_block |= ref.logical == 0;
    } else {
        ++s.indirect_blocks;
    }
    return ref.block;
}

// Walk B: claims the blocks, clears pointers out of range.
struct Claim {
    Checker* checker;
    u32 number;
    u64 blocks = 0;         // data and indirect blocks kept
    i64 last_logical = -1;  // the last data block's logical number
};

u32 claim(void* context, const BlockRef& ref) {
    auto& s = *static_cast<Claim*>(context);
    Checker& c = *s.checker;
    if (!c.geometry().is_data_block(ref.block)) {
        c.report(Problem::IllegalBlock, c.fixing(), "inode {}: {} block {} (logical {}) is out of range, cleared",
                 s.number, ref.level ? "indirect" : "data", ref.block, ref.logical);
        return 0;
    }
    const u32 bit = c.block_bit(ref.block);
    if (ref.level > 0 && c.m_block_used.get(bit)) {
        // An indirect block already in use (filesystem metadata, another
        // file's block, or this file's own) is not followed: the pointer
        // to it goes, and what it seemed to hold with it. Read as a map,
        // its "pointers" would be cleared in place, writing over an inode
        // table or another file's data, and a block that is both a map
        // and data cannot be given a copy that keeps both right; found by
        // fsck_fuzz (a journal inode whose indirect block was the inode
        // table wiped the root inode). Indirect blocks are thus never
        // shared, and pass 1b only ever copies data blocks.
        c.report(Problem::IllegalBlock, c.fixing(), "inode {}: indirect block {} (logical {}) is {}, cleared", s.number,
                 ref.block, ref.logical, c.m_block_meta.get(bit) ? "filesystem metadata" : "in use already");
        return 0;
    }
    if (c.m_block_used.get(bit)) {
        if (!c.m_block_dup.get(bit)) {
            c.m_block_dup.set(bit);
            ++c.m_dup_blocks;
        }
    } else {
        c.m_block_used.set(bit);
    }
    ++s.blocks;
    if (ref.level == 0) s.last_logical = max(s.last_logical, i64(ref.logical));
    return ref.block;
}

bool has_block_map(const Inode& inode) {
    return inode.type == FileType::Regular || inode.type == FileType::Directory ||
           (inode.type == FileType::Symlink && !inode.fast_symlink);
}

}  // namespace

// An inode pass 1 would clear, when checking only: still in use as far as
// the later passes go (its blocks unclaimed, as e2fsck -n leaves them).
// An invalid symlink is kept as of no type, so that its entry's file type
// no longer matches, as e2fsck -n reports it.
void Checker::keep_unchecked(u32 number, const Inode& inode, FileType as) {
    if (m_fix) return;
    m_types[number] = u8(as);
    m_links[number] = inode.links_count;
}

Result<void> Checker::pass1() {
    const Geometry& g = geometry();
    const u32 sectors_per_block = g.block_size / 512;
    for (u32 number = 1; number <= g.inodes_count; ++number) {
        Inode inode = TRY(read_inode(number));
        const bool reserved = number < g.first_inode && number != kRootInode;
        if (reserved) {
            // Reserved inodes are in use by definition (pass 5 keeps their
            // bits); only those holding blocks matter here: bad blocks (1)
            // and the journal (8) like files, the resize inode (7) by its
            // double-indirect block alone (the rest are reserved descriptor
            // blocks, already metadata).
            if (number == kResizeInode && m_sb.feature_compat & kCompatResizeInode) {
                const u32 dind = inode.block[kDoubleIndirectSlot];
                if (g.is_data_block(dind) && !block_used(dind)) m_block_used.set(block_bit(dind));
                continue;
            }
            const bool holds_blocks = number == kBadBlocksInode || (number == kJournalInode && m_sb.has_journal());
            if (!holds_blocks) continue;
            if (number == kBadBlocksInode) inode.type = FileType::Regular;  // mode 0, a plain list of blocks
            if (!has_block_map(inode)) continue;
            Claim c {this, number};
            const bool changed = TRY(walk_blocks(inode, claim, &c));
            if (changed && m_fix) TRY(write_inode(number, inode));
            continue;
        }

        if (inode.links_count == 0) {
            if (inode.mode != 0 && inode.dtime == 0) {
                report(Problem::ZeroDtime, m_fix, "inode {}: deleted (no links) but no deletion time, set", number);
                if (m_fix) {
                    inode.dtime = m_now;
                    TRY(write_inode(number, inode));
                }
            }
            continue;
        }
        bool dirty = false;
        if (inode.dtime != 0) {
            report(Problem::DtimeSet, m_fix, "inode {}: in use ({} links) but has a deletion time, cleared", number,
                   inode.links_count);
            inode.dtime = 0;
            dirty = true;
        }
        if (inode.type == FileType::Unknown) {
            report(Problem::BadMode, m_fix, "inode {}: mode {:o} names no file type, inode cleared", number, inode.mode);
            TRY(clear_inode(number, inode));
            keep_unchecked(number, inode);
            continue;
        }
        if (inode.flags & (kInodeFlagExtents | kInodeFlagInlineData)) {
            report(Problem::UnsupportedFlags, m_fix, "inode {}: {} on an ext2 filesystem, inode cleared", number,
                   inode.flags & kInodeFlagExtents ? "extents flag" : "inline data flag");
            TRY(clear_inode(number, inode));
            keep_unchecked(number, inode);
            continue;
        }
        if (inode.type == FileType::Symlink) {
            const bool bad = inode.size == 0 || (inode.fast_symlink ? inode.size > kFastSymlinkMax
                                                                    : inode.size >= g.block_size);
            if (bad) {
                report(Problem::BadSymlink, m_fix, "inode {}: symlink of {} bytes stored {}, inode cleared", number,
                       inode.size, inode.fast_symlink ? "in the inode" : "in a block");
                TRY(clear_inode(number, inode));
                keep_unchecked(number, inode, FileType::Unknown);
                continue;
            }
        }

        u64 blocks = 0;
        i64 last_logical = -1;
        if (has_block_map(inode)) {
            Survey s {&g};
            auto surveyed = walk_blocks(inode, survey, &s);
            if (surveyed.is_error() && surveyed.error() != Error::Overflow) return surveyed.error();
            if (surveyed.is_error() || s.illegal > kMaxIllegalBlocks) {
                report(Problem::TooManyIllegalBlocks, m_fix, "inode {}: {} block pointers out of range, inode cleared",
                       number, surveyed.is_error() ? u64(m_walk_budget) : u64(s.illegal));
                TRY(clear_inode(number, inode));
                keep_unchecked(number, inode);
                continue;
            }
            // A slow symlink is one block at logical 0 and nothing else:
            // with that block cleared it would read back as a fast symlink
            // of impossible length, so the next check would clear it
            // anyway (a repair must leave a filesystem the next run finds
            // clean).
            if (inode.type == FileType::Symlink &&
                (s.illegal || !s.first_block || s.data_blocks != 1 || s.indirect_blocks)) {
                report(Problem::BadSymlink, m_fix, "inode {}: symlink's block map is not one block, inode cleared",
                       number);
                TRY(clear_inode(number, inode));
                keep_unchecked(number, inode, FileType::Unknown);
                continue;
            }
            if (inode.type == FileType::Directory && s.data_blocks == 0) {
                report(Problem::EmptyDirectory, m_fix, "inode {}: directory without blocks, inode cleared", number);
                TRY(clear_inode(number, inode));
                keep_unchecked(number, inode);
                continue;
            }
            Claim c {this, number};
            dirty |= TRY(walk_blocks(inode, claim, &c));
            blocks = c.blocks;
            last_logical = c.last_logical;
        }
        if (inode.file_acl != 0) {
            if (!g.is_data_block(inode.file_acl)) {
                report(Problem::IllegalBlock, m_fix, "inode {}: extended attribute block {} is out of range, cleared",
                       number, inode.file_acl);
                inode.file_acl = 0;
                dirty = true;
            } else {
                // Attribute blocks are shared by design (they carry a
                // reference count): claimed, never counted as duplicates.
                m_block_used.set(block_bit(inode.file_acl));
                ++blocks;
            }
        }

        // Sizes: a directory is exactly its blocks; a file's size reaches
        // into its last block (holes after it are fine, blocks wholly past
        // it are not), as e2fsck requires.
        const u64 block_size = g.block_size;
        if (inode.type == FileType::Directory) {
            const u64 want = u64(last_logical + 1) * block_size;
            if (inode.size != want) {
                report(Problem::BadSize, m_fix, "inode {}: directory size {} -> {}", number, inode.size, want);
                inode.size = want;
                dirty = true;
            }
        } else if (inode.type == FileType::Regular) {
            const u64 limit = g.large_file ? addressable_size(g.block_size) : u64(0x7fffffff);
            if ((last_logical >= 0 && inode.size < u64(last_logical) * block_size) || inode.size > limit) {
                const u64 want = u64(last_logical + 1) * block_size;
                report(Problem::BadSize, m_fix, "inode {}: size {} -> {}", number, inode.size, want);
                inode.size = want;
                dirty = true;
            }
        }
        const u64 sectors = blocks * sectors_per_block;
        if (inode.sectors != sectors) {
            report(Problem::BlockCount, m_fix, "inode {}: i_blocks {} -> {}", number, inode.sectors, sectors);
            inode.sectors = sectors;
            dirty = true;
        }
        if (dirty && m_fix) TRY(write_inode(number, inode));

        m_types[number] = u8(inode.type);
        m_links[number] = inode.links_count;
    }

    // The directory table, in inode order.
    u32 directories = 0;
    for (u32 number = 1; number <= g.inodes_count; ++number) directories += type_of(number) == FileType::Directory;
    m_dirs = static_cast<DirInfo*>(allocate(sizeof(DirInfo) * max(directories, 1u)));
    if (!m_dirs) return Error::NoMemory;
    for (u32 number = 1; number <= g.inodes_count; ++number)
        if (type_of(number) == FileType::Directory) m_dirs[m_dir_count++].inode = number;
    return {};
}

namespace {

struct Unshare {
    Checker* checker;
    Bits claimed;
    u32 shared = 0;
    u32 copied = 0;
    bool full = false;
};

u32 unshare(void* context, const BlockRef& ref) {
    auto& s = *static_cast<Unshare*>(context);
    Checker& c = *s.checker;
    const Geometry& g = c.geometry();
    if (!g.is_data_block(ref.block)) return ref.block;
    const u32 bit = c.block_bit(ref.block);
    if (!c.m_block_dup.get(bit)) return ref.block;
    // The metadata keeps its blocks; among files the first claimant keeps
    // the block and every later one gets a copy.
    if (!c.m_block_meta.get(bit) && !s.claimed.get(bit)) {
        s.claimed.set(bit);
        return ref.block;
    }
    ++s.shared;
    if (!c.fixing() || s.full) return ref.block;
    const u32 copy = c.allocate_block(ref.block);
    if (copy == 0) {
        s.full = true;
        return ref.block;
    }
    Bytes buffer(c.m_work, g.block_size);
    if (c.read_block(ref.block, buffer).is_error() || c.write_block(copy, buffer).is_error()) {
        s.full = true;
        return ref.block;
    }
    ++s.copied;
    return copy;
}

}  // namespace

Result<void> Checker::pass1b() {
    const Geometry& g = geometry();
    note("{} blocks are claimed more than once: pass 1b", m_dup_blocks);
    auto claimed = allocate_bits(g.blocks_count - g.first_data_block);
    if (claimed.is_error()) return claimed.error();
    Unshare s {this, claimed.value()};
    for (u32 number = 1; number <= g.inodes_count; ++number) {
        const bool eligible = number == kBadBlocksInode || (number == kJournalInode && m_sb.has_journal()) ||
                              ((number >= g.first_inode || number == kRootInode) && in_use(number));
        if (!eligible) continue;
        Inode inode = TRY(read_inode(number));
        if (number == kBadBlocksInode) inode.type = FileType::Regular;
        if (inode.type != FileType::Regular && inode.type != FileType::Directory &&
            !(inode.type == FileType::Symlink && !inode.fast_symlink))
            continue;
        s.shared = s.copied = 0;
        const bool changed = TRY(walk_blocks(inode, unshare, &s));
        if (s.shared == 0) continue;
        const bool fixed = m_fix && s.copied == s.shared;
        report(Problem::DuplicateBlock, fixed, "inode {}: {} blocks shared with other files or metadata, {}", number,
               s.shared, fixed ? "copied" : "left shared");
        if (changed && m_fix) TRY(write_inode(number, inode));
    }
    return {};
}

}  // namespace mote::fsck
