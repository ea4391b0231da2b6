#include "fs/fs_node.hpp"

#include "base/memory.hpp"

namespace mote::fs {

void DirEntry::set_name(StringView name) {
    VERIFY(name.length() <= abi::kNameMax);
    mem_copy(name_bytes, name.data(), name.length());
    name_bytes[name.length()] = '\0';
    name_length = u32(name.length());
}

}  // namespace mote::fs
