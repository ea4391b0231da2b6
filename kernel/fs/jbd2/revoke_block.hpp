// Revoke blocks: filesystem blocks whose earlier logged copies must not be
// replayed.
//
// After the header, r_count (4 bytes) gives the bytes in use, header
// included; the records follow from byte 16, 4 bytes each (8 with the
// 64bit feature), big-endian block numbers. With csum v2/v3 the last 4
// bytes of the block are a checksum tail and r_count may not reach them.
// A record revokes its block for every transaction up to and including
// the revoke block's own: a logged copy from transaction T is skipped if a
// revoke for the block appears in any transaction >= T.
//
// As in jbd2, an r_count smaller than the header means no records, and a
// record that does not fit whole below r_count is ignored.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"
#include "fs/jbd2/jbd2_fault.hpp"
#include "fs/jbd2/journal_superblock.hpp"

namespace mote::fs::jbd2 {

class RevokeBlock {
public:
    // Checks the block size, header type, r_count against the block
    // (BadRevokeCount) and the tail checksum (BadRevokeChecksum). The
    // block is borrowed while the RevokeBlock is used.
    static Result<RevokeBlock> decode(ReadonlyBytes block, const JournalSuperblock& sb, Jbd2Fault* fault = nullptr);

    u32 sequence() const { return m_sequence; }
    u32 record_count() const { return m_count; }
    u64 record(u32 index) const;

    // Records that fit in one revoke block.
    static u32 capacity(const JournalSuperblock& sb);
    // Writes a revoke block for transaction `sequence` holding `records`
    // (at most capacity(sb); each must fit the record size) into `block`
    // (sb.block_size bytes), tail checksum included.
    static void encode(const JournalSuperblock& sb, Bytes block, u32 sequence, Span<const u64> records);

private:
    RevokeBlock() = default;

    ReadonlyBytes m_block;
    u32 m_sequence = 0;
    u32 m_count = 0;
    usize m_record_size = 4;
};

}  // namespace mote::fs::jbd2
