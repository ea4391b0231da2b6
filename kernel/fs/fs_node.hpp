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
// memory while anything refers to it and may drop it afterwards. The
// initramfs and the kernel's trees, whose nodes live as long as they do,
// ignore the counts; a RamFs frees an unlinked node with its last one.
//
// Bytes move through an IoBuffer (fs/io_buffer.hpp): kernel memory, or a
// parked program's memory reached through the syscall layer.
#pragma once

#include "abi/syscalls.hpp"
#include "base/result.hpp"
#include "base/span.hpp"
#include "core/task.hpp"
#include "fs/io_buffer.hpp"
#include "proc/program_file.hpp"

namespace mote {
class KernelObject;
}

namespace mote::fs {

using NodeType = abi::NodeType;

// What stat() reports; abi::Stat is its user-visible copy (to_abi).
struct Stat {
    u64 size = 0;  // bytes of a file or a symlink's target; filesystem-defined for others (0 in the initramfs)
    NodeType type = NodeType::File;
    u32 mode = 0;   // permission bits as stored (cpio, ext2), 07777 at most
    u64 inode = 0;  // unique within its filesystem, never 0
    u32 links = 1;  // names that refer to the node
    u64 blocks = 0;  // 512-byte units allocated on a disk
    i64 atime_ns = 0;  // nanoseconds since 1970; 0 where the filesystem keeps no times
    i64 mtime_ns = 0;
    i64 ctime_ns = 0;

    abi::Stat to_abi() const {
        return abi::Stat {size, u32(type), mode, inode, 0, links, blocks, atime_ns, mtime_ns, ctime_ns};
    }
};

// What a new node is (FsNode::create).
struct CreateSpec {
    NodeType type = NodeType::File;  // File, Directory or Symlink
    u32 mode = abi::kDefaultFileMode;  // permission bits (07777 at most)
    StringView target;                 // Symlink: what it points to (1..4095 bytes)
};

class Filesystem;

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

class FsNode : public ProgramFile {
public:
    virtual Stat stat() const = 0;
    NodeType type() const { return stat().type; }
    bool is_directory() const { return type() == NodeType::Directory; }

    // Whether an operation on this node may suspend (it lives on a disk).
    virtual bool may_wait() const { return false; }
    // The node that holds this directory's entries: itself, except for a
    // directory of mount points (MountRoot), whose base does. A filesystem
    // given another node to link into or rename to asks this first, so it
    // never mistakes a MountRoot for one of its own nodes.
    virtual FsNode& underlying() { return *this; }
    // Whether looking up `name` here may suspend: may_wait(), except in a
    // directory of mount points, where a mount's name answers at once.
    virtual bool lookup_may_wait(StringView name) const {
        (void)name;
        return may_wait();
    }

    // References (see the header comment); no-ops for memory filesystems.
    void retain() override {}
    void release() override {}

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

    // ---- Changing a filesystem. Every one returns ReadOnly on a read-only
    // filesystem and Unsupported where the filesystem cannot (the default);
    // the directory operations return BadState on a node that is not a
    // directory. Names are single components, as for lookup(); the caller
    // (the syscall layer) has checked them.

    // A new file, directory or symlink called `name` in this directory,
    // referenced. Exists if the name is taken; NoSpace when out of blocks
    // or inodes.
    virtual Task<NodeRef> create(StringView name, CreateSpec spec);

    // A new name for `node` (a hard link): not a directory (BadState),
    // CrossDevice if it lives in another filesystem, Exists if taken.
    virtual Task<void> link(StringView, FsNode&) { return Error::Unsupported; }

    // Removes the name. `directory`: only an empty directory (rmdir:
    // NotEmpty, BadState if it is not a directory); otherwise only a
    // non-directory (BadState on a directory). The node goes when its last
    // name and last reference are gone.
    virtual Task<void> unlink(StringView, bool) { return Error::Unsupported; }

    // Moves `name` to `new_name` in `new_directory`, atomically: a crash
    // leaves either the old or the new name, and an existing `new_name` is
    // replaced (a file by a file, an empty directory by a directory; else
    // BadState or NotEmpty). Moving a directory below itself is BadState;
    // another filesystem's directory is CrossDevice.
    virtual Task<void> rename(StringView, FsNode&, StringView) { return Error::Unsupported; }

    // Cuts or extends (with zeros) a file to `size` bytes.
    virtual Task<void> truncate(u64) { return Error::Unsupported; }

    // Sets the access and modification times (nanoseconds since 1970,
    // abi::kTimeOmit to keep one); the change time becomes now.
    virtual Task<void> set_times(i64, i64) { return Error::Unsupported; }

    // fsync: when it completes, the node's data and metadata (and what a
    // later mount needs to reach it) are on stable storage. Memory
    // filesystems complete at once.
    virtual Task<void> sync() { return Result<void> {}; }

    // The filesystem the node belongs to, for statfs(), sync of a whole
    // filesystem and the CrossDevice checks; nullptr for the kernel's own
    // trees (/sys, /dev), which have none.
    virtual Filesystem* filesystem() { return nullptr; }

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

    // How often poll() looks again at a node with a change_token (100 ms).
    static constexpr u64 kChangeRecheckPeriod = 100'000'000;

    // For nodes whose text changes with no write (sys/ files): a token of
    // the content, equal for equal text, so poll() can tell a reader that
    // the file changed since it last read it. `last_read`: the token of
    // the text the last read from offset 0 returned; otherwise of the text
    // as it would read now. Unsupported for other nodes (always readable).
    virtual Result<u64> change_token(bool last_read) {
        (void)last_read;
        return Error::Unsupported;
    }

protected:
    FsNode() = default;
    // Not virtual: nodes are destroyed by their filesystem, never through
    // an FsNode pointer.
    ~FsNode() = default;
    FsNode(const FsNode&) = delete;
    FsNode& operator=(const FsNode&) = delete;
};

// One mounted filesystem (ext2, a ramfs, the initramfs): what statfs()
// reports and sync of the whole of it. Lives as long as it is mounted.
class Filesystem {
public:
    virtual abi::FsStat stats() = 0;
    // Every change made so far is on stable storage when it completes.
    virtual Task<void> sync() { return Result<void> {}; }

protected:
    Filesystem() = default;
    ~Filesystem() = default;
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

// Defined here, where NodeRef is complete; inline, so FsNode has no key
// function and every user gets its vtable.
inline Task<NodeRef> FsNode::create(StringView, CreateSpec) { return Error::Unsupported; }

}  // namespace mote::fs
