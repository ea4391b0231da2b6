// Mounts the input as an ext2/ext3 image (bytes past its end read as zeros,
// the disk as large as its superblock says, up to 16 MiB) with the real
// driver over a RAM disk, walks it (directories listed, files and symlinks
// read, bounded), then changes it (create, write, mkdir, rename, unlink,
// truncate) and unmounts. Whatever the bytes, the driver must answer with
// errors, never crash, trip a sanitizer or VERIFY, leak a node, a buffer
// pin or a coroutine frame: after unmount every page and frame is back.
//
// Seeds: seeds/ext2_fs_fuzz (small mke2fs images, as for ext2_format_fuzz).
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <string>
#include <vector>

#include "../unit/support/memory_disk.hpp"
#include "../unit/support/task_fixture.hpp"
#include "base/verify.hpp"
#include "fs/ext2/ext2_fs.hpp"
#include "fs/walk.hpp"

using namespace mote;
using fs::NodeRef;

namespace {

constexpr usize kMaxDisk = 16 << 20;
constexpr int kMaxTurns = 200000;
constexpr usize kMaxEntries = 40;
constexpr int kMaxDepth = 4;

test::TaskFixture& fixture() {
    static test::TaskFixture* f = new test::TaskFixture(8 * test::kMiB);
    return *f;
}

// The filesystem's own memory, apart from the frame cache's (which keeps
// its slabs), so a leak shows as a page count that does not come back.
struct FsMemory {
    FsMemory() : ram(40 * test::kMiB) {
        PhysRange range = ram.range(0, 40 * test::kMiB);
        MUST(pages.initialize(Span<const PhysRange>(&range, 1), ram.offset()));
    }
    test::FakeRam ram;
    PageAllocator pages;
};

FsMemory& fs_memory() {
    static FsMemory* m = new FsMemory();
    return *m;
}

template <typename T>
Result<T> go(Task<T> task) {
    auto result = fixture().run(static_cast<Task<T>&&>(task), kMaxTurns);
    VERIFY_MSG(result.has_value(), "a filesystem task never finished on a RAM disk");
    return static_cast<Result<T>&&>(*result);
}

void visit(fs::FsNode& node, int depth, usize& budget) {
    if (budget == 0) return;
    --budget;
    std::vector<u8> bytes(4096);
    const fs::Stat st = node.stat();
    if (st.type == fs::NodeType::File || st.type == fs::NodeType::Symlink) {
        for (u64 offset = 0; offset < 64 * 1024; offset += bytes.size()) {
            auto n = go(node.read(offset, fs::IoBuffer::kernel(Span<u8>(bytes.data(), bytes.size()))));
            if (n.is_error() || n.value() == 0) break;
            VERIFY(n.value() <= bytes.size());
        }
        return;
    }
    if (st.type != fs::NodeType::Directory || depth >= kMaxDepth) return;
    for (u64 i = 0; i < kMaxEntries; ++i) {
        fs::DirEntry entry;
        auto more = go(node.read_dir(i, entry));
        if (more.is_error() || !more.value()) break;
        VERIFY(entry.name_length > 0 && entry.name_length <= abi::kNameMax);
        auto child = go(node.lookup(entry.name()));
        if (child.is_error()) continue;
        visit(*child.value(), depth + 1, budget);
    }
}

void change(fs::FsNode& root) {
    {
        fs::CreateSpec file;
        auto made = go(root.create("fuzz-file", file));
        if (!made.is_error()) {
            std::vector<u8> data(20000, 0x5a);
            (void)go(made.value()->write(0, fs::IoBuffer::kernel(ReadonlyBytes(data.data(), data.size()))));
            (void)go(made.value()->truncate(3000));
        }
    }
    fs::CreateSpec dir;
    dir.type = fs::NodeType::Directory;
    bool made_dir = false;
    {
        auto sub = go(root.create("fuzz-dir", dir));
        if (!sub.is_error()) {
            made_dir = true;
            (void)go(root.rename("fuzz-file", *sub.value(), "moved"));
            (void)go(sub.value()->unlink("moved", false));
        }
    }
    if (made_dir) (void)go(root.unlink("fuzz-dir", true));
    // Whatever the image held at the top: rename and remove it.
    fs::DirEntry entry;
    if (!go(root.read_dir(0, entry)).is_error()) {
        std::string name(entry.name().data(), entry.name().length());
        (void)go(root.rename(entry.name(), root, "renamed-by-fuzz"));
        (void)go(root.unlink("renamed-by-fuzz", false));
        (void)name;
    }
    fs::CreateSpec link;
    link.type = fs::NodeType::Symlink;
    link.target = "a/b/c";
    (void)go(root.create("fuzz-link", link));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    test::TaskFixture& f = fixture();
    usize disk_bytes = 2 << 20;
    if (size >= 2048) {
        const u32 blocks = u32(data[1028]) | u32(data[1029]) << 8 | u32(data[1030]) << 16 | u32(data[1031]) << 24;
        const u32 log = u32(data[1048]) | u32(data[1049]) << 8;
        if (log <= 2 && u64(blocks) << (10 + log) <= kMaxDisk) disk_bytes = usize(u64(blocks) << (10 + log));
    }
    if (disk_bytes < size) disk_bytes = size < kMaxDisk ? size : kMaxDisk;
    disk_bytes = (disk_bytes + 511) & ~usize(511);
    if (disk_bytes < 4096) disk_bytes = 4096;
    PageAllocator& pages = fs_memory().pages;
    const u64 free_before = pages.stats().free_pages;

    test::MemoryDisk disk(f.loop, disk_bytes / 512);
    memcpy(disk.data.data(), data, size < disk_bytes ? size : disk_bytes);
    fs::ext2::MountOptions options;
    options.cache_buffers = 32;
    auto mounted = go(fs::ext2::Ext2Fs::mount(disk, f.loop, pages, options));
    if (!mounted.is_error()) {
        fs::ext2::Ext2Fs* fs = mounted.value();
        {
            NodeRef root = fs->root();
            usize budget = 200;
            visit(*root, 0, budget);
            if (!fs->read_only()) change(*root);
        }
        // Let any deferred freeing finish, then unmount must succeed.
        for (int i = 0; i < 100; ++i) f.loop.turn(false);
        // It may report what it could not write back, but it always lets go.
        (void)go(fs->unmount());
    }
    VERIFY_MSG(pages.stats().free_pages == free_before, "pages leaked by a mount");
    VERIFY_MSG(f.frames->stats().in_use == 0, "coroutine frames leaked");
    return 0;
}
