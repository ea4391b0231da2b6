// Why the jbd2 layer rejected something, or why a journal's log ends where
// it does.
//
// Decoders return Error::Malformed (or Error::Unsupported for a feature
// Mote does not implement) and store the named reason here; the name goes
// to the log and the tests. Recovery also uses these names for the block
// that ended the log (RecoveryOutcome::end): the ordinary ends
// (NotJournalBlock, SequenceMismatch, UnknownBlockType, WholeLogScanned)
// and the corrupt ones (a checksum that does not match, a block number
// beyond the filesystem, a log longer than the journal).
#pragma once

#include "base/types.hpp"

namespace mote::fs::jbd2 {

enum class Jbd2Fault : u8 {
    None,                    // no fault
    // The journal superblock (journal block 0).
    SuperblockTooShort,      // fewer than 1024 bytes
    BadSuperblockMagic,      // h_magic is not 0xC03B3998
    BadSuperblockType,       // h_blocktype is neither 3 (v1) nor 4 (v2)
    BadBlockSize,            // s_blocksize differs from the filesystem's block size
    JournalTooShort,         // s_maxlen is more blocks than the journal file has
    BadFirstBlock,           // s_first is 0 or not below s_maxlen
    BadStartBlock,           // s_start is neither 0 nor in [s_first, s_maxlen)
    SharedJournal,           // s_nr_users > 1: an external journal shared by several filesystems
    FastCommit,              // incompat fast_commit (0x20): ext4 fast commits, not supported
    UnknownIncompatFeature,  // an incompat feature bit jbd2 does not define
    UnknownRoCompatFeature,  // a ro_compat feature bit (jbd2 defines none)
    ConflictingChecksums,    // csum v2 and v3 together, or the v1 checksum with either
    BadChecksumType,         // csum v2/v3 with s_checksum_type other than crc32c (4)
    BadSuperblockChecksum,   // s_checksum does not match crc32c of the superblock
    // Log blocks.
    BlockSizeMismatch,       // a block buffer is not exactly one journal block
    NotJournalBlock,         // the block does not start with the jbd2 magic
    SequenceMismatch,        // h_sequence is not the transaction expected there
    UnknownBlockType,        // h_blocktype is not descriptor, commit or revoke
    WrongBlockType,          // a decoder was given another type of block than it decodes
    BadDescriptorChecksum,   // the descriptor block's tail checksum does not match
    BadRevokeCount,          // r_count is larger than the block (less its checksum tail)
    BadRevokeChecksum,       // the revoke block's tail checksum does not match
    BadCommitChecksum,       // the commit block's checksum (v1 sum or v2/v3 crc32c) does not match
    BadDataChecksum,         // a logged block does not match its tag's checksum
    BlockOutOfRange,         // a tag or revoke record names a block beyond the filesystem
    BlockNumberTooLarge,     // a block number above 32 bits in a journal without the 64bit feature
    // Recovery.
    WholeLogScanned,         // the log ran all the way round the ring: nothing more can belong to it
    LogOverrun,              // a descriptor's blocks would run past the log's own start
    RevokeTableFull,         // more distinct revoked blocks than the caller's revoke table holds
    PassMismatch,            // a later pass read other bytes than the scan did (the journal changed)
    // The transaction writer.
    BadPosition,             // a log position outside [s_first, s_maxlen)
    BadContents,             // contents do not pair one block-sized buffer with each home block
    RevokeNotEnabled,        // revoke records for a journal without the revoke feature
    TransactionTooLarge,     // the transaction needs more blocks than the whole log has
    LogFull,                 // the transaction does not fit in the log's free blocks now
};

inline constexpr usize kJbd2FaultCount = 36;
static_assert(usize(Jbd2Fault::LogFull) + 1 == kJbd2FaultCount, "update kJbd2FaultCount and jbd2_fault_name");

// A stable name ("BadCommitChecksum") for logs and tests.
const char* jbd2_fault_name(Jbd2Fault fault);

// True for the faults that mean the journal is damaged, as opposed to the
// ordinary ways a log ends (None, NotJournalBlock, SequenceMismatch,
// UnknownBlockType, WholeLogScanned).
bool jbd2_fault_is_corruption(Jbd2Fault fault);

}  // namespace mote::fs::jbd2
