// The initramfs: a read-only tree of FsNodes over a decoded newc cpio
// archive (cpio.hpp), the first filesystem user programs see.
//
//     CpioArchive archive = TRY(CpioArchive::decode(image));
//     usize count = Initramfs::slots_needed(archive);
//     void* memory = ... count * sizeof(InitramfsSlot) bytes, e.g. pages ...
//     Initramfs fs = TRY(Initramfs::build(archive, Span(static_cast<InitramfsSlot*>(memory), count)));
//     FsNode* sh = TRY(walk(fs.root(), "bin/sh"));
//
// No hidden allocation: the caller provides the node storage, exactly
// slots_needed() slots, and keeps both it and the archive's bytes alive and
// unchanged for as long as any node is in use (file data is not copied:
// nodes point into the archive). Nodes need no destruction; dropping the
// storage drops the tree.
//
// The tree: the root is a directory with no name. Every archive entry is a
// node; directories implied by deeper paths ("bin/ls" with no "bin" entry)
// are created with mode 0755, as is the root. A directory entry that comes
// after its implied creation gives it its mode. Inode numbers are the
// slot index plus one (the root is 1): unique and, for a given archive,
// stable; the archive's own ino fields are not used, since they need not be
// unique and implied directories have none. read_dir order is sorted by
// name (initramfs_node.hpp).
#pragma once

#include "fs/cpio.hpp"
#include "fs/initramfs_node.hpp"

namespace mote::fs {

// Raw storage for one node, for callers that allocate pages for them.
struct InitramfsSlot {
    alignas(InitramfsNode) u8 bytes[sizeof(InitramfsNode)];
};

// Also the Filesystem statfs() reports for its nodes ("initramfs",
// read-only, its file bytes in 512-byte blocks), once adopt_nodes() has
// told them where it lives.
class Initramfs final : public Filesystem {
public:
    // Permission bits given to the root and to implied directories.
    static constexpr u32 kImpliedDirectoryMode = 0755;

    // Node slots build() fills for `archive`: one per distinct path plus the root.
    static usize slots_needed(const CpioArchive& archive) { return archive.path_count() + 1; }

    // Builds the tree into `slots`. NoMemory, before writing anything, if
    // there are fewer than slots_needed(archive); extra slots stay unused.
    // Cannot fail otherwise: decode() already proved the paths form a tree.
    static Result<Initramfs> build(const CpioArchive& archive, Span<InitramfsSlot> slots);

    InitramfsNode& root() const { return *m_root; }
    usize node_count() const { return m_node_count; }

    // Makes every node's filesystem() this object: call once it sits where
    // it will stay (build() returns it by value).
    void adopt_nodes();
    // Filesystem
    abi::FsStat stats() override;

private:
    Initramfs(InitramfsNode* root, usize count) : m_root(root), m_node_count(count) {}

    InitramfsNode* m_root;
    usize m_node_count;
    u64 m_file_bytes = 0;
};

}  // namespace mote::fs
