// Commit blocks: the record that makes a transaction durable. A transaction
// is replayed only if its commit block is found, in place and intact.
//
// After the header: h_chksum_type (1 byte), h_chksum_size (1 byte), 2 bytes
// of padding, h_chksum (8 words; only the first is used), the commit time
// (seconds as a 64-bit and nanoseconds as a 32-bit big-endian number).
//
//   v1 checksum (compat "checksum"): type 1 (crc32), size 4, h_chksum[0] the
//     crc32_be, started at ~0, over the transaction's descriptor and data
//     blocks in log order (revoke blocks excluded). All three zero means
//     "not computed" and is accepted.
//   csum v2/v3: h_chksum[0] is crc32c, from the journal's UUID seed, over
//     the whole block with h_chksum[0] taken as zero.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"
#include "fs/jbd2/jbd2_fault.hpp"
#include "fs/jbd2/journal_superblock.hpp"

namespace mote::fs::jbd2 {

struct CommitBlock {
    u32 sequence = 0;
    u8 checksum_type = 0;
    u8 checksum_size = 0;
    u32 checksum = 0;  // h_chksum[0]
    u64 seconds = 0;
    u32 nanoseconds = 0;

    // Checks the block size, header type and, with csum v2/v3, the block's
    // crc32c (BadCommitChecksum). The v1 sum needs the transaction's other
    // blocks: see v1_checksum_matches.
    static Result<CommitBlock> decode(ReadonlyBytes block, const JournalSuperblock& sb, Jbd2Fault* fault = nullptr);

    // Whether a v1 commit holds `crc32_sum` (or no sum at all).
    bool v1_checksum_matches(u32 crc32_sum) const;

    // Writes the commit block for transaction `sequence` into `block`
    // (sb.block_size bytes): the v1 sum when the journal has the v1
    // checksum feature, the v2/v3 crc32c when it has those.
    static void encode(const JournalSuperblock& sb, Bytes block, u32 sequence, u64 seconds, u32 nanoseconds,
                       u32 crc32_sum);
};

// The v2/v3 checksum of a commit block (h_chksum[0] taken as zero).
u32 commit_block_checksum(const JournalSuperblock& sb, ReadonlyBytes block);

}  // namespace mote::fs::jbd2
