// The kinds of inconsistency fsck finds, each tied to the pass that finds
// it (numbered like e2fsck's, so a test can compare what each tool saw).
#pragma once

#include "base/types.hpp"

namespace mote::fsck {

enum class Problem : u8 {
    // Pass 0: superblock, descriptors, journal, orphan list.
    NeedsRecovery,     // the journal holds transactions: replay first (refused)
    OrphanDeleted,     // an inode on the orphan list with no links: deleted
    OrphanTruncated,   // an inode on the orphan list with links: truncated to its size
    OrphanListBad,     // the list names an inode out of range or loops: cut

    // Pass 1: inodes and blocks.
    BadMode,              // the mode names no file type: inode cleared
    UnsupportedFlags,     // extents or inline data on ext2: inode cleared
    BadSymlink,           // a symlink whose size does not fit how it is stored: cleared
    TooManyIllegalBlocks, // more than kMaxIllegalBlocks bad pointers: inode cleared
    IllegalBlock,         // a block pointer outside the data blocks: cleared
    DuplicateBlock,       // a block claimed twice (by files or by metadata): cloned
    BlockCount,           // i_blocks differs from the blocks the map holds
    BadSize,              // i_size does not cover the blocks (or a directory's is not exact)
    ZeroDtime,            // no links and a mode, but no deletion time
    DtimeSet,             // links but a deletion time
    EmptyDirectory,       // a directory without blocks: cleared

    // Pass 2: directory structure.
    DirectoryCorrupt,   // a directory block that does not decode: salvaged
    BadDotEntries,      // "." or ".." missing or wrong in a first block: rewritten
    EntryUnusedInode,   // an entry naming a free, cleared or reserved inode: cleared
    EntryFileType,      // an entry's file type differs from its inode's
    DirectoryHardLink,  // a second entry naming a directory: cleared
    DirectoryHole,      // a directory block that is a hole (not fixed)

    // Pass 3: connectivity.
    RootNotDirectory,       // no usable root directory (not fixed: fsck stops)
    UnconnectedDirectory,   // a directory not reachable from the root: to /lost+found
    BadDotDot,              // ".." differs from the directory's parent
    NoLostFound,            // something to reconnect, and no /lost+found (not fixed)

    // Pass 4: reference counts.
    UnattachedInode,  // an in-use inode no entry names: to /lost+found
    UnattachedEmpty,  // the same, but an empty regular file: cleared
    LinkCount,        // i_links_count differs from the entries naming it

    // Pass 5: group summaries.
    BlockBitmap,      // a group's block bitmap differs from what is in use
    InodeBitmap,      // a group's inode bitmap differs from what is in use
    GroupCounts,      // a group's free blocks / free inodes / directories counts
    SuperblockCounts, // the superblock's free blocks / free inodes counts
};

inline constexpr usize kProblemCount = usize(Problem::SuperblockCounts) + 1;

// A stable name ("LinkCount") for tests and logs.
const char* problem_name(Problem problem);
// The pass that finds it: 0 (superblock and orphans) to 5.
u32 problem_pass(Problem problem);

}  // namespace mote::fsck
