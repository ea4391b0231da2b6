#include "fs/ext2/file_type.hpp"

namespace mote::fs::ext2 {

const char* file_type_name(FileType type) {
    switch (type) {
    case FileType::Unknown: return "unknown";
    case FileType::Regular: return "regular";
    case FileType::Directory: return "directory";
    case FileType::CharDevice: return "char-device";
    case FileType::BlockDevice: return "block-device";
    case FileType::Fifo: return "fifo";
    case FileType::Socket: return "socket";
    case FileType::Symlink: return "symlink";
    }
    return "unknown";
}

}  // namespace mote::fs::ext2
