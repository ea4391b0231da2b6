#include "fs/jbd2/descriptor_block.hpp"

#include "base/crc32c.hpp"
#include "fs/jbd2/log_block.hpp"

namespace mote::fs::jbd2 {

namespace {

Error fail(Jbd2Fault* out, Jbd2Fault fault) {
    if (out) *out = fault;
    return Error::Malformed;
}

// The flag bits jbd2 tests live in the low 16 bits, at byte 6 in both tag
// layouts (v3's 32-bit flags word is big-endian at byte 4).
u32 tag_flags(const u8* tag) { return load_be16(tag + kTagFlags16); }

}  // namespace

Result<DescriptorBlock> DescriptorBlock::decode(ReadonlyBytes block, const JournalSuperblock& sb, Jbd2Fault* fault) {
    if (fault) *fault = Jbd2Fault::None;
    if (block.size() != sb.block_size) return fail(fault, Jbd2Fault::BlockSizeMismatch);
    const BlockHeader header = TRY(decode_block_header(block, fault));
    if (header.type != kBlockDescriptor) return fail(fault, Jbd2Fault::WrongBlockType);
    if (!block_tail_matches(sb, block)) return fail(fault, Jbd2Fault::BadDescriptorChecksum);

    DescriptorBlock d;
    d.m_block = block;
    d.m_sequence = header.sequence;
    d.m_tag_size = sb.tag_size();
    d.m_64bit = sb.has_64bit();
    d.m_tag3 = sb.has_csum_v3();
    const usize limit = block.size() - sb.tail_size();
    usize offset = kHeaderSize;
    while (offset + d.m_tag_size <= limit) {
        const u32 flags = tag_flags(block.data() + offset);
        ++d.m_tag_count;
        offset += d.m_tag_size;
        if (!(flags & kTagSameUuid)) offset += kUuidSize;
        if (flags & kTagLastTag) break;
    }
    return d;
}

BlockTag DescriptorBlock::tag_at(usize offset) const {
    const u8* p = m_block.slice(offset, m_tag_size).data();
    BlockTag tag;
    tag.block = load_be32(p + kTagBlockLow);
    if (m_64bit) tag.block |= u64(load_be32(p + kTagBlockHigh)) << 32;
    if (m_tag3) {
        tag.flags = load_be32(p + kTag3Flags);
        tag.checksum = load_be32(p + kTag3Checksum);
    } else {
        tag.flags = tag_flags(p);
        tag.checksum = load_be16(p + kTagChecksum16);
    }
    return tag;
}

BlockTag DescriptorBlock::Iterator::operator*() const {
    VERIFY(m_remaining > 0);
    return m_block->tag_at(m_offset);
}

DescriptorBlock::Iterator& DescriptorBlock::Iterator::operator++() {
    VERIFY(m_remaining > 0);
    const u32 flags = tag_flags(m_block->m_block.data() + m_offset);
    m_offset += m_block->m_tag_size;
    if (!(flags & kTagSameUuid)) m_offset += kUuidSize;
    --m_remaining;
    return *this;
}

u32 data_block_checksum(const JournalSuperblock& sb, u32 sequence, ReadonlyBytes data, bool escaped) {
    u8 seq[4];
    store_be32(seq, sequence);
    u32 crc = crc32c_update(sb.checksum_seed, ReadonlyBytes(seq, 4));
    if (escaped) {
        static constexpr u8 kZero[4] = {};
        crc = crc32c_update(crc, ReadonlyBytes(kZero, 4));
        return crc32c_update(crc, data.slice(4));
    }
    return crc32c_update(crc, data);
}

bool tag_checksum_matches(const JournalSuperblock& sb, const BlockTag& tag, u32 sequence, ReadonlyBytes logged) {
    if (!sb.has_csum_v2_or_v3()) return true;
    const u32 crc = data_block_checksum(sb, sequence, logged);
    return sb.has_csum_v3() ? tag.checksum == crc : tag.checksum == (crc & 0xFFFF);
}

DescriptorEncoder::DescriptorEncoder(const JournalSuperblock& sb, Bytes block, u32 sequence)
    : m_sb(sb), m_block(block), m_sequence(sequence) {
    VERIFY(block.size() == sb.block_size);
    for (u8& b : block) b = 0;
    encode_block_header(block, kBlockDescriptor, sequence);
}

u32 DescriptorEncoder::capacity(const JournalSuperblock& sb) {
    return u32((sb.block_size - sb.tail_size() - kHeaderSize - kUuidSize) / sb.tag_size());
}

void DescriptorEncoder::add(u64 home_block, bool escaped, ReadonlyBytes data) {
    VERIFY(!full());
    VERIFY(data.size() == m_sb.block_size);
    VERIFY(m_sb.has_64bit() || home_block <= 0xFFFFFFFFu);
    u8* p = m_block.slice(m_offset, m_sb.tag_size()).data();
    u32 flags = escaped ? kTagEscape : 0;
    if (m_count > 0) flags |= kTagSameUuid;
    store_be32(p + kTagBlockLow, u32(home_block));
    if (m_sb.has_64bit()) store_be32(p + kTagBlockHigh, u32(home_block >> 32));
    const u32 crc = m_sb.has_csum_v2_or_v3() ? data_block_checksum(m_sb, m_sequence, data, escaped) : 0;
    if (m_sb.has_csum_v3()) {
        store_be32(p + kTag3Flags, flags);
        store_be32(p + kTag3Checksum, crc);
    } else {
        store_be16(p + kTagFlags16, u16(flags));
        store_be16(p + kTagChecksum16, u16(crc));
    }
    m_last = m_offset;
    m_offset += m_sb.tag_size();
    if (m_count == 0) {
        for (usize i = 0; i < kUuidSize; ++i) m_block[m_offset + i] = m_sb.uuid[i];
        m_offset += kUuidSize;
    }
    ++m_count;
}

void DescriptorEncoder::finish() {
    VERIFY(m_count > 0);
    u8* p = m_block.data() + m_last;
    // The last-tag bit is in the low byte of the flags in both layouts.
    p[kTagFlags16 + 1] |= u8(kTagLastTag);
    seal_block_tail(m_sb, m_block);
}

}  // namespace mote::fs::jbd2
