#include "fs/jbd2/jbd2_fault.hpp"

namespace mote::fs::jbd2 {

const char* jbd2_fault_name(Jbd2Fault fault) {
    switch (fault) {
    case Jbd2Fault::None: return "None";
    case Jbd2Fault::SuperblockTooShort: return "SuperblockTooShort";
    case Jbd2Fault::BadSuperblockMagic: return "BadSuperblockMagic";
    case Jbd2Fault::BadSuperblockType: return "BadSuperblockType";
    case Jbd2Fault::BadBlockSize: return "BadBlockSize";
    case Jbd2Fault::JournalTooShort: return "JournalTooShort";
    case Jbd2Fault::BadFirstBlock: return "BadFirstBlock";
    case Jbd2Fault::BadStartBlock: return "BadStartBlock";
    case Jbd2Fault::SharedJournal: return "SharedJournal";
    case Jbd2Fault::FastCommit: return "FastCommit";
    case Jbd2Fault::UnknownIncompatFeature: return "UnknownIncompatFeature";
    case Jbd2Fault::UnknownRoCompatFeature: return "UnknownRoCompatFeature";
    case Jbd2Fault::ConflictingChecksums: return "ConflictingChecksums";
    case Jbd2Fault::BadChecksumType: return "BadChecksumType";
    case Jbd2Fault::BadSuperblockChecksum: return "BadSuperblockChecksum";
    case Jbd2Fault::BlockSizeMismatch: return "BlockSizeMismatch";
    case Jbd2Fault::NotJournalBlock: return "NotJournalBlock";
    case Jbd2Fault::SequenceMismatch: return "SequenceMismatch";
    case Jbd2Fault::UnknownBlockType: return "UnknownBlockType";
    case Jbd2Fault::WrongBlockType: return "WrongBlockType";
    case Jbd2Fault::BadDescriptorChecksum: return "BadDescriptorChecksum";
    case Jbd2Fault::BadRevokeCount: return "BadRevokeCount";
    case Jbd2Fault::BadRevokeChecksum: return "BadRevokeChecksum";
    case Jbd2Fault::BadCommitChecksum: return "BadCommitChecksum";
    case Jbd2Fault::BadDataChecksum: return "BadDataChecksum";
    case Jbd2Fault::BlockOutOfRange: return "BlockOutOfRange";
    case Jbd2Fault::BlockNumberTooLarge: return "BlockNumberTooLarge";
    case Jbd2Fault::WholeLogScanned: return "WholeLogScanned";
    case Jbd2Fault::LogOverrun: return "LogOverrun";
    case Jbd2Fault::RevokeTableFull: return "RevokeTableFull";
    case Jbd2Fault::PassMismatch: return "PassMismatch";
    case Jbd2Fault::BadPosition: return "BadPosition";
    case Jbd2Fault::BadContents: return "BadContents";
    case Jbd2Fault::RevokeNotEnabled: return "RevokeNotEnabled";
    case Jbd2Fault::TransactionTooLarge: return "TransactionTooLarge";
    case Jbd2Fault::LogFull: return "LogFull";
    }
    return "UnknownJbd2Fault";
}

bool jbd2_fault_is_corruption(Jbd2Fault fault) {
    switch (fault) {
    case Jbd2Fault::None:
    case Jbd2Fault::NotJournalBlock:
    case Jbd2Fault::SequenceMismatch:
    case Jbd2Fault::UnknownBlockType:
    case Jbd2Fault::WholeLogScanned: return false;
    default: return true;
    }
}

}  // namespace mote::fs::jbd2
