#include "fs/ext2/ext2_fault.hpp"

namespace mote::fs::ext2 {

const char* ext2_fault_name(Ext2Fault fault) {
    switch (fault) {
    case Ext2Fault::None: return "None";
    case Ext2Fault::SuperblockTruncated: return "SuperblockTruncated";
    case Ext2Fault::BadMagic: return "BadMagic";
    case Ext2Fault::UnsupportedRevision: return "UnsupportedRevision";
    case Ext2Fault::UnsupportedBlockSize: return "UnsupportedBlockSize";
    case Ext2Fault::FragmentSizeMismatch: return "FragmentSizeMismatch";
    case Ext2Fault::BadFirstDataBlock: return "BadFirstDataBlock";
    case Ext2Fault::BadBlocksCount: return "BadBlocksCount";
    case Ext2Fault::BadBlocksPerGroup: return "BadBlocksPerGroup";
    case Ext2Fault::BadInodesPerGroup: return "BadInodesPerGroup";
    case Ext2Fault::BadInodeSize: return "BadInodeSize";
    case Ext2Fault::BadFirstInode: return "BadFirstInode";
    case Ext2Fault::InodesCountMismatch: return "InodesCountMismatch";
    case Ext2Fault::BadFreeCounts: return "BadFreeCounts";
    case Ext2Fault::BadReservedGdtBlocks: return "BadReservedGdtBlocks";
    case Ext2Fault::DescriptorTableTooLarge: return "DescriptorTableTooLarge";
    case Ext2Fault::UnsupportedIncompatFeature: return "UnsupportedIncompatFeature";
    case Ext2Fault::BadJournalInode: return "BadJournalInode";
    case Ext2Fault::BadGroupNumber: return "BadGroupNumber";
    case Ext2Fault::DescriptorTruncated: return "DescriptorTruncated";
    case Ext2Fault::BlockBitmapOutOfGroup: return "BlockBitmapOutOfGroup";
    case Ext2Fault::InodeBitmapOutOfGroup: return "InodeBitmapOutOfGroup";
    case Ext2Fault::InodeTableOutOfGroup: return "InodeTableOutOfGroup";
    case Ext2Fault::GroupMetadataOverlap: return "GroupMetadataOverlap";
    case Ext2Fault::BadGroupFreeBlocks: return "BadGroupFreeBlocks";
    case Ext2Fault::BadGroupFreeInodes: return "BadGroupFreeInodes";
    case Ext2Fault::BadUsedDirsCount: return "BadUsedDirsCount";
    case Ext2Fault::InodeTruncated: return "InodeTruncated";
    case Ext2Fault::BadInodeNumber: return "BadInodeNumber";
    case Ext2Fault::InodeNotInUse: return "InodeNotInUse";
    case Ext2Fault::FreeInodeInUse: return "FreeInodeInUse";
    case Ext2Fault::BadFileType: return "BadFileType";
    case Ext2Fault::ExtentsUnsupported: return "ExtentsUnsupported";
    case Ext2Fault::InlineDataUnsupported: return "InlineDataUnsupported";
    case Ext2Fault::BlockPointerOutOfRange: return "BlockPointerOutOfRange";
    case Ext2Fault::FileAclOutOfRange: return "FileAclOutOfRange";
    case Ext2Fault::BadSymlinkSize: return "BadSymlinkSize";
    case Ext2Fault::BadDirectorySize: return "BadDirectorySize";
    case Ext2Fault::FileTooLarge: return "FileTooLarge";
    case Ext2Fault::FileBlockOutOfRange: return "FileBlockOutOfRange";
    case Ext2Fault::BadDirectoryBlockSize: return "BadDirectoryBlockSize";
    case Ext2Fault::RecordTooShort: return "RecordTooShort";
    case Ext2Fault::RecordMisaligned: return "RecordMisaligned";
    case Ext2Fault::RecordPastBlockEnd: return "RecordPastBlockEnd";
    case Ext2Fault::EmptyName: return "EmptyName";
    case Ext2Fault::BadNameByte: return "BadNameByte";
    case Ext2Fault::BadEntryFileType: return "BadEntryFileType";
    case Ext2Fault::EntryInodeOutOfRange: return "EntryInodeOutOfRange";
    case Ext2Fault::MisplacedDotEntry: return "MisplacedDotEntry";
    case Ext2Fault::MissingDotEntry: return "MissingDotEntry";
    case Ext2Fault::BadDotEntry: return "BadDotEntry";
    case Ext2Fault::BadName: return "BadName";
    case Ext2Fault::NoRoom: return "NoRoom";
    case Ext2Fault::EntryNotFound: return "EntryNotFound";
    case Ext2Fault::BitmapTooSmall: return "BitmapTooSmall";
    case Ext2Fault::BitmapFull: return "BitmapFull";
    }
    return "UnknownExt2Fault";
}

}  // namespace mote::fs::ext2
