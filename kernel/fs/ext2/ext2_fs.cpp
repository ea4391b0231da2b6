// Mounting and unmounting, the node cache, and filesystem-wide calls.
#include "fs/ext2/ext2_fs.hpp"

#include "base/memory.hpp"
#include "core/log.hpp"
#include "core/wall_clock.hpp"
#include "core/request_awaiter.hpp"
#include "fs/ext2/block_map.hpp"
#include "fs/ext2/directory_block.hpp"

namespace mote::fs::ext2 {

namespace {

usize pages_for(usize bytes) { return (bytes + kPageSize - 1) / kPageSize; }

}  // namespace

Ext2Fs::Ext2Fs(BlockDevice& device, Loop& loop, PageAllocator& pages)
    : m_device(device), m_loop(loop), m_pages(pages), m_cache(device, loop, pages), m_mutex(loop),
      m_node_slab("ext2-node", sizeof(Ext2Node), alignof(Ext2Node), pages) {}

Ext2Fs::~Ext2Fs() { release_memory(); }

void Ext2Fs::release_memory() {
    while (Ext2Node* node = m_unused.pop_front()) {
        Ext2Node::HashList& bucket = m_buckets[node->m_number % kNodeBuckets];
        bucket.remove(*node);
        destroy_node(*node);
    }
    destroy_journal();
    if (m_journal_pages) m_pages.free_pages(m_journal_phys, m_journal_pages);
    m_journal_pages = 0;
    if (m_groups_pages) m_pages.free_pages(m_groups_phys, m_groups_pages);
    m_groups_pages = 0;
}

Task<Ext2Fs*> Ext2Fs::mount(BlockDevice& device, Loop& loop, PageAllocator& pages, MountOptions options) {
    const usize self_pages = pages_for(sizeof(Ext2Fs));
    PhysAddr phys = CO_TRY(pages.allocate_pages(self_pages));
    Ext2Fs* fs = new (pages.to_virtual(phys)) Ext2Fs(device, loop, pages);
    fs->m_self_phys = phys;
    fs->m_self_pages = self_pages;
    Result<void> loaded = co_await fs->load(options);
    if (loaded.is_error()) {
        if (fs->m_root) {
            fs->m_root->m_refs = 0;
            fs->m_unused.push_back(*fs->m_root);
            fs->m_root = nullptr;
        }
        (void)co_await fs->m_cache.quiesce();
        fs->~Ext2Fs();
        pages.free_pages(phys, self_pages);
        co_return loaded.error();
    }
    device.set_holder("ext2");
    co_return fs;
}

Task<void> Ext2Fs::read_superblock_bytes(Bytes out) {
    // Before the cache exists (its block size comes from here): the
    // sectors covering bytes [1024, 2048) read directly.
    const u32 sector = m_device.info().sector_size;
    const u64 first = kSuperblockOffset / sector;
    const u64 last = (kSuperblockOffset + kSuperblockSize - 1) / sector;
    const u32 count = u32(last - first + 1);
    if (count * sector > kPageSize) co_return Error::Unsupported;
    PhysAddr page = CO_TRY(m_pages.allocate(0));
    u8* bytes = static_cast<u8*>(m_pages.to_virtual(page));
    BlockRequest request;
    request.op = BlockOp::Read;
    request.lba = first;
    request.sectors = count;
    request.buffer = Bytes(bytes, count * sector);
    Result<void> done = co_await submit_and_wait(request, [&] { return m_device.submit(request); });
    if (!done.is_error()) mem_copy(out.data(), bytes + (kSuperblockOffset - first * sector), kSuperblockSize);
    m_pages.free(page, 0);
    co_return done;
}

// Not in load(): its coroutine frame is near the frame cache's limit.
usize Ext2Fs::cache_blocks(const MountOptions& options, u32 block_size) const {
    usize blocks = options.cache_buffers;
    if (blocks == 0) {
        blocks = usize(m_pages.stats().free_pages * kPageSize / 16 / block_size);
        blocks = blocks < 256 ? 256 : blocks > 16384 ? 16384 : blocks;
    }
    return blocks < 32 ? 32 : blocks;
}

Task<void> Ext2Fs::load(MountOptions options) {
    // The raw superblock lives in the object, not in this (large) frame.
    u8* raw = m_raw_superblock;
    CO_TRY(co_await read_superblock_bytes(Bytes(raw, kSuperblockSize)));
    Ext2Fault fault = Ext2Fault::None;
    const char* refused = nullptr;
    auto sb = decode_superblock(ReadonlyBytes(raw, kSuperblockSize), &fault, &refused);
    if (sb.is_error()) {
        if (fault == Ext2Fault::BadMagic)
            log_info("ext2", "{}: no ext2 filesystem", m_device.name());
        else if (refused)
            log_warn("ext2", "{}: refusing to mount: unsupported feature {}", m_device.name(), refused);
        else
            log_warn("ext2", "{}: refusing to mount: bad superblock ({})", m_device.name(), ext2_fault_name(fault));
        co_return sb.error();
    }
    m_sb = sb.release_value();
    m_max_file_size = max_file_size(m_sb.geometry.block_size);
    const Geometry& g = m_sb.geometry;
    if (u64(g.blocks_count) * g.block_size > m_device.info().sectors * m_device.info().sector_size) {
        log_warn("ext2", "{}: refusing to mount: the filesystem ({} blocks) is larger than the device",
                 m_device.name(), g.blocks_count);
        co_return Error::Malformed;
    }
    if (m_sb.journal_is_external()) {
        log_warn("ext2", "{}: refusing to mount: external journal", m_device.name());
        co_return Error::Unsupported;
    }
    if (m_sb.needs_recovery && !m_sb.has_journal()) {
        log_warn("ext2", "{}: refusing to mount: needs_recovery without a journal", m_device.name());
        co_return Error::Malformed;
    }
    m_read_only = options.read_only || m_device.info().read_only;
    if (m_sb.read_only) {
        log_warn("ext2", "{}: mounting read-only: unsupported feature {}", m_device.name(),
                 m_sb.read_only_feature);
        m_read_only = true;
    }
    CO_TRY(m_cache.initialize(g.block_size, cache_blocks(options, g.block_size)));

    if (m_sb.has_journal()) {
        Result<void> opened = co_await open_journal();
        if (opened.is_error()) {
            if (m_sb.needs_recovery) co_return opened.error();  // its log must not be ignored
            log_warn("ext2", "{}: journal unusable ({}): mounting read-only", m_device.name(),
                     error_name(opened.error()));
            m_read_only = true;
        }
    }
    CO_TRY(co_await load_groups());

    Result<NodeRef> root = co_await get_node(kRootInode);
    if (root.is_error()) {
        log_warn("ext2", "{}: refusing to mount: the root directory is unreadable", m_device.name());
        co_return root.error();
    }
    if (root.value()->type() != NodeType::Directory) {
        log_warn("ext2", "{}: refusing to mount: the root is not a directory", m_device.name());
        co_return Error::Malformed;
    }
    m_root = static_cast<Ext2Node*>(root.value().get());
    m_root->retain();  // the mount's own reference, dropped by unmount

    if (!m_read_only && m_sb.last_orphan != 0) {
        Result<void> orphans = co_await process_orphans();
        if (orphans.is_error())
            log_warn("ext2", "{}: orphan list: {} (left to e2fsck)", m_device.name(), error_name(orphans.error()));
    }
    if (!m_read_only) {
        m_sb.mount_count = u16(m_sb.mount_count + 1);
        m_sb.mount_time = now_seconds();
        m_sb.state = u16(m_sb.state & ~kStateValid);
        // In use (and, on ext3, needs_recovery: a crash from here on leaves
        // a log to replay), on the disk before the first change.
        if (m_journal) m_sb.feature_incompat |= kIncompatRecover;
        CO_TRY(co_await commit());  // the orphans freed above: their superblock must not be held
        CO_TRY(co_await write_superblock(true));
    }
    m_live = true;
    log_info("ext2", "{}: mounted {}{}, {} KiB blocks, {} groups, {}/{} blocks free, cache of {} blocks",
             m_device.name(), m_journal ? "ext3" : "ext2", m_read_only ? " read-only" : "", g.block_size / 1024,
             g.group_count, m_sb.free_blocks_count, g.blocks_count, m_cache.stats().buffers);
    co_return Result<void> {};
}

Task<void> Ext2Fs::load_groups() {
    const Geometry& g = m_sb.geometry;
    m_groups_pages = pages_for(g.group_count * sizeof(GroupDescriptor));
    m_groups_phys = CO_TRY(m_pages.allocate_pages(m_groups_pages));
    m_groups = static_cast<GroupDescriptor*>(m_pages.to_virtual(m_groups_phys));
    for (u32 group = 0; group < g.group_count; ++group) {
        DescriptorLocation at = g.descriptor_location(group);
        BufferRef block = CO_TRY(co_await m_cache.read(at.block));
        Ext2Fault fault = Ext2Fault::None;
        auto decoded =
            decode_group_descriptor(g, group, ReadonlyBytes(block.data() + at.offset, kGroupDescriptorSize), &fault);
        if (decoded.is_error()) {
            log_warn("ext2", "{}: refusing to mount: group {} descriptor: {}", m_device.name(), group,
                     ext2_fault_name(fault));
            co_return decoded.error();
        }
        m_groups[group] = decoded.value();
    }
    co_return Result<void> {};
}

Task<void> Ext2Fs::write_superblock(bool direct) {
    // The primary copy only; e2fsck refreshes the backups (as Linux does,
    // which also leaves them alone while mounted).
    const Geometry& g = m_sb.geometry;
    BufferRef block = CO_TRY(co_await m_cache.read(kSuperblockOffset / g.block_size));
    if (direct) CO_TRY(co_await m_cache.prepare_modify(block));
    else CO_TRY(co_await modify(block));
    m_sb.write_time = now_seconds();
    encode_superblock(m_sb, Bytes(block.data() + kSuperblockOffset % g.block_size, kSuperblockSize));
    dirty(block);
    m_sb_dirty = false;
    if (direct) {
        CO_TRY(co_await m_cache.write_one(block));
        CO_TRY(co_await m_cache.flush());
    }
    co_return Result<void> {};
}

Task<void> Ext2Fs::unmount() {
    // Busy while programs hold nodes; otherwise it always frees the
    // filesystem, reporting the first write-back that failed (the volume
    // then stays marked in use, and e2fsck or the journal sorts it out).
    Result<void> outcome = Result<void> {};
    {
        auto guard = co_await m_mutex.lock();
        if (m_node_count - m_unused.size() > 1) co_return Error::Busy;
        m_live = false;
        if (!m_read_only) {
            // Everything committed and home, the log empty; then, last, the
            // superblock says clean (and no recovery needed).
            Result<void> step = co_await commit();
            if (!step.is_error()) step = co_await close_journal();
            if (!step.is_error()) step = co_await m_cache.sync();
            if (!step.is_error()) {
                m_sb.state = u16(m_sb.state | kStateValid);
                m_sb.feature_incompat &= ~kIncompatRecover;
                step = co_await write_superblock(true);
            }
            outcome = step;
        }
        (void)co_await m_cache.quiesce();
    }
    m_root->m_refs = 0;
    m_unused.push_back(*m_root);
    m_root = nullptr;
    m_device.set_holder({});
    PageAllocator& pages = m_pages;
    PhysAddr phys = m_self_phys;
    usize count = m_self_pages;
    this->~Ext2Fs();
    pages.free_pages(phys, count);
    co_return outcome;
}

abi::FsStat Ext2Fs::stats() {
    abi::FsStat out {};
    const Geometry& g = m_sb.geometry;
    out.block_size = g.block_size;
    out.blocks = g.blocks_count;
    out.free_blocks = m_sb.free_blocks_count;
    out.avail_blocks =
        m_sb.free_blocks_count > m_sb.reserved_blocks_count ? m_sb.free_blocks_count - m_sb.reserved_blocks_count : 0;
    out.files = g.inodes_count;
    out.free_files = m_sb.free_inodes_count;
    out.flags = (m_read_only ? abi::kFsReadOnly : 0) | (m_journal ? abi::kFsJournal : 0);
    out.name_max = kDirNameMax;
    const char* type = m_journal ? "ext3" : "ext2";
    mem_copy(out.type, type, 5);
    return out;
}

Task<void> Ext2Fs::sync() {
    auto guard = co_await m_mutex.lock();
    if (m_read_only) co_return Result<void> {};
    CO_TRY(co_await commit());
    CO_TRY(co_await m_cache.sync());
    co_return Result<void> {};
}

Task<u64> Ext2Fs::drop_caches() {
    auto guard = co_await m_mutex.lock();
    if (!m_read_only) {
        CO_TRY(co_await commit());
        CO_TRY(co_await m_cache.sync());
    }
    while (Ext2Node* node = m_unused.pop_front()) {
        m_buckets[node->m_number % kNodeBuckets].remove(*node);
        destroy_node(*node);
    }
    co_return m_cache.drop_clean();
}

// ---- nodes ----------------------------------------------------------------

Task<NodeRef> Ext2Fs::get_node(u32 number) {
    Ext2Node::HashList& bucket = m_buckets[number % kNodeBuckets];
    for (Ext2Node& node : bucket) {
        if (node.m_number != number) continue;
        if (node.m_refs == 0) m_unused.remove(node);
        co_return NodeRef(node);
    }
    const Geometry& g = m_sb.geometry;
    Ext2Fault fault = Ext2Fault::None;
    auto where = locate_inode(g, number, &fault);
    if (where.is_error()) co_return corrupt(fault, number, "inode number");
    const InodeLocation at = where.value();
    Inode inode;
    {
        const u64 block = m_groups[at.group].inode_table + at.table_block;
        BufferRef table = m_cache.peek(block);
        if (!table) {
            // A cold inode: its neighbours are likely next (the files of one
            // directory sit together in its group's table), so read a
            // window of the table from here as one request, as ext4 does
            // (inode_readahead_blks).
            const u32 window = kInodeReadAheadBytes / g.block_size;
            const u32 left = g.inode_table_blocks - at.table_block;
            m_cache.prefetch(block, window < left ? window : left);
            table = CO_TRY(co_await m_cache.read(block));
        }
        auto decoded = decode_inode(g, ReadonlyBytes(table.data() + at.offset, g.inode_size), &fault);
        if (decoded.is_error()) co_return corrupt(fault, number, "inode");
        inode = decoded.value();
    }
    // Another task may have loaded it while this one waited for the block.
    for (Ext2Node& node : bucket) {
        if (node.m_number != number) continue;
        if (node.m_refs == 0) m_unused.remove(node);
        co_return NodeRef(node);
    }
    co_return make_node(number, inode);
}

Result<NodeRef> Ext2Fs::make_node(u32 number, const Inode& inode) {
    for (Ext2Node& stale : m_buckets[number % kNodeBuckets]) VERIFY(stale.m_number != number);
    // Make room: drop the least recently used unreferenced node.
    if (m_node_count >= kNodeCacheMax) {
        if (Ext2Node* old = m_unused.pop_front()) {
            m_buckets[old->m_number % kNodeBuckets].remove(*old);
            destroy_node(*old);
        }
    }
    void* memory = TRY(m_node_slab.allocate());
    Ext2Node* node = new (memory) Ext2Node(*this, number);
    node->m_inode = inode;
    m_buckets[number % kNodeBuckets].push_back(*node);
    ++m_node_count;
    return NodeRef(*node);
}

void Ext2Fs::destroy_node(Ext2Node& node) {
    node.~Ext2Node();  // its DirHash's pages go back too
    m_node_slab.free(&node);
    --m_node_count;
}

void Ext2Node::release() {
    VERIFY(m_refs > 0);
    if (--m_refs == 0) m_fs.node_released(*this);
}

void Ext2Fs::node_released(Ext2Node& node) {
    if (node.m_freed) {
        // Freed: its number may be handed out again, so the node goes.
        m_buckets[node.m_number % kNodeBuckets].remove(node);
        destroy_node(node);
        return;
    }
    if (node.m_inode.links_count == 0 && !m_read_only && m_live && !node.m_broken) {
        // Its last name went while it was open: free it now, in a task of
        // its own (release cannot wait). The node stays referenced by the
        // task until it is done.
        node.m_refs = 1;
        struct Reaper {
            static void done(void* context, Result<void>& result) {
                auto* n = static_cast<Ext2Node*>(context);
                if (result.is_error()) {
                    log_warn("ext2", "freeing inode {} failed: {}", n->number(), error_name(result.error()));
                    // Never again: a failure that repeats at once would
                    // otherwise release, reap and fail without end.
                    n->m_broken = true;
                }
                n->release();
            }
        };
        Task<void> task = reap(node);
        task.start(Reaper::done, &node);
        return;
    }
    m_unused.push_back(node);
}

Task<void> Ext2Fs::reap(Ext2Node& node) {
    auto guard = co_await m_mutex.lock();
    if (node.m_inode.links_count != 0 || node.m_freed) co_return Result<void> {};
    CO_TRY(co_await begin_change(16));
    Result<void> done = co_await drop_link(node);
    CO_TRY(co_await end_change());
    co_return done;
}

Task<void> Ext2Fs::write_inode(Ext2Node& node) {
    const Geometry& g = m_sb.geometry;
    Ext2Fault fault = Ext2Fault::None;
    auto where = locate_inode(g, node.m_number, &fault);
    if (where.is_error()) co_return corrupt(fault, node.m_number, "inode number");
    const InodeLocation at = where.value();
    BufferRef table = CO_TRY(co_await m_cache.read(m_groups[at.group].inode_table + at.table_block));
    CO_TRY(co_await modify(table));
    encode_inode(g, node.m_inode, Bytes(table.data() + at.offset, g.inode_size));
    dirty(table);
    co_return Result<void> {};
}

Error Ext2Fs::corrupt(Ext2Fault fault, u32 inode, const char* what) {
    ++m_counters.corrupt;
    m_counters.last_fault = fault;
    log_warn("ext2", "{}: corrupt {} (inode {}): {}", m_device.name(), what, inode, ext2_fault_name(fault));
    return fault == Ext2Fault::ExtentsUnsupported || fault == Ext2Fault::InlineDataUnsupported ? Error::Unsupported
                                                                                                : Error::Malformed;
}

// The wall clock; without one (no RTC), the latest time the volume itself
// records: never 0 (e2fsck reads a small deletion time as an orphan-list
// link) and never earlier than what is already on it.
u32 Ext2Fs::now_seconds() const {
    if (wall_clock_known()) return wall_clock_seconds();
    u32 t = m_sb.write_time;
    if (m_sb.mount_time > t) t = m_sb.mount_time;
    if (m_sb.mkfs_time > t) t = m_sb.mkfs_time;
    return t ? t : 1;
}

}  // namespace mote::fs::ext2
