// The seven kinds of ext2 file, as both the inode's mode and a directory
// record's file_type byte name them.
//
// The enum's values are the directory record codes (EXT2_FT_*), so a
// record's byte converts directly; the mode's type bits (S_IFMT, the values
// every Unix uses) convert through file_type_of_mode()/mode_bits_of().
#pragma once

#include "base/types.hpp"

namespace mote::fs::ext2 {

enum class FileType : u8 {
    Unknown = 0,  // no type: a record without the filetype feature, or mode 0
    Regular = 1,
    Directory = 2,
    CharDevice = 3,
    BlockDevice = 4,
    Fifo = 5,
    Socket = 6,
    Symlink = 7,
};

inline constexpr u16 kModeTypeMask = 0170000;

// The type named by a mode's S_IFMT bits; Unknown for a combination that
// names no file type.
constexpr FileType file_type_of_mode(u16 mode) {
    switch (mode & kModeTypeMask) {
    case 0100000: return FileType::Regular;
    case 0040000: return FileType::Directory;
    case 0020000: return FileType::CharDevice;
    case 0060000: return FileType::BlockDevice;
    case 0010000: return FileType::Fifo;
    case 0140000: return FileType::Socket;
    case 0120000: return FileType::Symlink;
    default: return FileType::Unknown;
    }
}

// The S_IFMT bits of a type (0 for Unknown).
constexpr u16 mode_bits_of(FileType type) {
    switch (type) {
    case FileType::Regular: return 0100000;
    case FileType::Directory: return 0040000;
    case FileType::CharDevice: return 0020000;
    case FileType::BlockDevice: return 0060000;
    case FileType::Fifo: return 0010000;
    case FileType::Socket: return 0140000;
    case FileType::Symlink: return 0120000;
    case FileType::Unknown: break;
    }
    return 0;
}

// "regular", "directory", ... for logs and tests.
const char* file_type_name(FileType type);

}  // namespace mote::fs::ext2
