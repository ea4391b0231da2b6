// What every jbd2 log block shares: the 12-byte header (magic, block type,
// transaction sequence) and, for descriptor and revoke blocks with csum
// v2/v3, the 4-byte checksum tail at the end of the block: crc32c of the
// whole block, seeded with the journal's UUID checksum and computed with
// the tail taken as zero.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"
#include "fs/jbd2/jbd2_fault.hpp"
#include "fs/jbd2/journal_superblock.hpp"

namespace mote::fs::jbd2 {

struct BlockHeader {
    u32 type = 0;      // kBlockDescriptor, kBlockCommit, kBlockRevoke, ...
    u32 sequence = 0;  // the transaction the block belongs to
};

// The header of `block` if it starts with the jbd2 magic; otherwise
// Error::Malformed with NotJournalBlock (also for a block shorter than a
// header). Any block type is returned: the caller decides what it expects.
Result<BlockHeader> decode_block_header(ReadonlyBytes block, Jbd2Fault* fault = nullptr);

// Writes magic, type and sequence into the first 12 bytes of `block`.
void encode_block_header(Bytes block, u32 type, u32 sequence);

// The tail checksum of a descriptor or revoke block (sb.block_size bytes).
u32 block_tail_checksum(const JournalSuperblock& sb, ReadonlyBytes block);
// True when the journal has no tail checksums or the stored one matches.
bool block_tail_matches(const JournalSuperblock& sb, ReadonlyBytes block);
// Stores the tail checksum when the journal has csum v2/v3.
void seal_block_tail(const JournalSuperblock& sb, Bytes block);

}  // namespace mote::fs::jbd2
