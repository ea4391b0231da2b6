#include "directory_repair.hpp"

#include "base/memory.hpp"
#include "fs/ext2/directory_block.hpp"
#include "fs/ext2/le_bytes.hpp"

namespace mote::fsck {

using namespace mote::fs::ext2;

namespace {

// struct ext2_dir_entry_2: the record layout the repair works on below the
// decoder.
enum : u32 {
    kInode = 0,
    kRecLen = 4,
    kNameLen = 6,
    kFileType = 7,
    kName = 8,
};

void write_record(const Geometry& g, Bytes block, u32 offset, u32 rec_len, u32 inode, StringView name) {
    store_le32(block, offset + kInode, inode);
    store_le16(block, offset + kRecLen, u16(rec_len));
    store_u8(block, offset + kNameLen, u8(name.length()));
    store_u8(block, offset + kFileType, g.filetype && inode ? u8(FileType::Directory) : 0);
    for (usize i = 0; i < name.length(); ++i) store_u8(block, offset + kName + u32(i), u8(name[i]));
}

bool is_name(ReadonlyBytes block, u32 offset, StringView name) {
    if (load_le32(block, offset + kInode) == 0 || load_u8(block, offset + kNameLen) != name.length()) return false;
    for (usize i = 0; i < name.length(); ++i)
        if (load_u8(block, offset + kName + u32(i)) != u8(name[i])) return false;
    return true;
}

// Pass over the chain: cut it where a length is impossible, blank what
// cannot be an entry.
void salvage_records(const Geometry& g, Bytes block, bool first) {
    const u32 size = u32(block.size());
    u32 offset = 0;
    u32 previous = size;  // none
    u32 index = 0;
    while (offset < size) {
        const u32 remaining = size - offset;
        const u32 rec_len = remaining >= kDirRecordHeaderSize ? load_le16(block, offset + kRecLen) : 0;
        if (rec_len < kDirRecordHeaderSize || rec_len % 4 != 0 || rec_len > remaining) {
            if (previous != size) {
                store_le16(block, previous + kRecLen, u16(load_le16(block, previous + kRecLen) + remaining));
            } else {
                store_le32(block, offset + kInode, 0);
                store_le16(block, offset + kRecLen, u16(remaining));
                store_u8(block, offset + kNameLen, 0);
                store_u8(block, offset + kFileType, 0);
            }
            return;
        }
        u32 inode = load_le32(block, offset + kInode);
        const u32 name_len = load_u8(block, offset + kNameLen);
        bool blank = inode > g.inodes_count || (inode != 0 && name_len == 0);
        if (dir_record_length(name_len) > rec_len) {
            // A name longer than its record: an empty record of that length.
            blank = true;
            store_u8(block, offset + kNameLen, 0);
        }
        if (!blank && inode != 0) {
            for (u32 i = 0; i < name_len; ++i) {
                const u8 c = load_u8(block, offset + kName + i);
                if (c == 0 || c == '/') blank = true;
            }
            const bool dot = is_name(block, offset, ".");
            const bool dotdot = is_name(block, offset, "..");
            if ((dot && !(first && index == 0)) || (dotdot && !(first && index == 1))) blank = true;
            const u8 type = load_u8(block, offset + kFileType);
            if (!blank && g.filetype && (dot || dotdot) && type != u8(FileType::Directory))
                store_u8(block, offset + kFileType, u8(FileType::Directory));
            else if (!blank && g.filetype && (type == 0 || type > u8(FileType::Symlink)))
                // A placeholder; pass 2 sets the inode's real type.
                store_u8(block, offset + kFileType, u8(FileType::Regular));
        }
        if (blank) store_le32(block, offset + kInode, 0);
        previous = offset;
        offset += rec_len;
        ++index;
    }
}

// "." (record 0, naming self) and ".." (record 1) of a first block, made
// from the records there where there is room. False if there is none.
bool restore_dots(const Geometry& g, Bytes block, u32 self, u32 parent) {
    const u32 size = u32(block.size());
    const u32 dot_len = dir_record_length(1);
    const u32 dotdot_len = dir_record_length(2);
    u32 rec0 = load_le16(block, kRecLen);
    if (!is_name(block, 0, ".")) {
        // Only an empty record can become ".": a used one holds an entry.
        if (load_le32(block, kInode) != 0 || rec0 < dot_len) return false;
        write_record(g, block, 0, rec0, self, ".");
    } else if (load_le32(block, kInode) != self) {
        store_le32(block, kInode, self);
    }
    // ".." next: in the slack of ".", or in an empty second record.
    if (rec0 < size && is_name(block, rec0, "..")) return true;
    if (rec0 >= dot_len + dotdot_len) {
        store_le16(block, kRecLen, u16(dot_len));
        write_record(g, block, dot_len, rec0 - dot_len, parent, "..");
        return true;
    }
    if (rec0 < size && load_le32(block, rec0 + kInode) == 0 && load_le16(block, rec0 + kRecLen) >= dotdot_len) {
        write_record(g, block, rec0, load_le16(block, rec0 + kRecLen), parent, "..");
        return true;
    }
    return false;
}

}  // namespace

Repair repair_directory_block(const Geometry& geometry, Bytes block, bool first, u32 self, u32 parent) {
    salvage_records(geometry, block, first);
    if (first && !restore_dots(geometry, block, self, parent)) {
        init_directory_block(geometry, block, self, parent);
        return Repair::Rebuilt;
    }
    const bool ok = first ? DirectoryBlock::decode_first(geometry, block, self).ok()
                          : DirectoryBlock::decode(geometry, block).ok();
    if (ok) return Repair::Salvaged;
    // Whatever the salvage missed, a fresh block decodes.
    if (first) init_directory_block(geometry, block, self, parent);
    else init_empty_directory_block(geometry, block);
    return Repair::Rebuilt;
}

void set_entry_inode(Bytes block, u32 record_offset, u32 inode) { store_le32(block, record_offset + kInode, inode); }

void set_entry_type(Bytes block, u32 record_offset, FileType type) {
    store_u8(block, record_offset + kFileType, u8(type));
}

}  // namespace mote::fsck
