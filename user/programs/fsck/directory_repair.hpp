// Repairing one directory block that the format layer's decoder refuses
// (kernel/fs/ext2/directory_block.hpp), the way e2fsck salvages: keep every
// record that can be kept, cut the chain at the first record whose length
// is impossible (the record before it, or an empty one, takes the rest of
// the block), blank records whose name or inode is bad, and give a
// directory's first block its "." and ".." back. Entries lost this way
// leave their inodes unattached; passes 3 and 4 put them in /lost+found.
#pragma once

#include "base/span.hpp"
#include "fs/ext2/file_type.hpp"
#include "fs/ext2/superblock.hpp"

namespace mote::fsck {

enum class Repair : u8 {
    Salvaged,  // records kept where they could be
    Rebuilt,   // nothing could be kept: an empty block (or "." and ".." alone)
};

// Rewrites `block` (one filesystem block) so that it decodes: as a
// directory's first block naming `self` when `first` (with ".." naming
// `parent`, a placeholder pass 3 corrects), else as a later block.
Repair repair_directory_block(const fs::ext2::Geometry& geometry, Bytes block, bool first, u32 self, u32 parent);

// Record fields the checker edits in place in a decoded block: an entry's
// inode (0 blanks the entry, as e2fsck clears one) and its file type.
void set_entry_inode(Bytes block, u32 record_offset, u32 inode);
void set_entry_type(Bytes block, u32 record_offset, fs::ext2::FileType type);

}  // namespace mote::fsck
