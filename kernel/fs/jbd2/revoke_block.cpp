#include "fs/jbd2/revoke_block.hpp"

#include "fs/jbd2/log_block.hpp"

namespace mote::fs::jbd2 {

namespace {

Error fail(Jbd2Fault* out, Jbd2Fault fault) {
    if (out) *out = fault;
    return Error::Malformed;
}

}  // namespace

Result<RevokeBlock> RevokeBlock::decode(ReadonlyBytes block, const JournalSuperblock& sb, Jbd2Fault* fault) {
    if (fault) *fault = Jbd2Fault::None;
    if (block.size() != sb.block_size) return fail(fault, Jbd2Fault::BlockSizeMismatch);
    const BlockHeader header = TRY(decode_block_header(block, fault));
    if (header.type != kBlockRevoke) return fail(fault, Jbd2Fault::WrongBlockType);
    if (!block_tail_matches(sb, block)) return fail(fault, Jbd2Fault::BadRevokeChecksum);
    const u32 used = load_be32(block.data() + kRevokeCount);
    if (used > block.size() - sb.tail_size()) return fail(fault, Jbd2Fault::BadRevokeCount);

    RevokeBlock r;
    r.m_block = block;
    r.m_sequence = header.sequence;
    r.m_record_size = sb.revoke_record_size();
    r.m_count = used > kRevokeHeaderSize ? u32((used - kRevokeHeaderSize) / r.m_record_size) : 0;
    return r;
}

u64 RevokeBlock::record(u32 index) const {
    VERIFY(index < m_count);
    const u8* p = m_block.slice(kRevokeHeaderSize + index * m_record_size, m_record_size).data();
    return m_record_size == 8 ? load_be64(p) : load_be32(p);
}

u32 RevokeBlock::capacity(const JournalSuperblock& sb) {
    return u32((sb.block_size - sb.tail_size() - kRevokeHeaderSize) / sb.revoke_record_size());
}

void RevokeBlock::encode(const JournalSuperblock& sb, Bytes block, u32 sequence, Span<const u64> records) {
    VERIFY(block.size() == sb.block_size);
    VERIFY(records.size() <= capacity(sb));
    for (u8& b : block) b = 0;
    encode_block_header(block, kBlockRevoke, sequence);
    const usize size = sb.revoke_record_size();
    usize offset = kRevokeHeaderSize;
    for (u64 record : records) {
        if (size == 8) {
            store_be64(block.data() + offset, record);
        } else {
            VERIFY(record <= 0xFFFFFFFFu);
            store_be32(block.data() + offset, u32(record));
        }
        offset += size;
    }
    store_be32(block.data() + kRevokeCount, u32(offset));
    seal_block_tail(sb, block);
}

}  // namespace mote::fs::jbd2
