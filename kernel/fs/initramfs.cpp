#include "fs/initramfs.hpp"

#include "base/memory.hpp"

namespace mote::fs {

Result<Initramfs> Initramfs::build(const CpioArchive& archive, Span<InitramfsSlot> slots) {
    const usize needed = slots_needed(archive);
    if (slots.size() < needed) return Error::NoMemory;

    usize used = 0;
    auto make = [&](StringView name, NodeType type, u32 mode, ReadonlyBytes data, InitramfsNode* parent) {
        VERIFY(used < needed);  // path_count() counted every distinct path
        auto* node = new (slots[used].bytes) InitramfsNode(name, type, mode, data, parent, u64(used) + 1);
        ++used;
        if (parent) parent->insert_child(node);
        return node;
    };

    InitramfsNode* root = make("", NodeType::Directory, kImpliedDirectoryMode, {}, nullptr);
    for (const CpioEntry& entry : archive) {
        // Down the path, creating the directories it implies; decode()
        // proved that none of them is a file and the entry is not a duplicate.
        InitramfsNode* dir = root;
        StringView rest = entry.path;
        while (true) {
            usize slash = 0;
            while (slash < rest.length() && rest[slash] != '/') ++slash;
            StringView name = rest.substr(0, slash);
            InitramfsNode* node = dir->find_child(name);
            if (slash == rest.length()) {
                if (node) {
                    // A directory created as implied, now met as an entry.
                    VERIFY(!node->m_has_entry && node->m_type == NodeType::Directory && entry.is_directory());
                    node->m_mode = entry.permissions();
                } else {
                    NodeType type = entry.is_directory() ? NodeType::Directory : NodeType::File;
                    node = make(name, type, entry.permissions(), entry.data, dir);
                }
                node->m_has_entry = true;
                break;
            }
            if (!node) node = make(name, NodeType::Directory, kImpliedDirectoryMode, {}, dir);
            VERIFY(node->m_type == NodeType::Directory);
            dir = node;
            rest = rest.substr(slash + 1);
        }
    }
    VERIFY(used == needed);
    return Initramfs(root, used);
}

void Initramfs::adopt_nodes() {
    // Depth first through the child and sibling links, without recursion.
    m_file_bytes = 0;
    InitramfsNode* node = m_root;
    while (node) {
        node->m_filesystem = this;
        m_file_bytes += node->m_data.size();
        if (node->m_first_child) {
            node = node->m_first_child;
            continue;
        }
        while (node && !node->m_next_sibling) node = node->m_parent;
        if (node) node = node->m_next_sibling;
    }
}

abi::FsStat Initramfs::stats() {
    abi::FsStat stat {};
    stat.block_size = 512;
    stat.blocks = (m_file_bytes + 511) / 512;
    stat.files = m_node_count;
    stat.flags = abi::kFsReadOnly;
    stat.name_max = abi::kNameMax;
    mem_copy(stat.type, "initramfs", 10);
    return stat;
}

}  // namespace mote::fs
