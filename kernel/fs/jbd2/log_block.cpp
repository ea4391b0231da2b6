#include "fs/jbd2/log_block.hpp"

#include "base/crc32c.hpp"

namespace mote::fs::jbd2 {

Result<BlockHeader> decode_block_header(ReadonlyBytes block, Jbd2Fault* fault) {
    if (fault) *fault = Jbd2Fault::None;
    if (block.size() < kHeaderSize || load_be32(block.data() + kHeaderMagic) != kMagic) {
        if (fault) *fault = Jbd2Fault::NotJournalBlock;
        return Error::Malformed;
    }
    return BlockHeader {load_be32(block.data() + kHeaderType), load_be32(block.data() + kHeaderSequence)};
}

void encode_block_header(Bytes block, u32 type, u32 sequence) {
    VERIFY(block.size() >= kHeaderSize);
    store_be32(block.data() + kHeaderMagic, kMagic);
    store_be32(block.data() + kHeaderType, type);
    store_be32(block.data() + kHeaderSequence, sequence);
}

u32 block_tail_checksum(const JournalSuperblock& sb, ReadonlyBytes block) {
    VERIFY(block.size() == sb.block_size);
    static constexpr u8 kZero[kTailSize] = {};
    const u32 crc = crc32c_update(sb.checksum_seed, block.first(block.size() - kTailSize));
    return crc32c_update(crc, ReadonlyBytes(kZero, kTailSize));
}

bool block_tail_matches(const JournalSuperblock& sb, ReadonlyBytes block) {
    if (!sb.has_csum_v2_or_v3()) return true;
    return load_be32(block.data() + block.size() - kTailSize) == block_tail_checksum(sb, block);
}

void seal_block_tail(const JournalSuperblock& sb, Bytes block) {
    if (!sb.has_csum_v2_or_v3()) return;
    store_be32(block.data() + block.size() - kTailSize, block_tail_checksum(sb, block));
}

}  // namespace mote::fs::jbd2
