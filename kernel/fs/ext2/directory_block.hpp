// One block of an ext2 directory: a chain of variable-length records that
// exactly covers the block, and the edits a writer makes to it.
//
// A record is: inode (u32, 0 = unused), rec_len (u16: bytes to the next
// record), name_len (u8), file_type (u8: a FileType code with the filetype
// feature, else part of an old 16-bit name_len, ignored), then the name
// (no NUL), padded to 4 bytes. A record may be longer than its name needs:
// the slack is free space a new entry can take by splitting the record.
//
// DirectoryBlock::decode() checks the whole block once (every rec_len at
// least 8 and what its name needs, 4-aligned, inside the block, the last
// record ending exactly at the block's end; used records with a name of
// 1..255 bytes without '/' or NUL, a valid file type, an inode number in
// range; "." and ".." only as records 0 and 1 of a directory's first block,
// and there required). Iterating a decoded block cannot meet bad data.
//
// Checking walks every record and every name byte, and a lookup in a large
// directory meets every block. So each check leaves a note (a u64 the
// caller keeps with the block: BlockCache's Buffer::note(), which the cache
// clears whenever the bytes may change): how the block was checked, its
// record counts, its ".." and its largest free slot. Given the note of an
// unchanged block, decode() and the edits skip the check, and an insert
// that cannot fit answers at once. A note of 0 means "not checked".
//
// dir_index (htree) directories stay readable linearly: their root block is
// "." and a ".." record whose slack hides the index, and their interior
// index blocks are one unused record spanning the block; both decode as
// ordinary blocks. A writer that changes such a directory through the
// functions below must clear the inode's kInodeFlagIndex (as Linux's ext2
// does), since the index is then stale; e2fsck -D can rebuild it.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"
#include "fs/ext2/ext2_fault.hpp"
#include "fs/ext2/file_type.hpp"
#include "fs/ext2/superblock.hpp"

namespace mote::fs::ext2 {

inline constexpr u32 kDirRecordHeaderSize = 8;
inline constexpr u32 kDirNameMax = 255;

// Bytes a record with a name of `name_length` bytes needs: header + name,
// rounded up to 4 (12 for "." or a 1..4-byte name).
constexpr u32 dir_record_length(u32 name_length) { return (kDirRecordHeaderSize + name_length + 3) & ~3u; }

struct DirEntry {
    u32 offset = 0;         // of the record in the block
    u32 record_length = 0;  // rec_len
    u32 inode = 0;          // 0: an unused record (free space)
    FileType type = FileType::Unknown;  // Unknown without the filetype feature (and for unused records)
    StringView name;        // inside the block; empty for an unused record

    bool in_use() const { return inode != 0; }
    bool is_dot() const { return name == "."; }
    bool is_dotdot() const { return name == ".."; }
};

class DirectoryBlock;

// Walks every record of a decoded block in order, unused ones included
// (check DirEntry::in_use()).
class DirEntryIterator {
public:
    const DirEntry& operator*() const { return m_entry; }
    const DirEntry* operator->() const { return &m_entry; }
    DirEntryIterator& operator++();
    bool operator==(const DirEntryIterator& other) const { return m_offset == other.m_offset; }

private:
    friend class DirectoryBlock;
    DirEntryIterator(ReadonlyBytes block, bool filetype, usize offset);
    void load();

    ReadonlyBytes m_block;
    bool m_filetype;
    usize m_offset;
    DirEntry m_entry;
};

class DirectoryBlock {
public:
    // A block other than a directory's first (block 0): "." and ".." may not
    // appear. Error::InvalidArgument with BadDirectoryBlockSize if `block` is
    // not geometry.block_size bytes; Malformed for the faults above.
    // `note` (may be null): in, what an earlier check left (0: none); out,
    // this check's note.
    static Result<DirectoryBlock> decode(const Geometry& geometry, ReadonlyBytes block, Ext2Fault* fault = nullptr,
                                         u64* note = nullptr);
    // A directory's first block: record 0 is "." naming `self`, record 1 is
    // ".." naming the parent (parent_inode()); with the filetype feature both
    // typed Directory.
    static Result<DirectoryBlock> decode_first(const Geometry& geometry, ReadonlyBytes block, u32 self,
                                               Ext2Fault* fault = nullptr, u64* note = nullptr);

    usize record_count() const { return m_records; }
    usize used_count() const { return m_used; }  // records with an inode, "." and ".." included
    // The ".." inode of a first block (0 for other blocks).
    u32 parent_inode() const { return m_parent; }
    // The used record named `name`: Error::NotFound with EntryNotFound if none.
    Result<DirEntry> find(StringView name, Ext2Fault* fault = nullptr) const;

    DirEntryIterator begin() const { return DirEntryIterator(m_block, m_filetype, 0); }
    DirEntryIterator end() const { return DirEntryIterator(m_block, m_filetype, m_block.size()); }

private:
    DirectoryBlock() = default;

    ReadonlyBytes m_block;
    bool m_filetype = false;
    usize m_records = 0;
    usize m_used = 0;
    u32 m_parent = 0;
};

// Edits of a block in a caller's buffer, for the writer. Each first checks
// the block as decode() does, except that "." and ".." are allowed (not
// required) as records 0 and 1, so they work on any block of a directory.
// They change only the records they name; on failure the block is unchanged.

// Adds an entry: reuses the first unused record big enough, else splits the
// first record whose slack is big enough (the old record keeps what its
// name needs). Returns the new record's offset. Error::Overflow with NoRoom
// if no record has room (the caller appends a block: init_empty_directory_block);
// InvalidArgument with BadName (empty, over 255 bytes, '/', NUL, "." or
// ".."), EntryInodeOutOfRange (0 or above inodes_count) or BadEntryFileType
// (Unknown with the filetype feature). Does not look for the name in this
// or other blocks: the caller checks it is new first (find()).
// `note`: the block's note if it is unchanged since it was checked, else 0.
Result<u32> insert_entry(const Geometry& geometry, Bytes block, StringView name, u32 inode, FileType type,
                         Ext2Fault* fault = nullptr, u64 note = 0);

// Removes the used record named `name` and returns its inode: merged into
// the previous record, or, if it is the block's first record, marked unused
// (inode 0) in place. Error::NotFound with EntryNotFound if absent;
// InvalidArgument with BadName for "." and "..".
Result<u32> remove_entry(const Geometry& geometry, Bytes block, StringView name, Ext2Fault* fault = nullptr,
                         u64 note = 0);

// The note of a block that insert_entry() or remove_entry() just changed,
// given the note it had before (0 when it had none: then 0, and the next
// decode checks the block). The edits keep a checked block valid, so the
// summary is recounted from the records without checking them again: a
// lookup after an insert does not check the whole block anew.
u64 note_after_edit(const Geometry& geometry, ReadonlyBytes block, u64 note_before);

// Writes a directory's first block: "." naming `self` (12 bytes) and ".."
// naming `parent` spanning the rest. VERIFYs the block size.
void init_directory_block(const Geometry& geometry, Bytes block, u32 self, u32 parent);

// Writes an empty block for a growing directory: one unused record
// spanning the block. VERIFYs the block size.
void init_empty_directory_block(const Geometry& geometry, Bytes block);

}  // namespace mote::fs::ext2
