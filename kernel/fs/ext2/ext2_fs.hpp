// Ext2Fs: a mounted ext2 (or ext3: ext2 + a jbd2 journal) filesystem over
// a block device, and Ext2Node, its files and directories as FsNodes.
//
//     Ext2Fs* fs = CO_TRY(co_await Ext2Fs::mount(device, loop, pages, {}));
//     NodeRef root = fs->root();
//     ... walk, read, create, write ...
//     CO_TRY(co_await fs->unmount());   // syncs, marks the volume clean, frees
//
// Layers: the format layer (superblock.hpp, inode.hpp, directory_block.hpp,
// ...) decodes and encodes single structures and validates every field;
// this file decides and performs, through the block cache (block/
// block_cache.hpp) and, on ext3, the journal (jbd2/journal.hpp).
//
// Mount policy. Unsupported incompat features refuse the mount, naming the
// feature in a log line; unsupported ro_compat features (and an explicit
// read_only option, and a journal Mote cannot use) mount read-only, also
// logged. A journal that needs recovery is replayed before anything else
// is read. Corrupt metadata met later (a block pointer out of range, a
// directory record that does not fit) makes that object fail with
// Malformed and a log line naming the Ext2Fault; the rest stays usable and
// the superblock gets its errors flag.
//
// Operations. Each FsNode operation is a coroutine that takes the
// filesystem's mutex for its whole length (reads too: a read never sees a
// half-done change, and the lock is what makes a journal transaction one
// operation's worth of blocks). Metadata changes go through modify():
// prepare_modify + join the running journal transaction (ext3) + mark
// dirty; file data written goes through the cache and, on ext3, is ordered
// before the commit that makes it reachable.
//
// Nodes. A node is the decoded inode plus its cache bookkeeping; one per
// inode number at a time (hashed), counted by NodeRef. Unreferenced nodes
// stay cached (LRU) up to kNodeCacheMax. A file whose last name is removed
// while it is still open is freed when its last reference goes.
#pragma once

#include "base/list.hpp"
#include "block/block_cache.hpp"
#include "core/task_mutex.hpp"
#include "fs/ext2/dir_hash.hpp"
#include "fs/ext2/ext2_fault.hpp"
#include "fs/ext2/group_descriptor.hpp"
#include "fs/ext2/inode.hpp"
#include "fs/ext2/superblock.hpp"
#include "fs/fs_node.hpp"
#include "mm/page_allocator.hpp"
#include "mm/slab_cache.hpp"

namespace mote::fs::jbd2 {
class Journal;
}

namespace mote::fs::ext2 {

class Ext2Fs;

struct MountOptions {
    bool read_only = false;
    // Block cache size in blocks (the boot argument mote.bcache=); 0: a
    // sixteenth of the free memory at mount, between 256 and 16384 blocks.
    usize cache_buffers = 0;
};

struct Ext2Counters {
    u64 lookups = 0;
    u64 blocks_allocated = 0;
    u64 blocks_freed = 0;
    u64 inodes_allocated = 0;
    u64 inodes_freed = 0;
    u64 corrupt = 0;  // objects refused as corrupt since mount
    Ext2Fault last_fault = Ext2Fault::None;
};

class Ext2Node final : public FsNode {
public:
    Stat stat() const override;
    bool may_wait() const override { return true; }
    void retain() override { ++m_refs; }
    void release() override;

    Task<NodeRef> lookup(StringView name) override;
    Task<usize> read(u64 offset, IoBuffer buffer) override;
    Task<bool> read_dir(u64 index, fs::DirEntry& out) override;
    Task<usize> write(u64 offset, IoBuffer data) override;
    Task<NodeRef> create(StringView name, CreateSpec spec) override;
    Task<void> link(StringView name, FsNode& node) override;
    Task<void> unlink(StringView name, bool directory) override;
    Task<void> rename(StringView name, FsNode& new_directory, StringView new_name) override;
    Task<void> truncate(u64 size) override;
    Task<void> set_times(i64 atime_ns, i64 mtime_ns) override;
    Task<void> sync() override;
    Filesystem* filesystem() override;

    u32 number() const { return m_number; }
    const Inode& inode() const { return m_inode; }

private:
    friend class Ext2Fs;
    Ext2Node(Ext2Fs& fs, u32 number) : m_fs(fs), m_number(number) {}

    Ext2Fs& m_fs;
    u32 m_number;
    u32 m_refs = 0;
    Inode m_inode;
    u64 m_last_read_block = ~u64(0);  // sequential-read detection for read-ahead
    u64 m_ahead_end = 0;               // read-ahead has been started up to here (logical, exclusive)
    // Stretches of the block map read-ahead found contiguous (logical ->
    // physical), so a sequential read maps its blocks without walking the
    // map again. Forgotten whenever the map changes (allocation, freeing).
    struct MapRun {
        u64 logical = 0;
        u32 physical = 0;
        u32 length = 0;
    };
    static constexpr usize kMapRuns = 4;
    MapRun m_map_runs[kMapRuns];
    usize m_map_next = 0;
    u32 mapped(u64 logical) const {
        for (const MapRun& run : m_map_runs)
            if (run.length && logical >= run.logical && logical - run.logical < run.length)
                return run.physical + u32(logical - run.logical);
        return 0;  // not known: walk the map
    }
    void remember_run(u64 logical, u32 physical, u32 length) {
        m_map_runs[m_map_next] = {logical, physical, length};
        m_map_next = (m_map_next + 1) % kMapRuns;
    }
    void forget_runs() {
        for (MapRun& run : m_map_runs) run.length = 0;
    }
    // Directories: where entry_at last found an entry (the block, and the
    // index of its first listed entry), valid while m_dir_version matches.
    u64 m_cursor_logical = 0;
    u64 m_cursor_seen = 0;
    u64 m_cursor_version = ~u64(0);
    u64 m_dir_version = 0;
    // Directories of at least Ext2Fs::kDirHashMinBlocks blocks: their names'
    // index (dir_hash.hpp), built by the first lookup that scans them all.
    DirHash m_hash;
    u32 m_alloc_goal = 0;              // the block after the last one allocated to it
    bool m_broken = false;             // freeing it failed (corrupt): never retried
    bool m_freed = false;              // its blocks and inode are free: the node goes on release
    bool m_orphan = false;             // on the superblock's orphan list (unlinked while open)
    ListNode m_hash_node;
    ListNode m_lru_node;  // while unreferenced

public:
    using HashList = IntrusiveList<Ext2Node, &Ext2Node::m_hash_node>;
    using LruList = IntrusiveList<Ext2Node, &Ext2Node::m_lru_node>;
};

class Ext2Fs final : public Filesystem {
public:
    static constexpr usize kNodeCacheMax = 256;
    static constexpr usize kNodeBuckets = 256;
    // How much of an inode table a cold inode read brings in with it.
    static constexpr u32 kInodeReadAheadBytes = 32 * 1024;
    // Directories this long or longer get a name index (DirHash): below
    // it a scan reads no more blocks than a lookup through the index.
    static constexpr u32 kDirHashMinBlocks = 3;

    // Reads and checks the superblock and group descriptors, replays the
    // journal if it needs it, and (read-write) marks the volume in use.
    static Task<Ext2Fs*> mount(BlockDevice& device, Loop& loop, PageAllocator& pages, MountOptions options);
    // Writes everything back, marks the volume clean and frees this
    // object. BadState while nodes other than the root are referenced.
    Task<void> unmount();

    NodeRef root() { return NodeRef(*m_root); }
    bool read_only() const { return m_read_only; }
    const Superblock& superblock() const { return m_sb; }
    const Geometry& geometry() const { return m_sb.geometry; }
    BlockCache& cache() { return m_cache; }
    const Ext2Counters& counters() const { return m_counters; }
    jbd2::Journal* journal() { return m_journal; }

    abi::FsStat stats() override;
    Task<void> sync() override;
    // sync, then forget every unreferenced node and clean cached block, so
    // the next access reads the disk (cold-cache measurements).
    Task<u64> drop_caches();

private:
    friend class Ext2Node;
    Ext2Fs(BlockDevice& device, Loop& loop, PageAllocator& pages);
    ~Ext2Fs();

    // ---- mount (ext2_fs.cpp)
    u8 m_raw_superblock[kSuperblockSize] = {};  // read at mount
    usize cache_blocks(const MountOptions& options, u32 block_size) const;
    Task<void> load(MountOptions options);
    Task<void> read_superblock_bytes(Bytes out);
    Task<void> load_groups();
    Task<void> open_journal();
    Task<void> close_journal();
    void destroy_journal();
    // The primary superblock: through the journal, or (direct) written
    // home and flushed at once, outside any transaction (the needs_recovery
    // flag at mount and the clean state at unmount).
    Task<void> write_superblock(bool direct = false);
    void release_memory();

    // ---- nodes (ext2_fs.cpp)
    Task<NodeRef> get_node(u32 number);
    // A node for an inode just made (not read back: it is not valid yet).
    Result<NodeRef> make_node(u32 number, const Inode& inode);
    // Out of the node cache for good (unhashed and unlinked from the LRU by
    // the caller): destroyed, its memory back to the slab.
    void destroy_node(Ext2Node& node);
    void node_released(Ext2Node& node);
    Task<void> write_inode(Ext2Node& node);
    Task<void> reap(Ext2Node& node);

    // ---- allocation (ext2_alloc.cpp)
    Task<u32> allocate_block(u32 goal);
    Task<void> free_block(u32 block, bool metadata);
    Task<u32> allocate_inode(u32 parent_group, bool directory);
    // Whether inode `number` is held in memory, or in use on disk (links
    // and a type, no deletion time): then the bitmap that calls it free lies.
    bool node_cached(u32 number);
    Task<bool> inode_in_use(u32 number);
    Task<void> free_inode(u32 number, bool directory);
    // Group `group`'s descriptor (m_groups) changed. Its table block is
    // written by write_pending at the end of the change, once however many
    // blocks and inodes the change took or gave back in the group; ready at
    // once unless kPendingGroups are already waiting (then it goes now).
    Task<void> group_changed(u32 group);
    Task<void> write_group(u32 group);
    // What a change left for its end: the pending group descriptors and the
    // superblock's counts. commit() runs it first, so a transaction never
    // holds a bitmap without its counts.
    Task<void> write_pending();

    // ---- block map (ext2_block_map.cpp)
    // The device block holding file block `logical`; 0 for a hole. With
    // `allocate`, a hole is filled (zeroed, indirect blocks made as needed)
    // and *fresh says so.
    // Ready at once (no coroutine) when the map's blocks on the way are
    // cached and the block is mapped.
    Task<u32> map_block(Ext2Node& node, u64 logical, bool allocate, bool* fresh = nullptr);
    Task<u32> walk_map(Ext2Node& node, u64 logical, bool allocate, bool* fresh);
    // Without I/O: how many file blocks from `logical` (at most `count`)
    // map to consecutive device blocks, the first of them in *physical,
    // when the map's blocks on that path are cached. 0 when it cannot say
    // (an indirect block not cached, a hole, a bad pointer): map_block
    // then walks it and reports what it finds.
    u32 map_cached(const Ext2Node& node, u64 logical, u32 count, u32& physical);
    // Frees every block of `node` from file block `first_kept_end` on.
    Task<void> free_blocks_from(Ext2Node& node, u64 first_freed);
    Task<void> free_tree(Ext2Node& node, u32 block, u32 depth, u64 span_first, u64 first_freed, bool* emptied);

    // ---- file data (ext2_file.cpp)
    Task<usize> read_file(Ext2Node& node, u64 offset, IoBuffer buffer);
    Task<void> read_ahead(Ext2Node& node, u64 first, u64 last);
    Task<usize> write_file(Ext2Node& node, u64 offset, IoBuffer data);
    Task<void> resize(Ext2Node& node, u64 size);

    // ---- directories (ext2_directory.cpp)
    struct Found {
        u32 inode = 0;
        FileType type = FileType::Unknown;
        u64 logical = 0;  // the directory block it is in
        u32 offset = 0;   // of its record in that block
    };
    // With `where`, the block holding the entry stays pinned there.
    Task<Found> find_entry(Ext2Node& dir, StringView name, BufferRef* where = nullptr);
    Task<bool> entry_at(Ext2Node& dir, u64 index, fs::DirEntry& out);
    Task<void> add_entry(Ext2Node& dir, StringView name, u32 inode, FileType type);
    Task<void> remove_entry(Ext2Node& dir, StringView name);
    Task<void> set_entry(Ext2Node& dir, StringView name, u32 inode, FileType type);
    Task<bool> directory_empty(Ext2Node& dir);
    Task<void> set_dotdot(Ext2Node& dir, u32 parent);
    Task<bool> is_ancestor(u32 ancestor, Ext2Node& node);
    // Before any change to a directory's entries: clears its htree flag
    // (the index would be stale) and invalidates entry_at's cursor.
    void directory_changing(Ext2Node& dir);
    // After `name` went into block `logical` of `dir`: into its index too
    // (or the index goes, when it is too full to take it).
    void indexed(Ext2Node& dir, StringView name, u64 logical);
    // Block `logical` of a directory, pinned, without I/O or a coroutine
    // when its block map and its bytes are cached (an empty ref otherwise:
    // then read_dir_block, which also gives an empty ref for a hole). The
    // loops over a directory's blocks try this first, so a cached
    // directory costs no coroutine per block.
    BufferRef peek_dir_block(const Ext2Node& dir, u64 logical);
    Task<BufferRef> read_dir_block(Ext2Node& dir, u64 logical);

    // ---- the operations (ext2_node.cpp)
    Task<NodeRef> do_create(Ext2Node& dir, StringView name, CreateSpec spec);
    Task<void> do_link(Ext2Node& dir, StringView name, Ext2Node& node);
    Task<void> do_unlink(Ext2Node& dir, StringView name, bool directory);
    Task<void> do_rename(Ext2Node& from, StringView name, Ext2Node& to, StringView new_name);
    Task<void> drop_link(Ext2Node& node);
    // ext3's orphan list: inodes whose last name went while they were
    // open, chained through their dtime from the superblock, so a mount
    // after a crash frees them (process_orphans).
    Task<void> add_orphan(Ext2Node& node);
    Task<void> remove_orphan(Ext2Node& node);
    Task<void> process_orphans();
    // Whether an unjudged inode's direct pointers are all in range.
    Result<bool> check_block_map(const Inode& inode) const;

    // ---- transactions (ext2_transaction.cpp): the journal's seams
    // Before a change: room in the running transaction for `blocks`
    // metadata blocks (commits first if not). ReadOnly on a read-only mount.
    Task<void> begin_change(u32 metadata, u32 data = 0);
    // Inside a change that may outgrow a transaction: commits what is done
    // so far (consistent) when fewer than `metadata` credits are left.
    Task<void> ensure_room(Ext2Node& node, u32 metadata);
    // After a change: commits if the transaction has grown large.
    Task<void> end_change();
    // The buffer may now be changed, and belongs to the change.
    Task<void> modify(BufferRef& buffer);
    void dirty(BufferRef& buffer);
    // A file data block being written (ordered before the next commit).
    Task<void> modify_data(BufferRef& buffer);
    // Their ends: the buffer joins the running transaction (as data or
    // metadata) once prepared.
    Result<void> join(Result<void> prepared, BufferRef& buffer, bool data);
    Task<void> join_after(Task<void> prepared, BufferRef& buffer, bool data);
    // A metadata block was freed: the journal must not replay an older
    // copy of it over what it holds next (revoke).
    void forget_metadata(u32 block);
    // Everything changed so far is durable.
    Task<void> commit();

    // A corrupt object: count, log and answer Malformed.
    Error corrupt(Ext2Fault fault, u32 inode, const char* what);
    u32 now_seconds() const;

    BlockDevice& m_device;
    Loop& m_loop;
    PageAllocator& m_pages;
    BlockCache m_cache;
    TaskMutex m_mutex;
    Superblock m_sb;
    bool m_read_only = false;
    bool m_sb_dirty = false;
    static constexpr u32 kPendingGroups = 16;
    u32 m_pending_groups[kPendingGroups] = {};
    u32 m_pending_count = 0;
    u64 m_max_file_size = 0;  // max_file_size() of the block size, found once at mount
    bool m_live = false;  // mounted and not unmounting: released nodes may be reaped

    GroupDescriptor* m_groups = nullptr;
    PhysAddr m_groups_phys = 0;
    usize m_groups_pages = 0;
    u32 m_last_block_group = 0;  // where the last allocation succeeded

    jbd2::Journal* m_journal = nullptr;
    PhysAddr m_journal_phys = 0;  // the Journal object and its map
    usize m_journal_pages = 0;

    SlabCache m_node_slab;
    Ext2Node::HashList m_buckets[kNodeBuckets];
    Ext2Node::LruList m_unused;
    usize m_node_count = 0;
    Ext2Node* m_root = nullptr;

    Ext2Counters m_counters;
    PhysAddr m_self_phys = 0;
    usize m_self_pages = 0;
};

}  // namespace mote::fs::ext2
