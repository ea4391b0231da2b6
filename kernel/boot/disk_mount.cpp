#include "boot/disk_mount.hpp"

#include "base/format.hpp"
#include "core/log.hpp"

namespace mote {

DiskMount::DiskMount(Loop& loop, PageAllocator& pages) : m_loop(loop), m_pages(pages), m_tick(on_tick, this) {}

DiskMount::~DiskMount() { VERIFY_MSG(!m_fs || m_unmount_stuck, "the boot disk was not unmounted"); }

void DiskMount::start(BlockDevice& device, fs::ext2::MountOptions options, Done done, void* context) {
    m_device = &device;
    m_done = done;
    m_done_context = context;
    auto task = fs::ext2::Ext2Fs::mount(device, m_loop, m_pages, options);
    task.start(
        [](void* ctx, Result<fs::ext2::Ext2Fs*>& result) {
            auto* self = static_cast<DiskMount*>(ctx);
            if (result.is_error()) {
                log_info("disk", "{}: not mounted: {}", self->m_device->name(), error_name(result.error()));
                self->m_done(*self, result.error(), self->m_done_context);
                return;
            }
            self->m_fs = result.value();
            self->m_root = self->m_fs->root();
            if (!self->m_fs->read_only()) self->m_loop.arm_after(self->m_tick, kSyncPeriod, kSyncPeriod);
            self->m_done(*self, Result<void> {}, self->m_done_context);
        },
        this);
}

void DiskMount::on_tick(Timer& timer) {
    auto* self = static_cast<DiskMount*>(timer.context());
    if (!self->m_fs || self->m_syncing) return;
    self->m_syncing = true;
    auto task = self->m_fs->sync();
    task.start(
        [](void* ctx, Result<void>& result) {
            auto* me = static_cast<DiskMount*>(ctx);
            me->m_syncing = false;
            ++me->m_syncs;
            if (result.is_error()) {
                ++me->m_sync_errors;
                log_warn("disk", "{}: periodic sync failed: {}", me->m_device->name(), error_name(result.error()));
            }
        },
        self);
}

Result<void> DiskMount::apply(StringView text, void* context) {
    auto* self = static_cast<DiskMount*>(context);
    while (text.length() && (text[text.length() - 1] == '\n' || text[text.length() - 1] == ' '))
        text = text.substr(0, text.length() - 1);
    if (!self->m_fs) return Error::BadState;
    if (text == "sync") {
        on_tick(self->m_tick);
        return {};
    }
    if (text != "drop") return Error::InvalidArgument;
    if (self->m_dropping) return Error::Busy;
    self->m_dropping = true;
    auto task = self->m_fs->drop_caches();
    task.start(
        [](void* ctx, Result<u64>& result) {
            auto* me = static_cast<DiskMount*>(ctx);
            me->m_dropping = false;
            ++me->m_drops;
            if (!result.is_error()) me->m_dropped += result.value();
        },
        self);
    return {};
}

void DiskMount::unmount_now() {
    if (!m_fs) return;
    m_loop.cancel(m_tick);
    // A periodic sync in flight finishes first (it holds the filesystem's
    // lock; unmount waits for it).
    m_root.reset();
    m_unmount_done = false;
    auto task = m_fs->unmount();
    task.start(
        [](void* ctx, Result<void>& result) {
            auto* self = static_cast<DiskMount*>(ctx);
            self->m_unmount_result = result;
            self->m_unmount_done = true;
        },
        this);
    if (!m_loop.run_until(m_unmount_done, kUnmountLimit)) {
        log_error("disk", "{}: unmount did not finish; the volume stays marked in use", m_device->name());
        m_unmount_stuck = true;
        return;  // its task still refers to the filesystem: leave it
    }
    if (m_unmount_result.is_error())
        log_warn("disk", "{}: unmount: {}", m_device->name(), error_name(m_unmount_result.error()));
    else
        log_info("disk", "{}: unmounted cleanly", m_device->name());
    m_fs = nullptr;
}

void DiskMount::generate(FormatBuffer& out, void* context) {
    auto* self = static_cast<DiskMount*>(context);
    if (!self->m_fs) {
        format_append(out, "mounted: no\n");
        return;
    }
    fs::ext2::Ext2Fs& fs = *self->m_fs;
    const abi::FsStat st = fs.stats();
    format_append(out, "device: {}\nmount: {}\ntype: {}\nread_only: {}\n", self->m_device->name(), self->m_mount_point,
                  StringView(st.type), (st.flags & abi::kFsReadOnly) ? "yes" : "no");
    format_append(out, "block_size: {}\nblocks: {}\nfree_blocks: {}\ninodes: {}\nfree_inodes: {}\n", st.block_size,
                  st.blocks, st.free_blocks, st.files, st.free_files);
    const BlockCacheStats c = fs.cache().stats();
    format_append(out,
                  "cache_buffers: {}\ncache_cached: {}\ncache_pinned: {}\ncache_dirty: {}\ncache_hits: {}\n"
                  "cache_misses: {}\ncache_coalesced: {}\ncache_readahead: {}\ncache_readahead_used: {}\n"
                  "cache_evictions: {}\ncache_writes: {}\ncache_flushes: {}\ncache_read_errors: {}\n"
                  "cache_write_errors: {}\ncache_runs: {}\ncache_run_blocks: {}\n",
                  c.buffers, c.cached, c.pinned, c.dirty, c.hits, c.misses, c.coalesced, c.readahead,
                  c.readahead_used, c.evictions, c.writes, c.flushes, c.read_errors, c.write_errors, c.runs,
                  c.run_blocks);
    const fs::ext2::Ext2Counters& e = fs.counters();
    format_append(out,
                  "lookups: {}\nblocks_allocated: {}\nblocks_freed: {}\ninodes_allocated: {}\ninodes_freed: {}\n"
                  "corrupt: {}\nlast_fault: {}\nsyncs: {}\nsync_errors: {}\ndrops: {}\nblocks_dropped: {}\n",
                  e.lookups, e.blocks_allocated, e.blocks_freed, e.inodes_allocated, e.inodes_freed, e.corrupt,
                  fs::ext2::ext2_fault_name(e.last_fault), self->m_syncs, self->m_sync_errors, self->m_drops,
                  self->m_dropped);
}

}  // namespace mote
