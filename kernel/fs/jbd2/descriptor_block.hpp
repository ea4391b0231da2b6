// Descriptor blocks: the list of filesystem blocks a transaction logs.
//
// After the header come tags, one per logged block, in the order the
// blocks follow the descriptor in the log. A tag holds the home block
// number (the low 32 bits, and the high 32 with the 64bit feature), flags,
// and with csum v2/v3 a checksum of the logged block. A tag without
// kTagSameUuid is followed by the journal's 16-byte UUID (jbd2 writes it
// after the first tag only). kTagLastTag ends the list; so does the end of
// the block (less the 4-byte checksum tail with csum v2/v3). Tags are
// counted exactly as jbd2 counts them, since the count decides where the
// next log block is: a tag counts if its tag bytes fit, whether or not its
// UUID does.
//
// kTagEscape: the logged block really starts with the jbd2 magic; the log
// holds it with those four bytes zeroed (so a scan cannot mistake it for a
// log block), and replay puts the magic back.
//
// The logged block's checksum (csum v2/v3) is crc32c, seeded with the
// journal's UUID seed, over the transaction's sequence number (4 bytes,
// big-endian) and then the block as it sits in the log (escaped form). v3
// stores all 32 bits, v2 the low 16.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"
#include "fs/jbd2/jbd2_fault.hpp"
#include "fs/jbd2/journal_superblock.hpp"

namespace mote::fs::jbd2 {

struct BlockTag {
    u64 block = 0;     // the filesystem ("home") block the logged block belongs to
    u32 flags = 0;     // kTag* bits
    u32 checksum = 0;  // as stored: 16 bits with csum v2, 32 with v3, else 0

    bool escaped() const { return flags & kTagEscape; }
    bool last() const { return flags & kTagLastTag; }
};

class DescriptorBlock {
public:
    DescriptorBlock() = default;  // no tags; decode() makes real ones

    // Checks that `block` is one journal block with a descriptor header and,
    // with csum v2/v3, a matching tail checksum (BadDescriptorChecksum);
    // counts its tags. The sequence is not checked: that is the caller's
    // context. The block is borrowed while the DescriptorBlock is used.
    static Result<DescriptorBlock> decode(ReadonlyBytes block, const JournalSuperblock& sb,
                                          Jbd2Fault* fault = nullptr);

    u32 sequence() const { return m_sequence; }
    // At least 1: jbd2 counts the first tag whenever it fits, and one always fits.
    u32 tag_count() const { return m_tag_count; }

    class Iterator {
    public:
        Iterator() = default;
        BlockTag operator*() const;
        Iterator& operator++();
        bool operator==(const Iterator& other) const { return m_remaining == other.m_remaining; }

    private:
        friend class DescriptorBlock;
        Iterator(const DescriptorBlock* block, usize offset, u32 remaining)
            : m_block(block), m_offset(offset), m_remaining(remaining) {}
        const DescriptorBlock* m_block = nullptr;
        usize m_offset = 0;
        u32 m_remaining = 0;
    };
    Iterator begin() const { return Iterator(this, kHeaderSize, m_tag_count); }
    Iterator end() const { return Iterator(this, 0, 0); }

private:
    BlockTag tag_at(usize offset) const;

    ReadonlyBytes m_block;
    u32 m_sequence = 0;
    u32 m_tag_count = 0;
    usize m_tag_size = 0;
    bool m_64bit = false;
    bool m_tag3 = false;
};

// The checksum of a logged block for transaction `sequence`; `escaped`
// means `data` is the original block and the log holds it with its first
// four bytes zeroed.
u32 data_block_checksum(const JournalSuperblock& sb, u32 sequence, ReadonlyBytes data, bool escaped = false);
// True without csum v2/v3, else whether `tag` holds the checksum of `logged`
// (the block as read from the log).
bool tag_checksum_matches(const JournalSuperblock& sb, const BlockTag& tag, u32 sequence, ReadonlyBytes logged);

// Fills one descriptor block, tag by tag:
//
//     DescriptorEncoder d(sb, out, sequence);
//     while (!d.full() && more) d.add(home, escaped, contents);
//     d.finish();
class DescriptorEncoder {
public:
    // `block` is sb.block_size bytes; it is cleared and given the header.
    DescriptorEncoder(const JournalSuperblock& sb, Bytes block, u32 sequence);

    // Tags that fit in one descriptor block: the first carries the UUID.
    static u32 capacity(const JournalSuperblock& sb);

    u32 count() const { return m_count; }
    bool full() const { return m_count == capacity(m_sb); }
    // Appends the tag for `home_block`, whose contents are `data` (the
    // original block: with `escaped`, the log will hold it with its first
    // four bytes zeroed; the checksum covers that form).
    void add(u64 home_block, bool escaped, ReadonlyBytes data);
    // Flags the last tag and stores the tail checksum. At least one tag.
    void finish();

private:
    const JournalSuperblock& m_sb;
    Bytes m_block;
    u32 m_sequence;
    u32 m_count = 0;
    usize m_offset = kHeaderSize;
    usize m_last = 0;
};

}  // namespace mote::fs::jbd2
