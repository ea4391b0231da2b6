// FsNode: one file, directory or device of a filesystem, the interface
// every filesystem implements (the initramfs, the /sys and /dev trees, ext2)
// and the rest of the kernel uses (walk.hpp, the file syscalls).
//
// Asynchronous. A disk filesystem answers after block reads, so every
// operation that may touch the disk returns a Task (core/task.hpp): the
// caller co_awaits it, or a syscall starts it as a root task and parks its
// thread until it ends. Filesystems that answer from memory return ready
// Tasks (`return n;`), which cost no coroutine frame and never suspend.
// may_wait() says which kind a node is, for the few callers that cannot
// wait at all (the crash-report symbolizer, submission-ring entries).
//
// References. A node handed out by lookup/create comes as a NodeRef, which
// holds a reference: a disk filesystem keeps a node (its decoded inode) in
// memory while anything refers to it and may drop it afterwards. Memory
// filesystems, whose nodes live as long as they do, ignore the counts.
//
// Bytes move through an IoBuffer (fs/io_buffer.hpp): kernel memory, or a
// parked program's memory reached through the syscall layer.
#pragma once

#include "abi/syscalls.hpp"
#include "base/result.hpp"
#include "base/span.hpp"
#include "core/task.hpp"
#include "fs/io_buffer.hpp"

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

class NodeRef;

class FsNode {
public:
    virtual Stat stat() const = 0;
    NodeType type() const { return stat().type; }
    bool is_directory() const { return type() == NodeType::Directory; }

    // Whether an operation on this node may suspend (it lives on a disk).
    virtual bool may_wait() const { return false; }

    // References (see the header comment); no-ops for memory filesystems.
    virtual void retain() {}
    virtual void release() {}

    // The child called `name` (one component: no '/', not "." or ".."; walk
    // handles those). NotFound if there is none; BadState if this node is
    // not a directory.
    virtual Task<NodeRef> lookup(StringView name) = 0;

    // Copies file bytes [offset, offset + buffer.size()) into `buffer` and
    // returns how many: fewer at the end of the file, 0 at or past it.
    // BadState for a directory (read_dir lists those).
    virtual Task<usize> read(u64 offset, IoBuffer buffer) = 0;

    // The entry at position `index` (0, 1, ...) of a directory: true and
    // `out` filled, or false past the last entry. Positions are stable while
    // the directory is unchanged; each filesystem documents its order.
    // "." and ".." are not listed. BadState if this node is not a directory.
    virtual Task<bool> read_dir(u64 index, DirEntry& out) = 0;

    // Writes `data` at `offset`, returning how many bytes were written.
    // ReadOnly on a read-only filesystem, whatever the node; BadState on a
    // directory of a writable one.
    virtual Task<usize> write(u64 offset, IoBuffer data) = 0;

    // A device node's own kernel object, which open() hands out instead of
    // a plain file view: devices answer asynchronously (a block device's
    // read parks the caller until the disk completes). nullptr for
    // ordinary nodes.
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

// A counted reference to a node (FsNode::retain/release).
class NodeRef {
public:
    NodeRef() = default;
    // Takes a new reference.
    explicit NodeRef(FsNode& node) : m_node(&node) { node.retain(); }
    NodeRef(NodeRef&& other) : m_node(other.m_node) { other.m_node = nullptr; }
    NodeRef& operator=(NodeRef&& other) {
        if (this != &other) {
            reset();
            m_node = other.m_node;
            other.m_node = nullptr;
        }
        return *this;
    }
    NodeRef(const NodeRef& other) : m_node(other.m_node) {
        if (m_node) m_node->retain();
    }
    NodeRef& operator=(const NodeRef&) = delete;
    ~NodeRef() { reset(); }

    void reset() {
        if (m_node) m_node->release();
        m_node = nullptr;
    }
    explicit operator bool() const { return m_node != nullptr; }
    FsNode* get() const { return m_node; }
    FsNode& operator*() const { return *m_node; }
    FsNode* operator->() const { return m_node; }

private:
    FsNode* m_node = nullptr;
};

}  // namespace mote::fs
