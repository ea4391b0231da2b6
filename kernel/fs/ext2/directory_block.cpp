#include "fs/ext2/directory_block.hpp"

#include "base/memory.hpp"
#include "fs/ext2/le_bytes.hpp"

namespace mote::fs::ext2 {

namespace {

// Record field offsets (struct ext2_dir_entry_2).
enum : usize {
    kInode = 0,
    kRecLen = 4,
    kNameLen = 6,
    kFileType = 7,
    kName = 8,
};

Error fail(Ext2Fault* out, Ext2Fault fault, Error error = Error::Malformed) {
    if (out) *out = fault;
    return error;
}

// Which block of a directory is being checked: decides where "." and ".."
// may (Edit), must (First) or must not (Later) appear.
enum class Role : u8 { Later, First, Edit };

struct Summary {
    usize records = 0;
    usize used = 0;
    u32 parent = 0;
    u32 room = 0;  // the longest record a new entry could take (an unused record, or a used one's slack)
};

// A note packs the role a block was checked in (Later or First: either
// implies Edit's rules) and its Summary: role+1 in bits 0-1, records in
// 2-11 and used in 12-21 (at most 512 records of 8 bytes in 4 KiB), room in
// 22-31 (capped: no entry needs more than 264 bytes), parent in 32-63.
constexpr u32 kNoteRoomCap = 1023;

u64 make_note(Role role, const Summary& summary) {
    const u64 room = summary.room < kNoteRoomCap ? summary.room : kNoteRoomCap;
    return u64(u8(role) + 1) | u64(summary.records) << 2 | u64(summary.used) << 12 | room << 22 |
           u64(summary.parent) << 32;
}

// 0 for no note; else the role + 1 it was checked in.
u32 note_role(u64 note) { return u32(note & 3); }

Summary note_summary(u64 note) {
    Summary summary;
    summary.records = usize((note >> 2) & 0x3ff);
    summary.used = usize((note >> 12) & 0x3ff);
    summary.room = u32((note >> 22) & 0x3ff);
    summary.parent = u32(note >> 32);
    return summary;
}

StringView name_at(ReadonlyBytes block, usize offset, usize length) {
    return StringView(reinterpret_cast<const char*>(block.data() + offset + kName), length);
}

Result<Summary> check_block(const Geometry& geometry, ReadonlyBytes block, Role role, u32 self, Ext2Fault* fault) {
    if (fault) *fault = Ext2Fault::None;
    if (block.size() != geometry.block_size)
        return fail(fault, Ext2Fault::BadDirectoryBlockSize, Error::InvalidArgument);
    Summary summary;
    usize offset = 0;
    while (offset < block.size()) {
        // Offsets stay 4-aligned (each rec_len is), so a header that does not
        // fit means fewer than 8 bytes remain.
        if (block.size() - offset < kDirRecordHeaderSize) return fail(fault, Ext2Fault::RecordPastBlockEnd);
        const u32 rec_len = load_le16(block, offset + kRecLen);
        const u32 name_len = load_u8(block, offset + kNameLen);
        const u32 inode = load_le32(block, offset + kInode);
        if (rec_len % 4 != 0) return fail(fault, Ext2Fault::RecordMisaligned);
        if (rec_len < kDirRecordHeaderSize || rec_len < dir_record_length(name_len))
            return fail(fault, Ext2Fault::RecordTooShort);
        if (rec_len > block.size() - offset) return fail(fault, Ext2Fault::RecordPastBlockEnd);
        if (inode > geometry.inodes_count) return fail(fault, Ext2Fault::EntryInodeOutOfRange);

        const usize index = summary.records++;
        bool dot = false;
        bool dotdot = false;
        const u32 free = inode != 0 ? rec_len - dir_record_length(name_len) : rec_len;
        if (free > summary.room) summary.room = free;
        if (inode != 0) {
            ++summary.used;
            if (name_len == 0) return fail(fault, Ext2Fault::EmptyName);
            for (usize i = 0; i < name_len; ++i) {
                const u8 c = load_u8(block, offset + kName + i);
                if (c == 0 || c == '/') return fail(fault, Ext2Fault::BadNameByte);
            }
            const StringView name = name_at(block, offset, name_len);
            dot = name == ".";
            dotdot = name == "..";
            const u8 type = load_u8(block, offset + kFileType);
            if (geometry.filetype && (type == 0 || type > u8(FileType::Symlink)))
                return fail(fault, Ext2Fault::BadEntryFileType);
            if ((dot || dotdot) && geometry.filetype && type != u8(FileType::Directory))
                return fail(fault, Ext2Fault::BadDotEntry);
        }
        // "." is record 0 and ".." record 1 of a first block, and nowhere else.
        if ((dot && (role == Role::Later || index != 0)) || (dotdot && (role == Role::Later || index != 1)))
            return fail(fault, Ext2Fault::MisplacedDotEntry);
        if (role == Role::First && index == 0) {
            if (!dot) return fail(fault, Ext2Fault::MissingDotEntry);
            if (inode != self) return fail(fault, Ext2Fault::BadDotEntry);
        }
        if (role == Role::First && index == 1) {
            if (!dotdot) return fail(fault, Ext2Fault::MissingDotEntry);
            summary.parent = inode;
        }
        offset += rec_len;
    }
    if (role == Role::First && summary.records < 2) return fail(fault, Ext2Fault::MissingDotEntry);
    return summary;
}

void write_record(Bytes block, usize offset, u32 rec_len, u32 inode, StringView name, FileType type, bool filetype) {
    store_le32(block, offset + kInode, inode);
    store_le16(block, offset + kRecLen, u16(rec_len));
    store_u8(block, offset + kNameLen, u8(name.length()));
    store_u8(block, offset + kFileType, filetype ? u8(type) : 0);
    mem_copy(block.data() + offset + kName, name.data(), name.length());
    // The rest of the record is slack: zero it so no old name lingers.
    const usize name_end = offset + kName + name.length();
    mem_set(block.data() + name_end, 0, offset + rec_len - name_end);
}

}  // namespace

DirEntryIterator::DirEntryIterator(ReadonlyBytes block, bool filetype, usize offset)
    : m_block(block), m_filetype(filetype), m_offset(offset) {
    load();
}

void DirEntryIterator::load() {
    if (m_offset >= m_block.size()) return;
    m_entry.offset = u32(m_offset);
    m_entry.record_length = load_le16(m_block, m_offset + kRecLen);
    m_entry.inode = load_le32(m_block, m_offset + kInode);
    if (m_entry.inode != 0) {
        m_entry.name = name_at(m_block, m_offset, load_u8(m_block, m_offset + kNameLen));
        m_entry.type = m_filetype ? FileType(load_u8(m_block, m_offset + kFileType)) : FileType::Unknown;
    } else {
        m_entry.name = StringView();
        m_entry.type = FileType::Unknown;
    }
}

DirEntryIterator& DirEntryIterator::operator++() {
    m_offset += m_entry.record_length;
    load();
    return *this;
}

// The summary from the note if it says the block was checked in this role
// (a first block's "." still names `self`), else from a check that leaves
// a new note.
static Result<Summary> checked(const Geometry& geometry, ReadonlyBytes block, Role role, u32 self, Ext2Fault* fault,
                               u64* note) {
    if (note && note_role(*note) == u32(role) + 1 && block.size() == geometry.block_size &&
        (role != Role::First || load_le32(block, kInode) == self)) {
        if (fault) *fault = Ext2Fault::None;
        return note_summary(*note);
    }
    const Summary summary = TRY(check_block(geometry, block, role, self, fault));
    if (note) *note = make_note(role, summary);
    return summary;
}

Result<DirectoryBlock> DirectoryBlock::decode(const Geometry& geometry, ReadonlyBytes block, Ext2Fault* fault,
                                              u64* note) {
    const Summary summary = TRY(checked(geometry, block, Role::Later, 0, fault, note));
    DirectoryBlock out;
    out.m_block = block;
    out.m_filetype = geometry.filetype;
    out.m_records = summary.records;
    out.m_used = summary.used;
    return out;
}

Result<DirectoryBlock> DirectoryBlock::decode_first(const Geometry& geometry, ReadonlyBytes block, u32 self,
                                                    Ext2Fault* fault, u64* note) {
    const Summary summary = TRY(checked(geometry, block, Role::First, self, fault, note));
    DirectoryBlock out;
    out.m_block = block;
    out.m_filetype = geometry.filetype;
    out.m_records = summary.records;
    out.m_used = summary.used;
    out.m_parent = summary.parent;
    return out;
}

// The hot loop of every lookup in a large directory: compare the name's
// length before loading anything else of a record.
Result<DirEntry> DirectoryBlock::find(StringView name, Ext2Fault* fault) const {
    if (fault) *fault = Ext2Fault::None;
    const usize length = name.length();
    for (usize offset = 0; offset < m_block.size(); offset += load_le16(m_block, offset + kRecLen)) {
        if (load_u8(m_block, offset + kNameLen) != length || load_le32(m_block, offset + kInode) == 0) continue;
        if (mem_compare(m_block.data() + offset + kName, name.data(), length) != 0) continue;
        return *DirEntryIterator(m_block, m_filetype, offset);
    }
    return fail(fault, Ext2Fault::EntryNotFound, Error::NotFound);
}

// Before an edit: the block must pass Edit's rules, which a note (from a
// check in either stricter role) already says it does.
static Result<Summary> checked_for_edit(const Geometry& geometry, ReadonlyBytes block, Ext2Fault* fault, u64 note) {
    if (note_role(note) && block.size() == geometry.block_size) {
        if (fault) *fault = Ext2Fault::None;
        return note_summary(note);
    }
    return check_block(geometry, block, Role::Edit, 0, fault);
}

Result<u32> insert_entry(const Geometry& geometry, Bytes block, StringView name, u32 inode, FileType type,
                         Ext2Fault* fault, u64 note) {
    const Summary summary = TRY(checked_for_edit(geometry, block, fault, note));
    if (name.empty() || name.length() > kDirNameMax || name == "." || name == "..")
        return fail(fault, Ext2Fault::BadName, Error::InvalidArgument);
    for (char c : name)
        if (c == 0 || c == '/') return fail(fault, Ext2Fault::BadName, Error::InvalidArgument);
    if (inode == 0 || inode > geometry.inodes_count)
        return fail(fault, Ext2Fault::EntryInodeOutOfRange, Error::InvalidArgument);
    if (geometry.filetype && type == FileType::Unknown)
        return fail(fault, Ext2Fault::BadEntryFileType, Error::InvalidArgument);

    const u32 need = dir_record_length(u32(name.length()));
    if (summary.room < need) return fail(fault, Ext2Fault::NoRoom, Error::Overflow);
    usize offset = 0;
    while (offset < block.size()) {
        const u32 rec_len = load_le16(block, offset + kRecLen);
        const u32 used_inode = load_le32(block, offset + kInode);
        if (used_inode == 0 && rec_len >= need) {
            write_record(block, offset, rec_len, inode, name, type, geometry.filetype);
            return u32(offset);
        }
        if (used_inode != 0) {
            const u32 kept = dir_record_length(load_u8(block, offset + kNameLen));
            if (rec_len - kept >= need) {
                store_le16(block, offset + kRecLen, u16(kept));
                write_record(block, offset + kept, rec_len - kept, inode, name, type, geometry.filetype);
                return u32(offset + kept);
            }
        }
        offset += rec_len;
    }
    return fail(fault, Ext2Fault::NoRoom, Error::Overflow);
}

Result<u32> remove_entry(const Geometry& geometry, Bytes block, StringView name, Ext2Fault* fault, u64 note) {
    TRY(checked_for_edit(geometry, block, fault, note));
    if (name == "." || name == "..") return fail(fault, Ext2Fault::BadName, Error::InvalidArgument);
    usize offset = 0;
    usize previous = 0;
    while (offset < block.size()) {
        const u32 rec_len = load_le16(block, offset + kRecLen);
        const u32 inode = load_le32(block, offset + kInode);
        if (inode != 0 && name_at(block, offset, load_u8(block, offset + kNameLen)) == name) {
            if (offset == 0) {
                store_le32(block, offset + kInode, 0);
            } else {
                const u32 previous_len = load_le16(block, previous + kRecLen);
                store_le16(block, previous + kRecLen, u16(previous_len + rec_len));
            }
            return inode;
        }
        previous = offset;
        offset += rec_len;
    }
    return fail(fault, Ext2Fault::EntryNotFound, Error::NotFound);
}

u64 note_after_edit(const Geometry& geometry, ReadonlyBytes block, u64 note_before) {
    const u32 role = note_role(note_before);
    if (!role || block.size() != geometry.block_size) return 0;
    Summary summary = note_summary(note_before);  // the parent stays
    summary.records = summary.used = summary.room = 0;
    for (usize offset = 0; offset < block.size();) {
        const u32 rec_len = load_le16(block, offset + kRecLen);
        // Valid before the edit and kept valid by it; a record that says
        // otherwise means it was not, and the block is checked again.
        if (rec_len < kDirRecordHeaderSize || rec_len > block.size() - offset) return 0;
        const bool used = load_le32(block, offset + kInode) != 0;
        const u32 free = used ? rec_len - dir_record_length(load_u8(block, offset + kNameLen)) : rec_len;
        if (free > summary.room) summary.room = free;
        ++summary.records;
        summary.used += used;
        offset += rec_len;
    }
    return make_note(Role(role - 1), summary);
}

void init_directory_block(const Geometry& geometry, Bytes block, u32 self, u32 parent) {
    VERIFY(block.size() == geometry.block_size);
    mem_set(block.data(), 0, block.size());
    const u32 dot_len = dir_record_length(1);
    write_record(block, 0, dot_len, self, ".", FileType::Directory, geometry.filetype);
    write_record(block, dot_len, geometry.block_size - dot_len, parent, "..", FileType::Directory, geometry.filetype);
}

void init_empty_directory_block(const Geometry& geometry, Bytes block) {
    VERIFY(block.size() == geometry.block_size);
    mem_set(block.data(), 0, block.size());
    store_le16(block, kRecLen, u16(geometry.block_size));
}

}  // namespace mote::fs::ext2
