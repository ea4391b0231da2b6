// BlockCache: the filesystem's view of a disk, one filesystem block at a
// time: bounded, asynchronous, write-back, with explicit ordering for the
// journal.
//
//     BufferRef super = CO_TRY(co_await cache.read(1));     // pinned, valid
//     CO_TRY(co_await cache.prepare_modify(super));          // no write in flight
//     ... change super.data() ...
//     cache.mark_dirty(super);
//     CO_TRY(co_await cache.write(list_of_buffers));         // these reach the device
//     CO_TRY(co_await cache.flush());                         // and its media
//
// * Bounded. The buffer count is fixed when the cache is made (at mount, from
//   the boot argument mote.bcache=, shown in /sys); data and headers come
//   from the page allocator then and never grow.
// * Asynchronous. Every call that may touch the disk is a Task. A block that
//   is already cached is returned without suspending; one that is being read
//   by another task is waited for, not read twice (coalescing).
// * Write-back. mark_dirty only records; data goes to the device when the
//   cache needs the buffer, on write()/sync(), or on the periodic write-back
//   the owner drives. A buffer held by the journal (hold_home_write) never
//   goes to its home location until released: it belongs to a transaction
//   that has not committed.
// * Ordering. write(buffers) completes when every one of those writes has
//   completed at the device; flush() completes when the device says its
//   volatile cache is on media. "These blocks, then flush, then the commit
//   block, then flush" is four awaits, and virtio-blk gets exactly that.
// * Read-ahead. prefetch() starts reads of blocks that are not cached into
//   free buffers, without waiting and without evicting dirty data.
// * Loop context only, like the rest of the core; no locks.
//
// A pinned buffer (a live BufferRef) is never evicted or reused; its data
// may be read at any time, and written only after prepare_modify (a write of
// the same buffer may be reading it at the device). Buffer memory belongs to
// the cache; a BufferRef must not outlive it.
#pragma once

#include "base/list.hpp"
#include "base/result.hpp"
#include "base/span.hpp"
#include "core/task.hpp"
#include "core/task_wait_list.hpp"
#include "dev/block_device.hpp"
#include "mm/page_allocator.hpp"

namespace mote {

class BlockCache;

class Buffer {
public:
    u64 block() const { return m_block; }
    u8* data() const { return m_data; }
    bool dirty() const { return m_dirty; }
    bool writing() const { return m_writing; }
    // What the owner learned by checking these bytes (a directory block's
    // validation and summary, say), so it need not check them again. The
    // cache clears it whenever the bytes may change: when it reads the
    // block, hands it out zeroed or reuses the buffer, and when the owner
    // modifies it (prepare_modify, mark_dirty). 0 means nothing is known.
    u64 note() const { return m_note; }
    void set_note(u64 note) { m_note = note; }

private:
    friend class BlockCache;
    friend class BufferRef;
    enum class State : u8 { Empty, Reading, Valid };

    static void io_completed(Request& request);

    BlockCache* m_cache = nullptr;
    u8* m_data = nullptr;
    u64 m_block = 0;
    u64 m_note = 0;
    u32 m_pins = 0;
    u32 m_holds = 0;  // the journal's: no write to the home location
    State m_state = State::Empty;
    bool m_hashed = false;
    bool m_dirty = false;
    bool m_writing = false;
    bool m_io_failed = false;  // the last read or write failed
    bool m_prefetched = false;  // read by prefetch, not yet asked for
    bool m_in_run = false;      // its I/O is part of a multi-block run (the run's request, not m_request)
    ListNode m_lru_node;       // unpinned: least recently used first
    ListNode m_hash_node;
    ListNode m_dirty_node;
    TaskWaitList m_io_waiters;  // tasks waiting for this buffer's read or write
    BlockRequest m_request;

public:
    using LruList = IntrusiveList<Buffer, &Buffer::m_lru_node>;
    using HashList = IntrusiveList<Buffer, &Buffer::m_hash_node>;
    using DirtyList = IntrusiveList<Buffer, &Buffer::m_dirty_node>;
};

// A pin on a buffer: while it lives the buffer keeps its block and its data.
class BufferRef {
public:
    BufferRef() = default;
    explicit BufferRef(Buffer& buffer);  // takes a new pin
    BufferRef(BufferRef&& other) : m_buffer(other.m_buffer) { other.m_buffer = nullptr; }
    BufferRef& operator=(BufferRef&& other);
    BufferRef(const BufferRef&) = delete;
    BufferRef& operator=(const BufferRef&) = delete;
    ~BufferRef() { reset(); }

    void reset();
    explicit operator bool() const { return m_buffer != nullptr; }
    Buffer& buffer() const { return *m_buffer; }
    Buffer* operator->() const { return m_buffer; }
    u64 block() const { return m_buffer->block(); }
    u8* data() const { return m_buffer->data(); }

private:
    friend class BlockCache;
    struct Adopt {};
    BufferRef(Buffer& buffer, Adopt) : m_buffer(&buffer) {}
    Buffer* m_buffer = nullptr;
};

struct BlockCacheStats {
    u64 buffers = 0;
    u32 block_size = 0;
    u64 cached = 0;  // buffers holding a block
    u64 pinned = 0;
    u64 dirty = 0;
    u64 hits = 0;
    u64 misses = 0;
    u64 coalesced = 0;  // reads that waited for another task's read of the block
    u64 readahead = 0;  // prefetch reads started
    u64 readahead_used = 0;
    u64 runs = 0;          // multi-block requests (reads and writes)
    u64 run_blocks = 0;    // blocks they carried
    u64 evictions = 0;
    u64 writes = 0;  // block writes completed
    u64 flushes = 0;
    u64 buffer_waits = 0;  // a task waited because every buffer was pinned or dirty
    u64 read_errors = 0;
    u64 write_errors = 0;
};

// A multi-block I/O: consecutive blocks read or written with one request
// through a staging area (buffers are not contiguous in memory), so a
// sequential reader or a sync of adjacent blocks costs one device request
// per run instead of one per block.
struct BlockRun {
    static constexpr usize kMaxBlocks = 128;
    BlockCache* cache = nullptr;
    u8* staging = nullptr;  // kStagingBytes, contiguous
    Buffer* buffers[kMaxBlocks] = {};
    u32 count = 0;
    bool busy = false;
    BlockRequest request;
};

class BlockCache {
public:
    static constexpr usize kRuns = 4;
    static constexpr usize kStagingBytes = 128 * 1024;
    BlockCache(BlockDevice& device, Loop& loop, PageAllocator& pages);
    BlockCache(const BlockCache&) = delete;
    BlockCache& operator=(const BlockCache&) = delete;
    // VERIFYs that nothing is pinned or in flight; dirty data is dropped
    // (unmount syncs first).
    ~BlockCache();

    // Sets the block size (a multiple of the sector size, at most a page)
    // and allocates `buffers` buffers. Once.
    Result<void> initialize(u32 block_size, usize buffers);

    u32 block_size() const { return m_block_size; }
    u64 block_count() const { return m_block_count; }
    BlockDevice& device() { return m_device; }
    Loop& loop() { return m_loop; }
    // The allocator the buffers came from; the journal sizes its tables
    // from it at mount.
    PageAllocator& pages() { return m_pages; }

    // The block's current contents, pinned. OutOfRange past the device's
    // end; Io if the device failed the read (a later read tries again).
    // A hit is a ready Task (no coroutine frame).
    Task<BufferRef> read(u64 block);
    // The same for a hit, without a coroutine: the pinned buffer if `block`
    // is cached and valid, else an empty ref (then read() it).
    BufferRef peek(u64 block);
    // A buffer for a block the caller will overwrite whole (a newly
    // allocated block): zero-filled unless already cached, never read.
    // Ready at once unless it must wait (a read in flight, no free buffer).
    Task<BufferRef> get_zeroed(u64 block);
    // Waits until no write of this buffer is in flight; then the caller may
    // change its data until its next co_await.
    // Ready at once when no write is in flight.
    Task<void> prepare_modify(BufferRef& buffer);
    void mark_dirty(BufferRef& buffer);

    // Writes each of these buffers that is dirty (waiting for a write
    // already in flight first) and completes when all are on the device.
    // A held buffer is an error (BadState): it must not go home yet.
    Task<void> write(Span<Buffer* const> buffers);
    Task<void> write_one(BufferRef& buffer);
    // A cache flush at the device: every write completed before it is on
    // stable media when it completes.
    Task<void> flush();
    // Writes every dirty buffer that is not held, waits for every write in
    // flight (eviction and write_back() start writes nobody waits for: a
    // flush issued before they complete would not cover them), then
    // flushes. When it completes, every block that was clean or written
    // when it was called (and is not held) is on stable media.
    Task<void> sync();

    // Forgets every cached block that is clean, unpinned and idle (the
    // next read goes to the device: "drop caches" for cold benchmarks).
    // Returns how many.
    u64 drop_clean();

    // Completes when no read or write of any buffer is in flight (before
    // the cache is destroyed: prefetches and write-backs finish first).
    Task<void> quiesce();

    // The journal's hold on a buffer's home write (see the header comment).
    void hold_home_write(Buffer& buffer);
    void release_home_write(Buffer& buffer);

    // Starts reads of up to `count` blocks from `first` that are not cached,
    // into buffers that are free and clean; never waits, never evicts
    // dirty data. Returns how many reads it started.
    u32 prefetch(u64 first, u32 count);

    // Starts writes of dirty unheld buffers, oldest first, up to `limit`;
    // for the owner's periodic write-back. Returns how many it started.
    u32 write_back(u32 limit);

    BlockCacheStats stats() const;

private:
    // The parts of read, get_zeroed and prepare_modify that may wait.
    Task<BufferRef> read_waiting(u64 block);
    Task<BufferRef> get_zeroed_waiting(u64 block);
    Task<void> wait_for_write(BufferRef& buffer);
    BufferRef zero_fill(Buffer& buffer, u64 block);
    friend class Buffer;
    friend class BufferRef;

    Buffer* lookup(u64 block);
    void hash_insert(Buffer& buffer);
    void hash_remove(Buffer& buffer);
    void pin(Buffer& buffer);
    void unpin(Buffer& buffer);
    // A clean, unpinned, unheld buffer to reuse, or nullptr; starts writes
    // of dirty buffers it passes over so later calls find one.
    Buffer* take_free();
    Result<void> start_read(Buffer& buffer);
    Result<void> start_write(Buffer& buffer);
    // Starts the write of `first` and of the dirty blocks that follow it
    // (one run when it can); false if not even `first` could start.
    bool start_write_from(Buffer& first);
    BlockRun* free_run();
    u32 run_limit() const;
    static void run_completed(Request& request);
    void run_finished(BlockRun& run);
    void io_finished(Buffer& buffer);
    void finish_buffer_io(Buffer& buffer, bool read, bool ok);

    BlockDevice& m_device;
    Loop& m_loop;
    PageAllocator& m_pages;
    u32 m_block_size = 0;
    u32 m_sectors_per_block = 0;
    u64 m_block_count = 0;

    Buffer* m_buffers = nullptr;
    usize m_buffer_count = 0;
    PhysAddr m_headers_phys = 0;
    u32 m_headers_order = 0;
    Buffer::HashList* m_buckets = nullptr;
    usize m_bucket_mask = 0;
    PhysAddr m_buckets_phys = 0;
    u32 m_buckets_order = 0;
    PhysAddr* m_data_pages = nullptr;  // one page per kPageSize / block_size buffers
    usize m_data_page_count = 0;
    PhysAddr m_data_pages_phys = 0;
    u32 m_data_pages_order = 0;

    Buffer::LruList m_lru;
    Buffer::DirtyList m_dirty;
    TaskWaitList m_free_waiters;  // tasks waiting for a buffer to reuse
    BlockRun m_runs[kRuns];
    PhysAddr m_staging_phys = 0;
    u32 m_staging_order = 0;
    mutable BlockCacheStats m_stats;
    u64 m_pinned = 0;
    u64 m_cached = 0;
};

}  // namespace mote
