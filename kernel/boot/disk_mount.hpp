// DiskMount: the boot disk's filesystem, mounted for programs at /mnt.
//
// At boot the kernel picks a block device (mote.disk=NAME, default vda;
// mote.disk=none for none), mounts it as ext2/ext3 (mote.disk_ro=1 for
// read-only, mote.bcache=N buffers of cache) and only then starts init, so
// the first program already sees /mnt. A disk that is not ext2, or that the
// filesystem refuses, is logged and left alone: init starts without /mnt.
// Every kSyncPeriod the filesystem is synced (journal commit, dirty blocks
// home), so what a program wrote reaches the disk within seconds even if it
// never calls sync. At shutdown unmount() writes everything back and marks
// the volume clean.
//
// /sys/storage shows the mount: the filesystem's sizes, the block cache's
// bound and counters, and the driver's. Writing "sync" to it syncs; "drop"
// syncs and empties the caches (benchmarks measure cold reads that way).
#pragma once

#include "core/loop.hpp"
#include "core/timer.hpp"
#include "dev/block_device.hpp"
#include "fs/ext2/ext2_fs.hpp"
#include "fs/sys_node.hpp"
#include "mm/page_allocator.hpp"

namespace mote {

class DiskMount {
public:
    static constexpr Nanoseconds kSyncPeriod = 5'000'000'000;
    // How long power-off waits for the unmount's writes (a disk that stops
    // answering must not hang the machine).
    static constexpr Nanoseconds kUnmountLimit = 10'000'000'000;

    using Done = void (*)(DiskMount& mount, Result<void> result, void* context);

    DiskMount(Loop& loop, PageAllocator& pages);
    DiskMount(const DiskMount&) = delete;
    DiskMount& operator=(const DiskMount&) = delete;
    // VERIFYs it was unmounted, never mounted, or its unmount was given up.
    ~DiskMount();

    // Starts mounting; `done` runs when it has succeeded or failed (maybe
    // before start returns).
    void start(BlockDevice& device, fs::ext2::MountOptions options, Done done, void* context);

    bool mounted() const { return m_fs != nullptr; }
    // The disk it mounts (nullptr before start).
    BlockDevice* device() const { return m_device; }
    // Where programs see it (/mnt, or / with mote.root=), for sys/storage.
    void set_mount_point(StringView path) { m_mount_point = path; }
    fs::FsNode* root() { return m_root.get(); }
    fs::ext2::Ext2Fs* filesystem() { return m_fs; }
    fs::SysFile& sys_file() { return m_sys_file; }

    // Writes everything back and frees the filesystem, turning the loop
    // until that is done (shutdown: nothing else runs). Bounded.
    void unmount_now();

private:
    static void on_tick(Timer& timer);
    static void generate(FormatBuffer& out, void* context);
    static Result<void> apply(StringView text, void* context);

    Loop& m_loop;
    PageAllocator& m_pages;
    BlockDevice* m_device = nullptr;
    fs::ext2::Ext2Fs* m_fs = nullptr;
    fs::NodeRef m_root;
    Done m_done = nullptr;
    void* m_done_context = nullptr;
    Timer m_tick;
    bool m_syncing = false;
    StringView m_mount_point = "/mnt";
    // The unmount's outcome lives here, not on unmount_now's stack: a task
    // given up on may still complete later.
    bool m_unmount_done = false;
    bool m_unmount_stuck = false;
    Result<void> m_unmount_result = Result<void> {};
    u64 m_syncs = 0;
    u64 m_sync_errors = 0;
    bool m_dropping = false;
    u64 m_dropped = 0;
    // Writing "sync" or "drop" (privileged) starts a sync, or a sync and a
    // drop of every clean cached block and unused node (cold benchmarks);
    // `syncs` / `drops` in the file count the finished ones.
    u64 m_drops = 0;
    fs::SysFile m_sys_file {"storage", generate, this, apply, fs::SysFile::Access::WritePrivileged};
};

}  // namespace mote
