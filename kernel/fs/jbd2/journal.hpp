// The runtime jbd2 journal of a mounted ext3 filesystem: recovery at mount,
// the running transaction, commits, checkpoints and a clean close.
//
//     Journal journal(cache, log_map, fs_blocks);        // log_map from the journal inode
//     RecoveryOutcome r = CO_TRY(co_await journal.open(&fault));
//     ... for each changing operation:
//     if (!journal.has_room(worst_case)) CO_TRY(co_await journal.commit());
//     CO_TRY(co_await cache.prepare_modify(buffer));
//     journal.add_metadata(buffer);  ... change buffer.data() ...; cache.mark_dirty(buffer);
//     ... between operations, when journal.should_commit() or on sync:
//     CO_TRY(co_await journal.commit());
//     ... at unmount: CO_TRY(co_await journal.close());
//
// The filesystem's part (not done here): set the recover (needs_recovery)
// incompat bit in its superblock before the first commit and clear it after
// close(); never modify a buffer while a commit or checkpoint runs; never
// reuse a block freed in the running transaction for file data before that
// transaction commits unless it passes it to add_data() (see below).
//
// Commit protocol (ordered mode), all through the BlockCache:
//   1. The ordered data blocks (add_data) are written home.
//   2. If the log was empty, the journal superblock gets the log start
//      (s_start = the transaction's first block, s_sequence = its ID).
//   3. The log blocks: revoke blocks, then descriptors each followed by the
//      copies of the metadata blocks it describes (TransactionWriter).
//   4. Flush: steps 1-3 are on media.
//   5. The commit block, then flush. The commit point is the commit block on
//      media: recovery replays the transaction from then on, never before.
//   6. The holds are released: the metadata buffers go home by ordinary
//      write-back whenever the cache likes.
// A crash anywhere leaves either the state before the transaction or after
// it: home blocks are not touched by steps 1-5 (they are held), and
// recovery only replays transactions whose commit block it finds intact.
//
// Log space. The log is the ring [s_first, s_maxlen) of the journal. The
// largest transaction (max_credits metadata blocks plus revokes) is fixed at
// open: a quarter of the log, and a quarter of the cache's buffers, because
// every block of the running transaction stays pinned. After every commit,
// if the free part of the log could not take another transaction of that
// size, a checkpoint runs: cache.sync() (every dirty block home, including
// all of the committed transactions', waiting for writes in flight, then a
// flush), then the journal superblock is written clean (s_start 0, the next
// sequence) and flushed. So the log is emptied all at once, at a moment
// when no transaction is running, which is what makes the simple policy
// correct: no committed block can be held by a newer, uncommitted change.
//
// Dedupe without allocation: the running transaction's metadata blocks,
// data blocks and revokes live in fixed arrays sized at open (max_credits
// entries each) with open-addressed hash indexes over them; nothing is ever
// removed from them until the commit, so the indexes need no deletion.
//
// Revokes: revoke(block) records that a block was freed. Recovery then skips
// every logged copy of it from this or an earlier transaction. A block
// added to the running transaction and then revoked stays held (its new
// contents never reach home before the commit) but is not logged. Adding a
// revoked block again (reused as metadata) cancels the revoke, as jbd2 does:
// its new copy is logged, and replaying older copies first is harmless.
// add_data() of a block revoked in the running transaction journals it as
// metadata: writing it home before the commit would overwrite what the
// committed state still uses as metadata.
//
// Log blocks are written through the cache (get_zeroed on the journal block,
// copy, write): no second set of buffers or requests, and the cache already
// orders writes against flushes. They are clean once written, so the cache
// may reuse their buffers at once.
//
// Errors: an I/O error during a commit or checkpoint aborts the journal:
// nothing more is committed (commit and checkpoint fail with Io), and the
// held buffers stay held so no half-made change reaches home. The mount
// should then go read-only.
//
// Limits: a v1 journal superblock is refused (no feature words for revoke);
// a journal without the revoke feature gets it at open, as Linux's jbd2
// does. Async commit is not used (two flushes per commit), fast commits are
// refused by the superblock decoder.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"
#include "block/block_cache.hpp"
#include "core/task.hpp"
#include "fs/jbd2/jbd2_fault.hpp"
#include "fs/jbd2/journal_superblock.hpp"
#include "fs/jbd2/recovery.hpp"

namespace mote::fs::jbd2 {

struct JournalStats {
    u64 transactions = 0;       // committed by this Journal
    u64 metadata_blocks = 0;    // copies of metadata blocks written to the log
    u64 escaped_blocks = 0;     // of those, logged with the magic zeroed
    u64 descriptor_blocks = 0;
    u64 revoke_blocks = 0;
    u64 revoke_records = 0;     // revokes committed
    u64 data_blocks = 0;        // ordered data blocks written before commit blocks
    u64 checkpoints = 0;
    u64 superblock_writes = 0;
    u64 replayed_blocks = 0;    // by open()
    u32 sequence = 0;           // the running transaction's ID
    u32 log_blocks = 0;         // length of the ring
    u32 log_used = 0;           // blocks of committed transactions not yet checkpointed
    u32 max_credits = 0;        // the largest transaction: metadata blocks + revokes
    u32 running_credits = 0;    // used by the running transaction
    u32 running_data = 0;       // data blocks in the running transaction
    bool aborted = false;
};

class Journal {
public:
    using Clock = u64 (*)();  // wall-clock seconds since 1970, for commit blocks

    // `log_map[i]` is the filesystem block holding journal block i (the
    // journal inode's blocks, resolved at mount; borrowed, outlives the
    // Journal). fs_block_count: blocks of the filesystem (home blocks must
    // be below it). The cache must outlive the Journal.
    Journal(BlockCache& cache, Span<const u32> log_map, u64 fs_block_count);
    Journal(const Journal&) = delete;
    Journal& operator=(const Journal&) = delete;
    // Drops the pins and holds of an uncommitted transaction (its changes
    // then sit dirty in the cache: an aborted mount must not sync it) and
    // frees the tables. No I/O. Not while a Journal task is suspended.
    ~Journal();

    // Commit blocks carry this clock's time (0 without one).
    void set_clock(Clock now_seconds) { m_clock = now_seconds; }

    // Reads and validates the journal superblock (journal block 0) and the
    // map; if the log is not clean, replays it through the cache
    // (Recovery), makes the replayed blocks durable (sync: write + flush)
    // and writes the superblock clean (start 0, the next sequence). Returns
    // what recovery did (no transactions for a clean log). Must run before
    // the filesystem reads any other metadata (blocks it already cached are
    // updated in the cache by the replay). Errors: Malformed / Unsupported
    // with `fault` naming why (the mount is refused; BlockOutOfRange also
    // for a map entry outside the filesystem, TransactionTooLarge for a log
    // too short to hold Mote's smallest transaction), NoMemory for the
    // tables, Io. BadState if already open.
    Task<RecoveryOutcome> open(Jbd2Fault* fault = nullptr);
    bool is_open() const { return m_open; }

    // The running transaction. Callers serialize: one changing operation at
    // a time, commits only between operations, no buffer changes while a
    // commit, checkpoint or close runs.
    //
    // add_metadata: the buffer (after prepare_modify, before or while it is
    // changed) joins the running transaction: pinned, its home write held
    // until the transaction is committed. Adding it twice is fine. Costs one
    // credit per distinct block; the caller checks has_room first (running
    // past the tables is a VERIFY failure).
    void add_metadata(BufferRef& buffer);
    // add_data: a file data block that must reach its home location before
    // the commit block of the running transaction (ordered mode). Pinned
    // until then. A block already in the transaction as metadata, or
    // revoked in it, is journaled as metadata instead (see the header).
    void add_data(BufferRef& buffer);
    // A metadata block freed in this transaction: recovery must not replay
    // older logged copies of it over whatever it holds next. If it was added
    // to the running transaction it is no longer logged (but stays held
    // until the commit). One credit per distinct block.
    void revoke(u64 block);

    // Whether the running transaction should be committed now (it has used
    // three quarters of max_credits or of its data slots).
    bool should_commit() const;
    // Whether `metadata_blocks` more credits (blocks to add or revoke) and
    // `data_blocks` more ordered data blocks still fit in the running
    // transaction; commit first if not. False once aborted. An empty
    // transaction has stats().max_credits: an operation needing more must
    // be split into several.
    bool has_room(u32 metadata_blocks, u32 data_blocks = 0) const;
    // Nothing in the running transaction.
    bool idle() const;

    // Commits the running transaction (the protocol above) and returns when
    // it is durable; checkpoints afterwards if the log is running short. A
    // transaction of data blocks only is written home and flushed, with no
    // log blocks. Nothing to do: returns at once.
    Task<void> commit();
    // Commits, then writes every committed block home, flushes, and marks the
    // log empty (superblock clean, next sequence).
    Task<void> checkpoint();
    // What unmount calls: commit, checkpoint, superblock clean; then the
    // Journal is closed (the tables are freed; open() may run again).
    Task<void> close();

    JournalStats stats() const;
    // The journal superblock as last written (or read by open).
    const JournalSuperblock& superblock() const { return m_sb; }

private:
    struct MetaEntry {
        BufferRef ref;
        bool forgotten = false;  // revoked after it was added: held, not logged
    };
    struct DataEntry {
        BufferRef ref;
        bool journaled = false;  // became metadata: not written as data
    };
    struct RevokeSlot {
        u64 block = 0;
        bool cancelled = false;  // the block was added again: no record
    };
    // An open-addressed index from block numbers to entry numbers (slot
    // value entry + 1; 0 empty). Never deleted from; cleared at each commit.
    struct BlockIndex {
        u32* slots = nullptr;
        u32 mask = 0;
    };
    static constexpr u32 kNone = ~0u;

    template <typename Key>
    static u32 index_find(const BlockIndex& index, u64 block, Key key);
    static void index_insert(BlockIndex& index, u64 block, u32 entry);
    static void index_clear(BlockIndex& index);

    u32 find_meta(u64 block) const;
    u32 find_data(u64 block) const;
    u32 find_revoke(u64 block) const;
    void cancel_revoke(u64 block);
    void add_meta_entry(BufferRef& buffer);

    Result<void> allocate_tables();
    void free_tables();
    void release_running();
    void abort_with(Error error);
    u32 log_used() const;
    u32 log_free() const { return m_sb.log_blocks() - log_used(); }
    u32 credits() const { return m_meta_count + m_revoke_count; }

    Task<void> write_superblock();
    Task<RecoveryOutcome> open_log(Jbd2Fault* fault);
    Task<void> replay(Jbd2Fault* fault, RecoveryOutcome& outcome);
    Task<void> write_data_blocks();
    Task<void> commit_running();
    Task<void> checkpoint_committed();

    BlockCache& m_cache;
    Span<const u32> m_map;
    u64 m_fs_blocks;
    Clock m_clock = nullptr;

    JournalSuperblock m_sb;
    bool m_open = false;
    bool m_aborted = false;
    u32 m_sequence = 0;  // the running transaction's ID
    u32 m_head = 0;      // where the next transaction goes
    u32 m_tail = 0;      // start of the oldest committed transaction in the log; 0: log empty
    u32 m_max_credits = 0;
    u32 m_max_data = 0;
    u32 m_reserve = 0;   // log blocks the largest transaction may need
    u32 m_batch = 0;     // log blocks written per cache.write

    // The tables: one run of pages from the cache's allocator.
    PhysAddr m_tables_phys = 0;
    usize m_tables_pages = 0;
    MetaEntry* m_meta = nullptr;
    DataEntry* m_data = nullptr;
    RevokeSlot* m_revokes = nullptr;
    u64* m_homes = nullptr;            // compacted for the writer
    ReadonlyBytes* m_contents = nullptr;
    u64* m_revoked = nullptr;
    u8* m_scratch = nullptr;           // one block: descriptors, revoke and commit blocks
    BlockIndex m_meta_index, m_data_index, m_revoke_index;
    u32 m_meta_count = 0;
    u32 m_data_count = 0;
    u32 m_revoke_count = 0;

    JournalStats m_stats;
};

}  // namespace mote::fs::jbd2
