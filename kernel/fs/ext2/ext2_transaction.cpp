// The seams between the filesystem's changes and the journal (ext3): every
// metadata block changed goes through modify()/dirty(), every file data
// block written through modify_data(), each operation is bracketed by
// begin_change()/end_change(), and commit() makes everything so far
// durable. Without a journal (ext2) the same calls only order writes in the
// cache, and commit() writes everything dirty home.
//
// The commit protocol (jbd2, ordered mode; jbd2/journal.hpp performs it):
//   1. the transaction's file data blocks are written home;
//   2. the log: revoke records, descriptors and copies of every metadata
//      block the transaction changed, then a flush;
//   3. the commit block, then a flush. The commit point is the commit block
//      reaching the media: a crash before it replays nothing of this
//      transaction, after it replays all of it;
//   4. the metadata blocks, held back until now, may go home (write-back);
//      when the log runs short, a checkpoint writes them all home, flushes,
//      and marks the log empty.
// One operation is one change, and a transaction holds whole changes (the
// filesystem's mutex keeps them from interleaving), so a crash leaves every
// operation done or not done.
#include "core/log.hpp"
#include "core/wall_clock.hpp"
#include "fs/ext2/ext2_fs.hpp"
#include "fs/jbd2/journal.hpp"

namespace mote::fs::ext2 {

namespace {

usize pages_for(usize bytes) { return (bytes + kPageSize - 1) / kPageSize; }

}  // namespace

Task<void> Ext2Fs::open_journal() {
    const Geometry& g = m_sb.geometry;
    if (m_sb.journal_inode != kJournalInode && (m_sb.journal_inode < g.first_inode || m_sb.journal_inode > g.inodes_count))
        co_return corrupt(Ext2Fault::BadJournalInode, m_sb.journal_inode, "journal inode");
    // The journal inode, read by hand: the node cache is not set up for
    // blocks that may be replayed over.
    Ext2Fault fault = Ext2Fault::None;
    auto where = locate_inode(g, m_sb.journal_inode, &fault);
    if (where.is_error()) co_return corrupt(fault, m_sb.journal_inode, "journal inode");
    // The descriptor of its group, straight from the table (groups are
    // loaded after replay).
    DescriptorLocation at = g.descriptor_location(where.value().group);
    GroupDescriptor descriptor;
    {
        BufferRef block = CO_TRY(co_await m_cache.read(at.block));
        auto decoded = decode_group_descriptor(g, where.value().group,
                                               ReadonlyBytes(block.data() + at.offset, kGroupDescriptorSize), &fault);
        if (decoded.is_error()) co_return corrupt(fault, m_sb.journal_inode, "journal group");
        descriptor = decoded.value();
    }
    Inode inode;
    {
        BufferRef table = CO_TRY(co_await m_cache.read(descriptor.inode_table + where.value().table_block));
        auto decoded = decode_inode(g, ReadonlyBytes(table.data() + where.value().offset, g.inode_size), &fault);
        if (decoded.is_error()) co_return corrupt(fault, m_sb.journal_inode, "journal inode");
        inode = decoded.value();
    }
    if (inode.type != FileType::Regular || inode.size < 4 * u64(g.block_size) ||
        inode.size % g.block_size != 0 || inode.size / g.block_size > (1u << 20))
        co_return corrupt(Ext2Fault::BadJournalInode, m_sb.journal_inode, "journal size");
    const u32 blocks = u32(inode.size / g.block_size);

    // The Journal object and its block map share one allocation.
    const usize map_offset = (sizeof(jbd2::Journal) + 7) & ~usize(7);
    m_journal_pages = pages_for(map_offset + blocks * sizeof(u32));
    m_journal_phys = CO_TRY(m_pages.allocate_pages(m_journal_pages));
    u8* memory = static_cast<u8*>(m_pages.to_virtual(m_journal_phys));
    u32* map = reinterpret_cast<u32*>(memory + map_offset);

    // Resolve the map with a temporary node (not hashed).
    Ext2Node temp(*this, m_sb.journal_inode);
    temp.m_inode = inode;
    for (u32 i = 0; i < blocks; ++i) {
        u32 block = CO_TRY(co_await map_block(temp, i, false));
        if (block == 0) co_return corrupt(Ext2Fault::BadJournalInode, m_sb.journal_inode, "journal hole");
        map[i] = block;
    }
    m_journal = new (memory) jbd2::Journal(m_cache, Span<const u32>(map, blocks), g.blocks_count);
    m_journal->set_clock([]() -> u64 { return wall_clock_known() ? u64(wall_clock_seconds()) : 0; });
    jbd2::Jbd2Fault jfault = jbd2::Jbd2Fault::None;
    auto outcome = co_await m_journal->open(&jfault);
    if (outcome.is_error()) {
        log_warn("ext2", "{}: journal: {}", m_device.name(), jbd2::jbd2_fault_name(jfault));
        m_journal->~Journal();
        m_journal = nullptr;
        co_return outcome.error();
    }
    if (outcome.value().transactions)
        log_info("ext2", "{}: journal replayed {} transactions ({} blocks)", m_device.name(),
                 outcome.value().transactions, outcome.value().blocks_replayed);
    if (outcome.value().end != jbd2::Jbd2Fault::None && jbd2::jbd2_fault_is_corruption(outcome.value().end))
        log_warn("ext2", "{}: journal log ended early: {}", m_device.name(),
                 jbd2::jbd2_fault_name(outcome.value().end));
    // Replay may have rewritten the superblock: read it again.
    if (m_sb.needs_recovery) {
        const u64 sb_block = kSuperblockOffset / g.block_size;
        const usize sb_offset = kSuperblockOffset % g.block_size;
        BufferRef block = CO_TRY(co_await m_cache.read(sb_block));
        auto again = decode_superblock(ReadonlyBytes(block.data() + sb_offset, kSuperblockSize), &fault);
        if (again.is_error()) {
            log_warn("ext2", "{}: replayed superblock is bad ({})", m_device.name(), ext2_fault_name(fault));
            co_return again.error();
        }
        const bool ro = m_sb.read_only;
        const char* ro_feature = m_sb.read_only_feature;
        m_sb = again.release_value();
        m_sb.read_only = m_sb.read_only || ro;
        if (!m_sb.read_only_feature) m_sb.read_only_feature = ro_feature;
        m_sb.feature_incompat &= ~kIncompatRecover;
        m_sb.needs_recovery = false;
    }
    co_return Result<void> {};
}

Task<void> Ext2Fs::close_journal() {
    if (!m_journal) co_return Result<void> {};
    co_return co_await m_journal->close();
}

void Ext2Fs::destroy_journal() {
    if (!m_journal) return;
    m_journal->~Journal();
    m_journal = nullptr;
}

Task<void> Ext2Fs::begin_change(u32 metadata, u32 data) {
    if (m_read_only) co_return Error::ReadOnly;
    if (!m_journal) co_return Result<void> {};
    if (!m_journal->has_room(metadata, data)) {
        CO_TRY(co_await commit());
        if (!m_journal->has_room(metadata, data)) co_return Error::Io;  // aborted, or the log is too small
    }
    co_return Result<void> {};
}

Task<void> Ext2Fs::ensure_room(Ext2Node& node, u32 metadata) {
    // A long change (freeing a large file) commits part-way: the inode is
    // written first, so the committed state is consistent (a file with
    // fewer blocks, its size not yet cut: the rest reads as holes).
    if (!m_journal || m_journal->has_room(metadata)) co_return Result<void> {};
    CO_TRY(co_await write_inode(node));
    CO_TRY(co_await commit());
    if (!m_journal->has_room(metadata)) co_return Error::Io;
    co_return Result<void> {};
}

Task<void> Ext2Fs::end_change() {
    // The group descriptors and the superblock's free counts, once per
    // change rather than per block.
    CO_TRY(co_await write_pending());
    if (m_journal && m_journal->should_commit()) CO_TRY(co_await m_journal->commit());
    co_return Result<void> {};
}

// modify and modify_data are ready at once unless a write of the buffer is
// in flight (then a coroutine waits for it first): most changes touch
// buffers nobody is writing, and need no frame.
Task<void> Ext2Fs::modify(BufferRef& buffer) {
    Task<void> prepared = m_cache.prepare_modify(buffer);
    if (!prepared.is_ready()) return join_after(mote::move(prepared), buffer, false);
    return join(prepared.finish_now(), buffer, false);
}

void Ext2Fs::dirty(BufferRef& buffer) { m_cache.mark_dirty(buffer); }

Task<void> Ext2Fs::modify_data(BufferRef& buffer) {
    Task<void> prepared = m_cache.prepare_modify(buffer);
    if (!prepared.is_ready()) return join_after(mote::move(prepared), buffer, true);
    return join(prepared.finish_now(), buffer, true);
}

Result<void> Ext2Fs::join(Result<void> prepared, BufferRef& buffer, bool data) {
    TRY(prepared);
    if (m_journal) {
        if (data) m_journal->add_data(buffer);
        else m_journal->add_metadata(buffer);
    }
    return {};
}

Task<void> Ext2Fs::join_after(Task<void> prepared, BufferRef& buffer, bool data) {
    Result<void> done = co_await mote::move(prepared);
    co_return join(mote::move(done), buffer, data);
}

void Ext2Fs::forget_metadata(u32 block) {
    if (m_journal) m_journal->revoke(block);
}

Task<void> Ext2Fs::commit() {
    CO_TRY(co_await write_pending());
    if (!m_journal) co_return Result<void> {};
    co_return co_await m_journal->commit();
}

}  // namespace mote::fs::ext2
