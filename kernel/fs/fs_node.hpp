// FsNode: one file, directory or device of a filesystem, the interface
// every filesystem implements (the initramfs now; ext2 and the /sys tree of
// kernel information later) and the rest of the kernel uses (walk.hpp, the
// open/read/readdir system calls).
//
// Ownership: a node belongs to its filesystem and lives as long as it does;
// callers hold plain pointers. (A filesystem that caches nodes from a disk
// will add a reference count here when it arrives.)
//
// Synchronous for now. The initramfs and /sys answer from memory, so every
// call completes before it returns. A disk filesystem cannot: its reads
// become split-phase requests (core/request.hpp), submitted here and
// completed by the loop. When that arrives, lookup/read/read_dir/write may
// also return Error::WouldBlock, meaning "not in memory; use the request
// form", and the request form will be added beside these calls; memory
// filesystems keep answering at once. Callers should therefore treat
// WouldBlock as a possible result and never as data.
#pragma once

#include "abi/syscalls.hpp"
#include "base/result.hpp"
#include "base/span.hpp"

namespace mote {
class KernelObject;
}

namespace mote::fs {

using NodeType = abi::NodeType;

// What stat() reports; abi::Stat is its user-visible copy (to_abi).
struct Stat {
    u64 size = 0;  // bytes of a file; filesystem-defined for others (0 in the initramfs)
    NodeType type = NodeType::File;
    u32 mode = 0;   // permission bits as stored (cpio, ext2), 07777 at most
    u64 inode = 0;  // unique within its filesystem, never 0

    abi::Stat to_abi() const { return abi::Stat {size, u32(type), mode, inode, 0, 0}; }
};

// One directory entry, the name copied out, so it stays valid whatever
// the filesystem does with the block it came from.
struct DirEntry {
    u64 inode = 0;
    NodeType type = NodeType::File;
    u32 name_length = 0;
    char name_bytes[abi::kNameMax + 1] = {};  // NUL-terminated too

    StringView name() const { return StringView(name_bytes, name_length); }
    // Copies `name` (VERIFY: at most abi::kNameMax bytes) and terminates it.
    void set_name(StringView name);
};

class FsNode {
public:
    virtual Stat stat() const = 0;
    NodeType type() const { return stat().type; }
    bool is_directory() const { return type() == NodeType::Directory; }

    // The child called `name` (one component: no '/', not "." or ".."; walk
    // handles those). NotFound if there is none; BadState if this node is
    // not a directory.
    virtual Result<FsNode*> lookup(StringView name) = 0;

    // The directory this node was found in; nullptr for the filesystem's
    // root. walk() uses it for "..", after checking that ".." stays inside
    // the directory the walk started from.
    virtual FsNode* parent() = 0;

    // Copies file bytes [offset, offset + buffer.size()) into `buffer` and
    // returns how many: fewer at the end of the file, 0 at or past it.
    // BadState for a directory (read_dir lists those).
    virtual Result<usize> read(u64 offset, Span<u8> buffer) = 0;

    // The entry at position `index` (0, 1, ...) of a directory: true and
    // `out` filled, or false past the last entry. Positions are stable while
    // the directory is unchanged; each filesystem documents its order.
    // "." and ".." are not listed. BadState if this node is not a directory.
    virtual Result<bool> read_dir(u64 index, DirEntry& out) = 0;

    // Writes `data` at `offset`, returning how many bytes were written.
    // ReadOnly on a read-only filesystem, whatever the node; BadState on a
    // directory of a writable one.
    virtual Result<usize> write(u64 offset, Span<const u8> data) = 0;

    // A device node's own kernel object, which open() hands out instead of
    // a plain file view: devices answer asynchronously (a block device's
    // read parks the caller until the disk completes), which the
    // synchronous calls above cannot. nullptr for ordinary nodes.
    virtual KernelObject* device_object() { return nullptr; }

    // Whether opening the node with `flags` (abi::OpenFlags) is a
    // privileged operation: then the directory handle it is opened through
    // must hold abi::kRightPrivileged (the power switch, the kernel log, the
    // audit ring, raw disks). Nothing is privileged by default.
    virtual bool privileged(u64 flags) const {
        (void)flags;
        return false;
    }

    // The whole file, if it already sits in kernel memory for as long as the
    // node lives (the initramfs keeps files inside the archive): the loader
    // then decodes it in place instead of copying it. Unsupported otherwise;
    // read() always works.
    virtual Result<ReadonlyBytes> resident_contents() { return Error::Unsupported; }

protected:
    FsNode() = default;
    // Not virtual: nodes are destroyed by their filesystem, never through
    // an FsNode pointer.
    ~FsNode() = default;
    FsNode(const FsNode&) = delete;
    FsNode& operator=(const FsNode&) = delete;
};

}  // namespace mote::fs
