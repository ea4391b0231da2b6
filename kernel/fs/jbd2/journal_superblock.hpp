// The jbd2 journal superblock: journal block 0, the first 1024 bytes.
//
// It says how big the journal is (s_blocksize, s_maxlen), where its circular
// log lives ([s_first, s_maxlen)), where the live log starts and with which
// transaction (s_start, s_sequence; s_start 0 means the journal is clean:
// nothing to replay), the error the journal was aborted with (s_errno), the
// feature words, the journal UUID and, with csum v2/v3, a crc32c of itself.
//
//     Jbd2Fault fault;
//     auto sb = JournalSuperblock::decode(block0, fs_block_size, journal_file_blocks, &fault);
//     if (sb.is_error()) log_warn(..., jbd2_fault_name(fault));
//
// decode() validates everything recovery and the writer rely on: the block
// size equals the filesystem's, the log bounds fit the journal file, s_start
// lies in the log, the superblock checksum, and the feature policy: the v1
// checksum, revoke, 64bit, async_commit and csum v2/v3 are accepted, fast
// commits and any unknown incompat/ro_compat bit are Error::Unsupported.
// Unknown compat bits are ignored, as their definition allows.
//
// encode_state() writes the mutable fields back (start, sequence, errno,
// feature words) and recomputes the checksum.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"
#include "fs/jbd2/jbd2_fault.hpp"
#include "fs/jbd2/journal_format.hpp"

namespace mote::fs::jbd2 {

// The part of the superblock that changes while the journal is in use.
struct JournalState {
    u32 start = 0;     // s_start: journal block of the oldest live transaction; 0 = clean
    u32 sequence = 0;  // s_sequence: that transaction's ID (or the next one when clean)
    i32 error = 0;     // s_errno: non-zero after the journal was aborted
};

struct JournalSuperblock {
    u32 version = 2;          // 1 or 2 (h_blocktype 3 or 4)
    u32 block_size = 0;       // bytes, equal to the filesystem's
    u32 max_len = 0;          // blocks in the journal, superblock included
    u32 first = 0;            // first block of the log
    JournalState state;
    u32 feature_compat = 0;   // all three are 0 for a v1 superblock
    u32 feature_incompat = 0;
    u32 feature_ro_compat = 0;
    u8 uuid[kUuidSize] = {};
    u32 user_count = 0;       // s_nr_users
    u8 checksum_type = 0;     // s_checksum_type (kChecksumTypeCrc32c with csum v2/v3)
    u32 checksum = 0;         // s_checksum as stored
    u32 checksum_seed = 0;    // crc32c_update(~0, uuid): the seed of every v2/v3 checksum

    // Checks `bytes` (at least the superblock's 1024 bytes; usually journal
    // block 0) against the filesystem's block size and the number of blocks
    // the journal file maps. Error::Malformed or Error::Unsupported with the
    // reason in `fault` (None on success).
    static Result<JournalSuperblock> decode(ReadonlyBytes bytes, u32 fs_block_size, u64 journal_file_blocks,
                                            Jbd2Fault* fault = nullptr);

    // Writes state.start, state.sequence, state.error and the three feature
    // words into `bytes` (the superblock this was decoded from, at least 1024
    // bytes) and recomputes s_checksum when csum v2/v3 is on. The fields
    // are checked as decode() would check them: Error::InvalidArgument with
    // the fault if they are not valid (start outside the log, unsupported or
    // conflicting features, features on a v1 superblock).
    Result<void> encode_state(Bytes bytes, Jbd2Fault* fault = nullptr) const;

    bool clean() const { return state.start == 0; }
    bool has_revoke() const { return feature_incompat & kIncompatRevoke; }
    bool has_64bit() const { return feature_incompat & kIncompat64Bit; }
    bool has_async_commit() const { return feature_incompat & kIncompatAsyncCommit; }
    bool has_csum_v1() const { return feature_compat & kCompatChecksum; }
    bool has_csum_v2() const { return feature_incompat & kIncompatCsumV2; }
    bool has_csum_v3() const { return feature_incompat & kIncompatCsumV3; }
    bool has_csum_v2_or_v3() const { return feature_incompat & (kIncompatCsumV2 | kIncompatCsumV3); }

    // Bytes per descriptor tag: 16 with csum v3; else 8, +4 with 64bit, +2 with csum v2.
    usize tag_size() const;
    // Bytes at the end of descriptor and revoke blocks kept for their checksum.
    usize tail_size() const { return has_csum_v2_or_v3() ? kTailSize : 0; }
    // Bytes per revoke record: 8 with 64bit, else 4.
    usize revoke_record_size() const { return has_64bit() ? 8 : 4; }

    // The ring: blocks in the log, the position `count` blocks after
    // `position` (both in [first, max_len)), and how many blocks lie from
    // `from` up to (not including) `to` going forwards.
    u32 log_blocks() const { return max_len - first; }
    u32 advance(u32 position, u32 count) const;
    u32 distance(u32 from, u32 to) const;
    bool in_log(u32 position) const { return position >= first && position < max_len; }
};

// Checks that a set of feature words obeys the policy above, for `version`.
Result<void> check_journal_features(u32 version, u32 compat, u32 incompat, u32 ro_compat, Jbd2Fault& fault);

// The csum v2/v3 checksum of a superblock's first 1024 bytes with s_checksum
// taken as zero.
u32 journal_superblock_checksum(ReadonlyBytes bytes);

}  // namespace mote::fs::jbd2
