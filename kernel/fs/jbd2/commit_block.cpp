#include "fs/jbd2/commit_block.hpp"

#include "base/crc32c.hpp"
#include "fs/jbd2/log_block.hpp"

namespace mote::fs::jbd2 {

namespace {

Error fail(Jbd2Fault* out, Jbd2Fault fault) {
    if (out) *out = fault;
    return Error::Malformed;
}

}  // namespace

u32 commit_block_checksum(const JournalSuperblock& sb, ReadonlyBytes block) {
    VERIFY(block.size() == sb.block_size);
    static constexpr u8 kZero[4] = {};
    u32 crc = crc32c_update(sb.checksum_seed, block.first(kCommitChecksum));
    crc = crc32c_update(crc, ReadonlyBytes(kZero, 4));
    return crc32c_update(crc, block.slice(kCommitChecksum + 4));
}

Result<CommitBlock> CommitBlock::decode(ReadonlyBytes block, const JournalSuperblock& sb, Jbd2Fault* fault) {
    if (fault) *fault = Jbd2Fault::None;
    if (block.size() != sb.block_size) return fail(fault, Jbd2Fault::BlockSizeMismatch);
    const BlockHeader header = TRY(decode_block_header(block, fault));
    if (header.type != kBlockCommit) return fail(fault, Jbd2Fault::WrongBlockType);
    const u8* p = block.data();
    CommitBlock c;
    c.sequence = header.sequence;
    c.checksum_type = p[kCommitChecksumType];
    c.checksum_size = p[kCommitChecksumSize];
    c.checksum = load_be32(p + kCommitChecksum);
    c.seconds = load_be64(p + kCommitSeconds);
    c.nanoseconds = load_be32(p + kCommitNanoseconds);
    if (sb.has_csum_v2_or_v3() && commit_block_checksum(sb, block) != c.checksum)
        return fail(fault, Jbd2Fault::BadCommitChecksum);
    return c;
}

bool CommitBlock::v1_checksum_matches(u32 crc32_sum) const {
    if (checksum_type == 0 && checksum_size == 0 && checksum == 0) return true;
    return checksum_type == kChecksumTypeCrc32 && checksum_size == kChecksumSizeCrc32 && checksum == crc32_sum;
}

void CommitBlock::encode(const JournalSuperblock& sb, Bytes block, u32 sequence, u64 seconds, u32 nanoseconds,
                         u32 crc32_sum) {
    VERIFY(block.size() == sb.block_size);
    for (u8& b : block) b = 0;
    encode_block_header(block, kBlockCommit, sequence);
    u8* p = block.data();
    store_be64(p + kCommitSeconds, seconds);
    store_be32(p + kCommitNanoseconds, nanoseconds);
    if (sb.has_csum_v1()) {
        p[kCommitChecksumType] = kChecksumTypeCrc32;
        p[kCommitChecksumSize] = kChecksumSizeCrc32;
        store_be32(p + kCommitChecksum, crc32_sum);
    } else if (sb.has_csum_v2_or_v3()) {
        store_be32(p + kCommitChecksum, commit_block_checksum(sb, block));
    }
}

}  // namespace mote::fs::jbd2
