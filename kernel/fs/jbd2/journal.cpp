#include "fs/jbd2/journal.hpp"

#include "base/memory.hpp"
#include "core/log.hpp"
#include "fs/jbd2/descriptor_block.hpp"
#include "fs/jbd2/revoke_block.hpp"
#include "fs/jbd2/transaction_writer.hpp"

// CO_TRY that aborts the journal first: used once a commit or checkpoint
// may have written something, where a failure leaves the log in a state
// only recovery can sort out.
#define JOURNAL_TRY(expr)                                  \
    ({                                                     \
        auto _mote_journal_result = (expr);                \
        if (_mote_journal_result.is_error()) {             \
            abort_with(_mote_journal_result.error());      \
            co_return _mote_journal_result.error();        \
        }                                                  \
        _mote_journal_result.release_value();              \
    })

namespace mote::fs::jbd2 {

namespace {

// The largest transaction whatever the log and the cache: its tables stay
// well inside one allocation.
constexpr u32 kMaxCredits = 4096;
// A log or cache that cannot take a transaction this large is refused.
constexpr u32 kMinCredits = 4;
// Log blocks handed to the cache per write().
constexpr u32 kMaxBatch = 16;
// Ordered data blocks per write().
constexpr usize kDataBatch = 64;
// Recovery's revoke table: four entries per log block, within these bounds.
constexpr usize kMinRecoveryRevokes = 1024;
constexpr usize kMaxRecoveryRevokes = 65536;

Error fail(Jbd2Fault* out, Jbd2Fault fault, Error error) {
    if (out) *out = fault;
    return error;
}

u32 hash_slot(u64 block, u32 mask) { return u32((block * 0x9E3779B97F4A7C15ull) >> 32) & mask; }

usize align16(usize n) { return (n + 15) & ~usize(15); }

// Index slots for `entries`: a power of two, at least twice as many, so a
// probe always ends at an empty slot.
u32 index_slots_for(u32 entries) {
    u32 n = 1;
    while (n < 2 * entries) n <<= 1;
    return n;
}

u64 blocks_for(u64 items, u64 per_block) { return (items + per_block - 1) / per_block; }

// Pages borrowed for the length of one call (recovery's revoke table).
class PageRun {
public:
    PageRun(PageAllocator& pages, usize count) : m_pages(pages), m_count(count) {}
    PageRun(const PageRun&) = delete;
    PageRun& operator=(const PageRun&) = delete;
    ~PageRun() {
        if (m_allocated) m_pages.free_pages(m_phys, m_count);
    }
    Result<void*> allocate() {
        if (m_count == 0 || m_count > (usize(1) << kMaxPageOrder)) return Error::NoMemory;
        m_phys = TRY(m_pages.allocate_pages(m_count));
        m_allocated = true;
        return m_pages.to_virtual(m_phys);
    }

private:
    PageAllocator& m_pages;
    usize m_count;
    PhysAddr m_phys = 0;
    bool m_allocated = false;
};

}  // namespace

Journal::Journal(BlockCache& cache, Span<const u32> log_map, u64 fs_block_count)
    : m_cache(cache), m_map(log_map), m_fs_blocks(fs_block_count) {}

Journal::~Journal() {
    release_running();
    free_tables();
}

// ---- the indexes ----------------------------------------------------------

template <typename Key>
u32 Journal::index_find(const BlockIndex& index, u64 block, Key key) {
    if (!index.slots) return kNone;
    u32 slot = hash_slot(block, index.mask);
    for (u32 probes = 0; probes <= index.mask; ++probes) {
        const u32 value = index.slots[slot];
        if (value == 0) return kNone;
        if (key(value - 1) == block) return value - 1;
        slot = (slot + 1) & index.mask;
    }
    return kNone;
}

void Journal::index_insert(BlockIndex& index, u64 block, u32 entry) {
    u32 slot = hash_slot(block, index.mask);
    while (index.slots[slot] != 0) slot = (slot + 1) & index.mask;
    index.slots[slot] = entry + 1;
}

void Journal::index_clear(BlockIndex& index) {
    if (index.slots) mem_set(index.slots, 0, usize(index.mask + 1) * sizeof(u32));
}

u32 Journal::find_meta(u64 block) const {
    return index_find(m_meta_index, block, [this](u32 i) { return m_meta[i].ref.block(); });
}

u32 Journal::find_data(u64 block) const {
    return index_find(m_data_index, block, [this](u32 i) { return m_data[i].ref.block(); });
}

u32 Journal::find_revoke(u64 block) const {
    return index_find(m_revoke_index, block, [this](u32 i) { return m_revokes[i].block; });
}

// ---- tables ---------------------------------------------------------------

Result<void> Journal::allocate_tables() {
    free_tables();
    const u32 credits = m_max_credits;
    const u32 data = m_max_data;
    const u32 meta_slots = index_slots_for(credits);
    const u32 data_slots = index_slots_for(data);
    usize size = 0;
    auto take = [&](usize bytes) {
        const usize at = size;
        size += align16(bytes);
        return at;
    };
    const usize meta_at = take(usize(credits) * sizeof(MetaEntry));
    const usize data_at = take(usize(data) * sizeof(DataEntry));
    const usize revokes_at = take(usize(credits) * sizeof(RevokeSlot));
    const usize homes_at = take(usize(credits) * sizeof(u64));
    const usize contents_at = take(usize(credits) * sizeof(ReadonlyBytes));
    const usize revoked_at = take(usize(credits) * sizeof(u64));
    const usize scratch_at = take(m_cache.block_size());
    const usize meta_index_at = take(usize(meta_slots) * sizeof(u32));
    const usize data_index_at = take(usize(data_slots) * sizeof(u32));
    const usize revoke_index_at = take(usize(meta_slots) * sizeof(u32));
    const usize pages = (size + kPageSize - 1) / kPageSize;
    if (pages > (usize(1) << kMaxPageOrder)) return Error::NoMemory;
    m_tables_phys = TRY(m_cache.pages().allocate_pages(pages));
    m_tables_pages = pages;
    u8* base = static_cast<u8*>(m_cache.pages().to_virtual(m_tables_phys));
    m_meta = reinterpret_cast<MetaEntry*>(base + meta_at);
    m_data = reinterpret_cast<DataEntry*>(base + data_at);
    m_revokes = reinterpret_cast<RevokeSlot*>(base + revokes_at);
    m_homes = reinterpret_cast<u64*>(base + homes_at);
    m_contents = reinterpret_cast<ReadonlyBytes*>(base + contents_at);
    m_revoked = reinterpret_cast<u64*>(base + revoked_at);
    m_scratch = base + scratch_at;
    for (u32 i = 0; i < credits; ++i) {
        new (&m_meta[i]) MetaEntry();
        new (&m_revokes[i]) RevokeSlot();
        new (&m_contents[i]) ReadonlyBytes();
    }
    for (u32 i = 0; i < data; ++i) new (&m_data[i]) DataEntry();
    m_meta_index = BlockIndex {reinterpret_cast<u32*>(base + meta_index_at), meta_slots - 1};
    m_data_index = BlockIndex {reinterpret_cast<u32*>(base + data_index_at), data_slots - 1};
    m_revoke_index = BlockIndex {reinterpret_cast<u32*>(base + revoke_index_at), meta_slots - 1};
    index_clear(m_meta_index);
    index_clear(m_data_index);
    index_clear(m_revoke_index);
    m_meta_count = m_data_count = m_revoke_count = 0;
    return {};
}

void Journal::free_tables() {
    if (!m_tables_pages) return;
    for (u32 i = 0; i < m_max_credits; ++i) m_meta[i].~MetaEntry();
    for (u32 i = 0; i < m_max_data; ++i) m_data[i].~DataEntry();
    m_cache.pages().free_pages(m_tables_phys, m_tables_pages);
    m_tables_pages = 0;
    m_tables_phys = 0;
    m_meta = nullptr;
    m_data = nullptr;
    m_revokes = nullptr;
    m_homes = nullptr;
    m_contents = nullptr;
    m_revoked = nullptr;
    m_scratch = nullptr;
    m_meta_index = m_data_index = m_revoke_index = BlockIndex {};
}

void Journal::release_running() {
    for (u32 i = 0; i < m_meta_count; ++i) {
        m_cache.release_home_write(m_meta[i].ref.buffer());
        m_meta[i].ref.reset();
        m_meta[i].forgotten = false;
    }
    for (u32 i = 0; i < m_data_count; ++i) {
        m_data[i].ref.reset();
        m_data[i].journaled = false;
    }
    m_meta_count = m_data_count = m_revoke_count = 0;
    index_clear(m_meta_index);
    index_clear(m_data_index);
    index_clear(m_revoke_index);
}

void Journal::abort_with(Error error) {
    if (!m_aborted) log_warn("jbd2", "journal aborted: {}", error);
    m_aborted = true;
}

// ---- the running transaction ---------------------------------------------

void Journal::add_meta_entry(BufferRef& buffer) {
    VERIFY_MSG(m_meta_count < m_max_credits, "journal: transaction over its credits (has_room first)");
    const u32 i = m_meta_count++;
    m_meta[i].ref = BufferRef(buffer.buffer());
    m_meta[i].forgotten = false;
    m_cache.hold_home_write(buffer.buffer());
    index_insert(m_meta_index, buffer.block(), i);
}

void Journal::cancel_revoke(u64 block) {
    if (const u32 r = find_revoke(block); r != kNone) m_revokes[r].cancelled = true;
}

void Journal::add_metadata(BufferRef& buffer) {
    VERIFY_MSG(m_open && buffer, "journal: add_metadata before open or without a buffer");
    const u64 block = buffer.block();
    // A data block of this transaction turned metadata: logged instead.
    if (const u32 d = find_data(block); d != kNone) m_data[d].journaled = true;
    if (const u32 i = find_meta(block); i != kNone) {
        if (m_meta[i].forgotten) {
            m_meta[i].forgotten = false;
            cancel_revoke(block);
        }
        return;
    }
    cancel_revoke(block);  // freed earlier in this transaction, now reused
    add_meta_entry(buffer);
}

void Journal::add_data(BufferRef& buffer) {
    VERIFY_MSG(m_open && buffer, "journal: add_data before open or without a buffer");
    const u64 block = buffer.block();
    if (const u32 i = find_meta(block); i != kNone) {
        if (m_meta[i].forgotten) {
            m_meta[i].forgotten = false;
            cancel_revoke(block);
        }
        return;
    }
    if (const u32 r = find_revoke(block); r != kNone && !m_revokes[r].cancelled) {
        // Metadata freed in this very transaction: the committed state still
        // uses it, so its new contents must not go home before the commit.
        m_revokes[r].cancelled = true;
        add_meta_entry(buffer);
        return;
    }
    if (find_data(block) != kNone) return;
    VERIFY_MSG(m_data_count < m_max_data, "journal: transaction over its data blocks (has_room first)");
    const u32 d = m_data_count++;
    m_data[d].ref = BufferRef(buffer.buffer());
    m_data[d].journaled = false;
    index_insert(m_data_index, block, d);
}

void Journal::revoke(u64 block) {
    VERIFY_MSG(m_open, "journal: revoke before open");
    if (const u32 i = find_meta(block); i != kNone) m_meta[i].forgotten = true;
    if (const u32 r = find_revoke(block); r != kNone) {
        m_revokes[r].cancelled = false;
        return;
    }
    VERIFY_MSG(m_revoke_count < m_max_credits, "journal: transaction over its credits (has_room first)");
    const u32 r = m_revoke_count++;
    m_revokes[r] = RevokeSlot {block, false};
    index_insert(m_revoke_index, block, r);
}

bool Journal::should_commit() const {
    if (!m_open) return false;
    return credits() * 4 >= m_max_credits * 3 || m_data_count * 4 >= m_max_data * 3;
}

bool Journal::has_room(u32 metadata_blocks, u32 data_blocks) const {
    if (!m_open || m_aborted) return false;
    return u64(credits()) + metadata_blocks <= m_max_credits && u64(m_data_count) + data_blocks <= m_max_data;
}

bool Journal::idle() const { return m_meta_count == 0 && m_revoke_count == 0 && m_data_count == 0; }

u32 Journal::log_used() const { return m_tail == 0 ? 0 : m_sb.distance(m_tail, m_head); }

JournalStats Journal::stats() const {
    JournalStats stats = m_stats;
    stats.sequence = m_sequence;
    stats.log_blocks = m_open ? m_sb.log_blocks() : 0;
    stats.log_used = m_open ? log_used() : 0;
    stats.max_credits = m_max_credits;
    stats.running_credits = credits();
    stats.running_data = m_data_count;
    stats.aborted = m_aborted;
    return stats;
}

// ---- I/O ------------------------------------------------------------------

Task<void> Journal::write_superblock() {
    const u32 block_size = m_cache.block_size();
    BufferRef block = CO_TRY(co_await m_cache.read(m_map[0]));
    CO_TRY(co_await m_cache.prepare_modify(block));
    CO_TRY(m_sb.encode_state(Bytes(block.data(), block_size)));
    m_cache.mark_dirty(block);
    CO_TRY(co_await m_cache.write_one(block));
    ++m_stats.superblock_writes;
    co_return {};
}

Task<RecoveryOutcome> Journal::open(Jbd2Fault* fault) {
    if (fault) *fault = Jbd2Fault::None;
    if (m_open) co_return Error::BadState;
    auto opened = co_await open_log(fault);
    if (opened.is_error()) {
        release_running();
        free_tables();
        co_return opened.error();
    }
    co_return opened.release_value();
}

Task<RecoveryOutcome> Journal::open_log(Jbd2Fault* fault) {
    const u32 block_size = m_cache.block_size();
    if (m_map.empty()) co_return fail(fault, Jbd2Fault::JournalTooShort, Error::Malformed);
    if (m_map[0] == 0 || m_map[0] >= m_fs_blocks) co_return fail(fault, Jbd2Fault::BlockOutOfRange, Error::Malformed);
    JournalSuperblock sb;
    {
        BufferRef block = CO_TRY(co_await m_cache.read(m_map[0]));
        auto decoded = JournalSuperblock::decode(ReadonlyBytes(block.data(), block_size), block_size, m_map.size(), fault);
        if (decoded.is_error()) co_return decoded.error();
        sb = decoded.value();
    }
    // A v1 superblock has no feature words: no revoke records could be
    // written safely.
    if (sb.version < 2) co_return fail(fault, Jbd2Fault::BadSuperblockType, Error::Unsupported);
    for (u32 i = 0; i < sb.max_len; ++i)
        if (m_map[i] == 0 || m_map[i] >= m_fs_blocks) co_return fail(fault, Jbd2Fault::BlockOutOfRange, Error::Malformed);

    // The largest transaction: a quarter of the log (as jbd2's
    // j_max_transaction_buffers), and a quarter of the cache, whose buffers
    // the running transaction pins.
    const u32 log_blocks = sb.log_blocks();
    const u64 buffers = m_cache.stats().buffers;
    if (log_blocks / 4 < kMinCredits)
        co_return fail(fault, Jbd2Fault::TransactionTooLarge, Error::Unsupported);
    if (buffers / 4 < kMinCredits) co_return Error::NoMemory;
    m_max_credits = u32(min<u64>(min<u64>(log_blocks / 4, buffers / 4), kMaxCredits));
    m_max_data = m_max_credits;
    m_batch = u32(min<u64>(max<u64>(buffers / 8, 1), kMaxBatch));
    m_reserve = u32(blocks_for(m_max_credits, RevokeBlock::capacity(sb)) +
                    blocks_for(m_max_credits, DescriptorEncoder::capacity(sb)) + m_max_credits + 1);
    if (m_reserve >= log_blocks) co_return fail(fault, Jbd2Fault::TransactionTooLarge, Error::Unsupported);
    m_sb = sb;
    CO_TRY(allocate_tables());

    RecoveryOutcome outcome;
    if (!sb.clean()) {
        CO_TRY(co_await replay(fault, outcome));
        m_stats.replayed_blocks += outcome.blocks_replayed;
        m_sb.state = outcome.state;
    } else {
        outcome.state = sb.state;
        outcome.first_transaction = outcome.end_transaction = sb.state.sequence;
    }
    bool write = !sb.clean();
    // jbd2 sets revoke on every journal it mounts; recovery needs it before
    // the first revoke record can be logged.
    if (!m_sb.has_revoke()) {
        m_sb.feature_incompat |= kIncompatRevoke;
        write = true;
    }
    if (write) {
        CO_TRY(co_await write_superblock());
        CO_TRY(co_await m_cache.flush());
    }
    m_sequence = m_sb.state.sequence;
    m_head = m_sb.first;
    m_tail = 0;
    m_aborted = false;
    m_open = true;
    co_return outcome;
}

Task<void> Journal::replay(Jbd2Fault* fault, RecoveryOutcome& outcome) {
    const u32 block_size = m_cache.block_size();
    const usize capacity =
        min<usize>(max<usize>(usize(m_sb.log_blocks()) * 4, kMinRecoveryRevokes), kMaxRecoveryRevokes);
    PageRun storage(m_cache.pages(), (capacity * sizeof(RevokeEntry) + kPageSize - 1) / kPageSize);
    auto* entries = static_cast<RevokeEntry*>(CO_TRY(storage.allocate()));
    for (usize i = 0; i < capacity; ++i) new (&entries[i]) RevokeEntry();
    Recovery recovery(m_sb, m_fs_blocks, Span<RevokeEntry>(entries, capacity), Bytes(m_scratch, block_size));
    BufferRef last;  // the journal block fed last: a Replay copies it home
    for (;;) {
        auto action = recovery.next();
        if (action.is_error()) {
            if (fault) *fault = recovery.fault();
            co_return action.error();
        }
        const RecoveryAction a = action.value();
        if (a.step == RecoveryStep::Done) break;
        if (a.step == RecoveryStep::Read) {
            last.reset();
            last = CO_TRY(co_await m_cache.read(m_map[a.journal_block]));
            if (auto fed = recovery.feed(ReadonlyBytes(last.data(), block_size)); fed.is_error()) {
                if (fault) *fault = recovery.fault();
                co_return fed.error();
            }
            continue;
        }
        BufferRef home = CO_TRY(co_await m_cache.get_zeroed(a.home_block));
        CO_TRY(co_await m_cache.prepare_modify(home));
        if (&home.buffer() != &last.buffer()) mem_copy(home.data(), last.data(), block_size);
        if (a.escaped) store_be32(home.data(), kMagic);
        m_cache.mark_dirty(home);
    }
    last.reset();
    outcome = recovery.outcome();
    if (jbd2_fault_is_corruption(outcome.end))
        log_warn("jbd2", "journal damaged after transaction {}: {}", outcome.end_transaction,
                 jbd2_fault_name(outcome.end));
    // Every replayed block home and on media before the log is let go.
    CO_TRY(co_await m_cache.sync());
    co_return {};
}

Task<void> Journal::write_data_blocks() {
    Buffer* batch[kDataBatch];
    usize n = 0;
    for (u32 i = 0; i < m_data_count; ++i) {
        if (m_data[i].journaled) continue;
        batch[n++] = &m_data[i].ref.buffer();
        ++m_stats.data_blocks;
        if (n == kDataBatch) {
            CO_TRY(co_await m_cache.write(Span<Buffer* const>(batch, n)));
            n = 0;
        }
    }
    if (n) CO_TRY(co_await m_cache.write(Span<Buffer* const>(batch, n)));
    co_return {};
}

Task<void> Journal::commit_running() {
    if (!m_open) co_return Error::BadState;
    if (m_aborted) co_return Error::Io;
    const u32 block_size = m_cache.block_size();

    // What the log gets: the blocks still in the transaction, the revokes
    // not cancelled, in the order they came.
    u32 homes = 0;
    for (u32 i = 0; i < m_meta_count; ++i) {
        if (m_meta[i].forgotten) continue;
        m_homes[homes] = m_meta[i].ref.block();
        m_contents[homes] = ReadonlyBytes(m_meta[i].ref.data(), block_size);
        ++homes;
    }
    u32 revoked = 0;
    for (u32 r = 0; r < m_revoke_count; ++r)
        if (!m_revokes[r].cancelled) m_revoked[revoked++] = m_revokes[r].block;

    if (homes == 0 && revoked == 0) {
        // Data only (or changes that cancelled out): no log blocks.
        if (m_data_count) {
            JOURNAL_TRY(co_await write_data_blocks());
            JOURNAL_TRY(co_await m_cache.flush());
        }
        release_running();
        co_return {};
    }

    TransactionSpec spec;
    spec.start = m_head;
    spec.tail = m_tail;
    spec.sequence = m_sequence;
    spec.home_blocks = Span<const u64>(m_homes, homes);
    spec.contents = Span<const ReadonlyBytes>(m_contents, homes);
    spec.revoked = Span<const u64>(m_revoked, revoked);
    spec.commit_seconds = m_clock ? m_clock() : 0;
    Jbd2Fault fault = Jbd2Fault::None;
    auto planned = TransactionWriter::plan(m_sb, m_fs_blocks, spec, &fault);
    if (planned.is_error()) {
        log_warn("jbd2", "transaction {} cannot be written: {}", m_sequence, jbd2_fault_name(fault));
        abort_with(planned.error());
        co_return planned.error();
    }
    TransactionWriter writer = planned.release_value();

    // 1. Ordered data home.
    JOURNAL_TRY(co_await write_data_blocks());
    // 2. An empty log starts here.
    const bool was_empty = m_tail == 0;
    if (was_empty) {
        m_sb.state = log_start_state(m_sb, m_head, m_sequence);
        JOURNAL_TRY(co_await write_superblock());
    }
    // 3. Revoke, descriptor and metadata blocks, a batch at a time.
    const Bytes scratch(m_scratch, block_size);
    BufferRef batch[kMaxBatch];
    Buffer* pending[kMaxBatch];
    u32 queued = 0;
    u32 commit_block = 0;
    while (!writer.done()) {
        const LogWrite w = JOURNAL_TRY(writer.next(scratch));
        if (w.kind == LogBlockKind::Commit) {
            commit_block = w.journal_block;
            break;
        }
        BufferRef log = JOURNAL_TRY(co_await m_cache.get_zeroed(m_map[w.journal_block]));
        JOURNAL_TRY(co_await m_cache.prepare_modify(log));
        switch (w.kind) {
        case LogBlockKind::Data:
            mem_copy(log.data(), m_contents[w.data_index].data(), block_size);
            if (w.escaped) {
                mem_set(log.data(), 0, 4);
                ++m_stats.escaped_blocks;
            }
            ++m_stats.metadata_blocks;
            break;
        case LogBlockKind::Descriptor:
            mem_copy(log.data(), m_scratch, block_size);
            ++m_stats.descriptor_blocks;
            break;
        case LogBlockKind::Revoke:
            mem_copy(log.data(), m_scratch, block_size);
            ++m_stats.revoke_blocks;
            break;
        case LogBlockKind::Commit: break;
        }
        m_cache.mark_dirty(log);
        pending[queued] = &log.buffer();
        batch[queued] = mote::move(log);
        if (++queued == m_batch) {
            JOURNAL_TRY(co_await m_cache.write(Span<Buffer* const>(pending, queued)));
            for (u32 i = 0; i < queued; ++i) batch[i].reset();
            queued = 0;
        }
    }
    if (queued) {
        JOURNAL_TRY(co_await m_cache.write(Span<Buffer* const>(pending, queued)));
        for (u32 i = 0; i < queued; ++i) batch[i].reset();
    }
    // 4. All of that on media before the commit block is written.
    JOURNAL_TRY(co_await m_cache.flush());
    // 5. The commit block (in the scratch block since the last next()).
    {
        BufferRef commit = JOURNAL_TRY(co_await m_cache.get_zeroed(m_map[commit_block]));
        JOURNAL_TRY(co_await m_cache.prepare_modify(commit));
        mem_copy(commit.data(), m_scratch, block_size);
        m_cache.mark_dirty(commit);
        JOURNAL_TRY(co_await m_cache.write_one(commit));
    }
    JOURNAL_TRY(co_await m_cache.flush());
    // Committed. 6. The blocks may go home.
    if (was_empty) m_tail = m_head;
    m_head = writer.end();
    ++m_sequence;
    ++m_stats.transactions;
    m_stats.revoke_records += revoked;
    release_running();
    co_return {};
}

Task<void> Journal::checkpoint_committed() {
    if (m_aborted) co_return Error::Io;
    if (m_tail == 0) co_return {};
    // Every dirty block home, writes in flight waited for, flushed: all of
    // the committed transactions' blocks are on media now.
    JOURNAL_TRY(co_await m_cache.sync());
    m_sb.state = clean_state(m_sb, m_sequence);
    JOURNAL_TRY(co_await write_superblock());
    JOURNAL_TRY(co_await m_cache.flush());
    m_tail = 0;
    ++m_stats.checkpoints;
    co_return {};
}

Task<void> Journal::commit() {
    CO_TRY(co_await commit_running());
    if (log_free() <= m_reserve) CO_TRY(co_await checkpoint_committed());
    co_return {};
}

Task<void> Journal::checkpoint() {
    CO_TRY(co_await commit_running());
    CO_TRY(co_await checkpoint_committed());
    co_return {};
}

Task<void> Journal::close() {
    if (!m_open) co_return Error::BadState;
    CO_TRY(co_await commit_running());
    const bool log_empty = m_tail == 0;
    CO_TRY(co_await checkpoint_committed());
    // The checkpoint synced; with nothing in the log, sync what there is.
    if (log_empty) JOURNAL_TRY(co_await m_cache.sync());
    free_tables();
    m_open = false;
    co_return {};
}

}  // namespace mote::fs::jbd2
