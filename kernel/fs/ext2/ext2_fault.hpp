// Why the ext2 format layer rejected on-disk bytes (or a request to edit them).
//
// Every decoder in kernel/fs/ext2/ returns Error::Malformed for corrupt data,
// Error::Unsupported for valid data this kernel does not handle (a feature,
// a block size), and a few other kinds for caller mistakes; the named fault
// says exactly which check failed, for the log line and the tests.
#pragma once

#include "base/types.hpp"

namespace mote::fs::ext2 {

enum class Ext2Fault : u8 {
    None,  // no fault

    // Superblock (superblock.hpp).
    SuperblockTruncated,         // fewer than 1024 bytes given
    BadMagic,                    // s_magic is not 0xEF53
    UnsupportedRevision,         // s_rev_level above 1 (dynamic)  [Unsupported]
    UnsupportedBlockSize,        // block size other than 1, 2 or 4 KiB  [Unsupported]
    FragmentSizeMismatch,        // fragment (cluster) size differs from the block size  [Unsupported]
    BadFirstDataBlock,           // not 1 with 1 KiB blocks, not 0 otherwise
    BadBlocksCount,              // no block after the superblock's block
    BadBlocksPerGroup,           // 0, above 8 x block size, or not a multiple of 8
    BadInodesPerGroup,           // 0, above 8 x block size, or fewer than fit in one block
    BadInodeSize,                // not a power of two in [128, block size] (or not 128 on revision 0)
    BadFirstInode,               // first non-reserved inode below 11 or above the inodes count
    InodesCountMismatch,         // inodes count is not groups x inodes per group
    BadFreeCounts,               // free or reserved counts above the totals
    BadReservedGdtBlocks,        // more reserved descriptor blocks than one indirect block can map
    DescriptorTableTooLarge,     // superblock + descriptor table + reserved blocks overflow group 0
    UnsupportedIncompatFeature,  // an incompat feature other than filetype / recover  [Unsupported]
    BadJournalInode,             // has_journal with a journal inode number beyond the inodes count

    // Group descriptors (group_descriptor.hpp).
    BadGroupNumber,         // group index not below the group count
    DescriptorTruncated,    // fewer than 32 bytes given
    BlockBitmapOutOfGroup,  // the block bitmap is not inside its group's blocks
    InodeBitmapOutOfGroup,  // the inode bitmap is not inside its group's blocks
    InodeTableOutOfGroup,   // the inode table does not fit inside its group's blocks
    GroupMetadataOverlap,   // bitmaps, inode table and superblock/descriptor copy overlap
    BadGroupFreeBlocks,     // more free blocks than the group has
    BadGroupFreeInodes,     // more free inodes than inodes per group
    BadUsedDirsCount,       // more directories than the group's used inodes

    // Inodes (inode.hpp).
    InodeTruncated,          // fewer bytes than the inode size given
    BadInodeNumber,          // 0, or above the inodes count
    InodeNotInUse,           // no links and no mode, or a deletion time: a free or orphan inode
    FreeInodeInUse,          // the inode bitmap says free, but the inode is in use (open, or links and a mode)
    BadFileType,             // the mode's type bits name none of the seven file types
    ExtentsUnsupported,      // EXTENTS_FL: the block array holds an extent tree  [Unsupported]
    InlineDataUnsupported,   // INLINE_DATA_FL: the data sits in the inode  [Unsupported]
    BlockPointerOutOfRange,  // a block pointer neither 0 nor a data block of the device
    FileAclOutOfRange,       // the extended-attribute block neither 0 nor a data block
    BadSymlinkSize,          // empty target, or too long for where it is stored
    BadDirectorySize,        // a directory whose size is not a multiple of the block size
    FileTooLarge,            // a size beyond what the block map can address

    // Block map (block_map.hpp).
    FileBlockOutOfRange,  // a logical block beyond the triple-indirect reach

    // Directory blocks (directory_block.hpp).
    BadDirectoryBlockSize,  // the buffer is not one block long
    RecordTooShort,         // rec_len below 8 or below what its name needs
    RecordMisaligned,       // rec_len not a multiple of 4
    RecordPastBlockEnd,     // a record runs past the end of the block
    EmptyName,              // a used record with name_len 0
    BadNameByte,            // a name containing '/' or NUL
    BadEntryFileType,       // filetype feature on and a used record's type is not 1..7
    EntryInodeOutOfRange,   // a record's inode number above the inodes count
    MisplacedDotEntry,      // "." or ".." where they may not be (only records 0 and 1 of block 0)
    MissingDotEntry,        // block 0 of a directory does not start with "." and ".."
    BadDotEntry,            // "." not naming the directory itself, or ".." naming inode 0
    BadName,                // an insert's name: empty, over 255 bytes, "/", NUL, "." or ".."
    NoRoom,                 // no record in the block has room for the new entry
    EntryNotFound,          // no used record of that name

    // Bitmaps (bitmap_search.hpp).
    BitmapTooSmall,  // fewer bytes than the valid bit count needs
    BitmapFull,      // no clear bit among the valid bits
};

inline constexpr usize kExt2FaultCount = 56;
static_assert(usize(Ext2Fault::BitmapFull) + 1 == kExt2FaultCount, "update kExt2FaultCount and ext2_fault_name");

// A stable name ("BadMagic") for logs and tests.
const char* ext2_fault_name(Ext2Fault fault);

}  // namespace mote::fs::ext2
