// InitramfsNode: a file or directory of the initramfs (initramfs.hpp).
//
// A file's bytes are the archive's own: the node points into it, nothing is
// copied. A directory's children form a singly linked list sorted by name
// (bytewise), so read_dir lists them in that order whatever order the
// archive had, and lookup stops early. Both are O(children): initramfs
// directories hold a handful of entries. The filesystem is read-only:
// write() is always ReadOnly.
#pragma once

#include "fs/fs_node.hpp"

namespace mote::fs {

class InitramfsNode final : public FsNode {
public:
    Stat stat() const override;
    Task<NodeRef> lookup(StringView name) override;
    Task<usize> read(u64 offset, IoBuffer buffer) override;
    Task<bool> read_dir(u64 index, DirEntry& out) override;
    Task<usize> write(u64, IoBuffer) override { return Error::ReadOnly; }
    // Read-only: nothing changes.
    Task<NodeRef> create(StringView, CreateSpec) override { return Error::ReadOnly; }
    Task<void> link(StringView, FsNode&) override { return Error::ReadOnly; }
    Task<void> unlink(StringView, bool) override { return Error::ReadOnly; }
    Task<void> rename(StringView, FsNode&, StringView) override { return Error::ReadOnly; }
    Task<void> truncate(u64) override { return Error::ReadOnly; }
    Task<void> set_times(i64, i64) override { return Error::ReadOnly; }
    Filesystem* filesystem() override { return m_filesystem; }
    InitramfsNode* parent() const { return m_parent; }
    Result<ReadonlyBytes> resident_contents() override {
        if (m_type != NodeType::File) return Error::BadState;
        return m_data;
    }

    // The last component of its path; empty for the root.
    StringView name() const { return m_name; }
    // The file's bytes, inside the archive (empty for a directory).
    ReadonlyBytes data() const { return m_data; }
    // Whether the archive had an entry for it (false: a directory implied
    // by a deeper path such as "bin/ls", or the root).
    bool has_entry() const { return m_has_entry; }

private:
    friend class Initramfs;
    InitramfsNode(StringView name, NodeType type, u32 mode, ReadonlyBytes data, InitramfsNode* parent, u64 inode)
        : m_name(name), m_data(data), m_parent(parent), m_inode(inode), m_mode(mode), m_type(type) {}

    InitramfsNode* find_child(StringView name) const;
    void insert_child(InitramfsNode* child);

    StringView m_name;
    ReadonlyBytes m_data;
    InitramfsNode* m_parent;
    InitramfsNode* m_first_child = nullptr;
    InitramfsNode* m_next_sibling = nullptr;
    Filesystem* m_filesystem = nullptr;  // Initramfs::adopt_nodes
    u64 m_inode;
    u32 m_mode;
    NodeType m_type;
    bool m_has_entry = false;
};

}  // namespace mote::fs
