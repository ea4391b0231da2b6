// RamFs: a writable filesystem kept in kernel memory, the tmp/ every
// program finds under its root.
//
//     RamFs tmp(pages, {.bytes = 16 << 20, .nodes = 4096}, clock);
//     NodeRef file = TRY(tmp.root().create("notes", {.type = NodeType::File}).finish_now());
//
// Everything FsNode can change: files, directories, symlinks (read() on
// one gives its target), hard links (several entries naming one node),
// rename (atomic, replacing an existing target), truncate, times. Every
// operation answers from memory: the Tasks are ready ones, may_wait() is
// false, and callers may use finish_now().
//
// Memory. Every byte comes from the kernel's allocators through the
// PageAllocator the RamFs is given, and from nowhere else: node and
// directory-entry records from two slab caches of its own (fixed-size
// objects, O(1), the way the kernel allocates its other objects), file
// data and symlink targets in whole pages found through a PageMap per node
// (fs/page_map.hpp), so a file grows a page at a time without copying and
// holes cost nothing. Not an arena reserved at mount: that would pin the
// whole budget while /tmp is empty, and pages freed by rm would not go back
// to the kernel.
//
// Bounds. A byte budget and a node limit (Limits). Every page (data or
// index) and every record counts against the budget at its real size; an
// operation that would exceed either fails with NoSpace before it changes
// anything, except a write that runs out part way, which keeps and returns
// what it stored (as POSIX). stats() reports both.
//
// Names and order. A directory's entries are kept sorted by name
// (bytewise), which is read_dir's order; rename never allocates (it moves
// the entry record and rewrites its name), so it cannot fail half done.
// Link counts are POSIX's: a file's is its names, a directory's is 2 plus
// its subdirectories.
//
// Lifetime. Nodes are counted (FsNode::retain/release): an unlinked file
// stays readable and writable through the handles that hold it and goes,
// with its pages, when the last one is released. A removed directory
// accepts no new entries (NotFound). Destroying the RamFs frees the whole
// tree; no node may be referenced then (VERIFY).
//
// Times come from the FsClock (fs/fs_clock.hpp; 0 without one): creation
// sets all three; a write or truncate sets mtime and ctime; a name change
// sets the directory's mtime and ctime and the node's ctime; set_times
// sets what it is given and ctime. Reads leave atime alone (as `noatime`):
// a read stays a read, with no metadata write behind it.
#pragma once

#include "base/list.hpp"
#include "fs/fs_clock.hpp"
#include "fs/fs_node.hpp"
#include "fs/page_map.hpp"
#include "mm/slab_cache.hpp"

namespace mote::fs {

class RamFs;
class RamNode;

// One name in a directory.
struct RamEntry {
    ListNode sibling;  // on the directory's entry list, sorted by name
    RamNode* node = nullptr;
    u32 name_length = 0;
    char name_bytes[abi::kNameMax];

    StringView name() const { return StringView(name_bytes, name_length); }
};

class RamNode final : public FsNode {
public:
    // FsNode
    Stat stat() const override;
    void retain() override { ++m_refs; }
    void release() override;
    Task<NodeRef> lookup(StringView name) override;
    Task<usize> read(u64 offset, IoBuffer buffer) override;
    Task<bool> read_dir(u64 index, DirEntry& out) override;
    Task<usize> write(u64 offset, IoBuffer data) override;
    Task<NodeRef> create(StringView name, CreateSpec spec) override;
    Task<void> link(StringView name, FsNode& node) override;
    Task<void> unlink(StringView name, bool directory) override;
    Task<void> rename(StringView name, FsNode& new_directory, StringView new_name) override;
    Task<void> truncate(u64 size) override;
    Task<void> set_times(i64 atime_ns, i64 mtime_ns) override;
    Filesystem* filesystem() override;

    // The largest file: what the page map can hold.
    static constexpr u64 kMaxFileBytes = PageMap::kMaxPages * kPageSize;
    // The longest symlink target.
    static constexpr usize kMaxTarget = 4095;

private:
    friend class RamFs;
    RamNode(RamFs& fs, NodeType type, u32 mode, u64 inode, i64 now);
    ~RamNode() = default;

    bool is_dir() const { return m_type == NodeType::Directory; }
    RamEntry* find(StringView name);
    void insert(RamEntry& entry);
    void touch_contents(i64 now);
    Result<NodeRef> do_create(StringView name, const CreateSpec& spec);
    Result<void> do_link(StringView name, FsNode& node);
    Result<void> do_unlink(StringView name, bool directory);
    Result<void> do_rename(StringView name, FsNode& new_directory, StringView new_name);
    Result<usize> do_write(u64 offset, IoBuffer data);
    // Stores bytes whatever the type (a write's, a symlink's target).
    Result<usize> store(u64 offset, IoBuffer data);
    Result<usize> do_read(u64 offset, IoBuffer buffer);
    Result<void> do_truncate(u64 size);
    // Drops the name `entry` gives its node (the entry is off its list
    // already) and frees the entry.
    void drop_entry(RamEntry& entry);

    RamFs& m_fs;
    NodeType m_type;
    u32 m_mode;
    u64 m_inode;
    u32 m_names = 0;  // entries naming it (a directory: 1 while linked, and the root)
    u32 m_refs = 0;
    u64 m_size = 0;   // file and symlink bytes
    i64 m_atime;
    i64 m_mtime;
    i64 m_ctime;
    // A directory's: its entries, where it is linked, how many of its
    // entries are directories (for the link count).
    IntrusiveList<RamEntry, &RamEntry::sibling> m_entries;
    RamNode* m_parent = nullptr;
    u32 m_subdirs = 0;
    // A file's or symlink's bytes.
    PageMap m_pages;
};

class RamFs final : public Filesystem, private PageSource {
public:
    struct Limits {
        u64 bytes = 0;  // pages and records, at their real size
        u64 nodes = 0;  // files, directories and symlinks, the root included
    };

    RamFs(PageAllocator& pages, Limits limits, FsClock clock = {});
    ~RamFs();
    RamFs(const RamFs&) = delete;
    RamFs& operator=(const RamFs&) = delete;

    FsNode& root() { return m_root; }

    // Filesystem: block_size is the page size; "ramfs".
    abi::FsStat stats() override;

    u64 bytes_used() const { return m_bytes; }
    u64 nodes_used() const { return m_node_count; }
    const Limits& limits() const { return m_limits; }

private:
    friend class RamNode;

    // PageSource: pages for the nodes' PageMaps, charged to the budget.
    Result<PhysAddr> take_page() override;
    void give_page(PhysAddr page) override;
    u8* page_bytes(PhysAddr page) override { return static_cast<u8*>(m_pages.to_virtual(page)); }

    // The budget: NoSpace unless `bytes` more (and `nodes` more) fit.
    Result<void> charge(u64 bytes, u64 nodes);
    void refund(u64 bytes, u64 nodes);

    Result<RamNode*> new_node(NodeType type, u32 mode);
    Result<RamEntry*> new_entry(StringView name, RamNode& node);
    void free_entry(RamEntry& entry);
    // Frees `node` if nothing names or references it any more.
    void collect(RamNode& node);
    i64 now() const { return m_clock.read(); }

    PageAllocator& m_pages;
    SlabCache m_node_cache;
    SlabCache m_entry_cache;
    Limits m_limits;
    FsClock m_clock;
    u64 m_bytes = 0;
    u64 m_node_count = 1;  // the root
    u64 m_next_inode = 2;  // the root is 1
    RamNode m_root;
};

}  // namespace mote::fs
