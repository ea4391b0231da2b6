#include "problem.hpp"

namespace mote::fsck {

const char* problem_name(Problem problem) {
    switch (problem) {
    case Problem::NeedsRecovery: return "NeedsRecovery";
    case Problem::OrphanDeleted: return "OrphanDeleted";
    case Problem::OrphanTruncated: return "OrphanTruncated";
    case Problem::OrphanListBad: return "OrphanListBad";
    case Problem::BadMode: return "BadMode";
    case Problem::UnsupportedFlags: return "UnsupportedFlags";
    case Problem::BadSymlink: return "BadSymlink";
    case Problem::TooManyIllegalBlocks: return "TooManyIllegalBlocks";
    case Problem::IllegalBlock: return "IllegalBlock";
    case Problem::DuplicateBlock: return "DuplicateBlock";
    case Problem::BlockCount: return "BlockCount";
    case Problem::BadSize: return "BadSize";
    case Problem::ZeroDtime: return "ZeroDtime";
    case Problem::DtimeSet: return "DtimeSet";
    case Problem::EmptyDirectory: return "EmptyDirectory";
    case Problem::DirectoryCorrupt: return "DirectoryCorrupt";
    case Problem::BadDotEntries: return "BadDotEntries";
    case Problem::EntryUnusedInode: return "EntryUnusedInode";
    case Problem::EntryFileType: return "EntryFileType";
    case Problem::DirectoryHardLink: return "DirectoryHardLink";
    case Problem::DirectoryHole: return "DirectoryHole";
    case Problem::RootNotDirectory: return "RootNotDirectory";
    case Problem::UnconnectedDirectory: return "UnconnectedDirectory";
    case Problem::BadDotDot: return "BadDotDot";
    case Problem::NoLostFound: return "NoLostFound";
    case Problem::UnattachedInode: return "UnattachedInode";
    case Problem::UnattachedEmpty: return "UnattachedEmpty";
    case Problem::LinkCount: return "LinkCount";
    case Problem::BlockBitmap: return "BlockBitmap";
    case Problem::InodeBitmap: return "InodeBitmap";
    case Problem::GroupCounts: return "GroupCounts";
    case Problem::SuperblockCounts: return "SuperblockCounts";
    }
    return "UnknownProblem";
}

u32 problem_pass(Problem problem) {
    if (problem <= Problem::OrphanListBad) return 0;
    if (problem <= Problem::EmptyDirectory) return 1;
    if (problem <= Problem::DirectoryHole) return 2;
    if (problem <= Problem::NoLostFound) return 3;
    if (problem <= Problem::LinkCount) return 4;
    return 5;
}

}  // namespace mote::fsck
