// The ext2 filesystem driver against images made by Debian's mke2fs: what
// it reads must be what mke2fs -d was given, and after it changes an image
// e2fsck -fn must find nothing wrong and debugfs must see the changes.
#include <gtest/gtest.h>

#include <algorithm>

#include <set>
#include <string>

#include "support/ext2_fs_fixture.hpp"
#include "support/ext2_images.hpp"

namespace mote {
namespace {

using namespace mote::ext2_test;

class Ext2FsTest : public ::testing::TestWithParam<const char*>, public Ext2FsFixture {
protected:
    void SetUp() override {
        if (!Ext2Images::get().ok()) GTEST_SKIP() << Ext2Images::get().error();
        for (const Image& image : Ext2Images::get().images())
            if (std::string(image.spec.name) == GetParam()) m_image = &image;
        ASSERT_NE(m_image, nullptr);
        load(m_image->bytes);
    }
    std::string save() {
        return Ext2FsFixture::save((Ext2Images::get().scratch() / (std::string(GetParam()) + "-out.img")).string());
    }
    const Image* m_image = nullptr;
};

std::string pattern(usize size, u32 seed) {
    std::string out(size, '\0');
    for (auto& c : out) {
        seed = seed * 1664525 + 1013904223;
        c = char(seed >> 24);
    }
    return out;
}

TEST_P(Ext2FsTest, ReadsWhatMke2fsWasGiven) {
    mount();
    NodeRef big = must_walk("big");
    const std::vector<u8> expected = big_content();
    EXPECT_TRUE(read_all(*big) == std::string(expected.begin(), expected.end()));
    EXPECT_EQ(read_all(*must_walk("a/b/c/deep.txt")), "deep\n");
    EXPECT_EQ(read_all(*must_walk("one")), "x");
    EXPECT_EQ(read_all(*must_walk("empty")), "");
    EXPECT_TRUE(read_all(*must_walk("twelve")) == std::string(12 * 1024, 'T'));
    EXPECT_TRUE(read_all(*must_walk("thirteen")) == std::string(12 * 1024 + 1, 'U'));

    // The sparse file: zeros through the hole, the tail through the
    // indirect blocks.
    NodeRef sparse = must_walk("sparse");
    EXPECT_EQ(sparse->stat().size, 70u * 1024 * 1024 + 4);
    std::vector<u8> tail(8);
    auto n = go(sparse->read(70 * 1024 * 1024 - 4, fs::IoBuffer::kernel(Span<u8>(tail.data(), tail.size()))));
    ASSERT_FALSE(n.is_error());
    EXPECT_EQ(std::string(tail.begin(), tail.begin() + long(n.value())), std::string("\0\0\0\0tail", 8));

    NodeRef fast = must_walk("fast");
    EXPECT_EQ(fast->stat().type, NodeType::Symlink);
    EXPECT_EQ(read_all(*fast), "target/of/a/fast/link");
    EXPECT_EQ(read_all(*must_walk("slow")), slow_target());
    EXPECT_EQ(read_all(*must_walk("edge59")), std::string(59, 'f'));
    EXPECT_EQ(read_all(*must_walk("edge60")), std::string(60, 's'));

    // Hard links: the count and the same inode.
    NodeRef hard = must_walk("hardlink");
    EXPECT_EQ(hard->stat().links, 2u);
    EXPECT_EQ(hard->stat().inode, must_walk("many/" + many_name(0))->stat().inode);

    // The big directory lists every name once (an indexed one too).
    NodeRef many = must_walk("many");
    std::set<std::string> names;
    fs::DirEntry entry;
    for (u64 i = 0;; ++i) {
        auto more = go(many->read_dir(i, entry));
        ASSERT_FALSE(more.is_error());
        if (!more.value()) break;
        names.insert(std::string(entry.name().data(), entry.name().length()));
    }
    EXPECT_EQ(names.size(), usize(kManyEntries + 1));
    EXPECT_TRUE(names.count(many_name(kManyEntries - 1)));
    EXPECT_TRUE(names.count(long_name()));
    EXPECT_EQ(walk("missing").error(), Error::NotFound);
}

TEST_P(Ext2FsTest, ChangesLeaveACleanImageThatDebugfsReads) {
    mount();
    NodeRef r = root();
    const std::string data = pattern(100000, 7);
    {
        NodeRef file = must_create(*r, "new", NodeType::File);
        ASSERT_EQ(write(*file, 0, data).value(), data.size());
    }
    NodeRef dir = must_create(*r, "dir", NodeType::Directory);
    {
        NodeRef inner = must_create(*dir, "inner", NodeType::File);
        ASSERT_EQ(write(*inner, 0, "inner text").value(), 10u);
        EXPECT_FALSE(go(r->link("hl", *inner)).is_error());
        EXPECT_EQ(inner->stat().links, 2u);
    }
    EXPECT_EQ(create(*r, "dir", NodeType::File).error(), Error::Exists);
    ASSERT_FALSE(create(*r, "s1", NodeType::Symlink, "dir/inner").is_error());
    const std::string slow(200, 'z');
    ASSERT_FALSE(create(*r, "s2", NodeType::Symlink, StringView(slow.data(), slow.size())).is_error());
    // rename: into another directory, over an existing file, a directory.
    EXPECT_FALSE(go(r->rename("one", *dir, "one2")).is_error());
    EXPECT_FALSE(go(r->rename("twelve", *r, "thirteen")).is_error());
    NodeRef a = must_walk("a");
    EXPECT_FALSE(go(a->rename("b", *dir, "b2")).is_error());
    EXPECT_EQ(go(dir->rename("b2", *must_walk("dir/b2/c"), "x")).error(), Error::BadState);  // into itself
    // unlink, rmdir (non-empty first).
    EXPECT_FALSE(go(r->unlink("empty", false)).is_error());
    EXPECT_EQ(go(r->unlink("dir", true)).error(), Error::NotEmpty);
    EXPECT_EQ(go(r->unlink("dir", false)).error(), Error::BadState);
    NodeRef c = must_walk("dir/b2/c");
    EXPECT_FALSE(go(c->unlink("deep.txt", false)).is_error());
    c.reset();
    EXPECT_FALSE(go(must_walk("dir/b2")->unlink("c", true)).is_error());
    // Many names out of the big (maybe indexed) directory, and new ones in.
    NodeRef many = must_walk("many");
    for (int i = 0; i < 100; ++i) {
        const std::string name = many_name(i);
        ASSERT_FALSE(go(many->unlink(StringView(name.data(), name.size()), false)).is_error()) << name;
    }
    for (int i = 0; i < 50; ++i) {
        const std::string name = "added_" + std::to_string(i);
        ASSERT_FALSE(create(*many, StringView(name.data(), name.size()), NodeType::File).is_error()) << name;
    }
    // truncate: shrink through the indirect blocks, grow with a hole.
    EXPECT_FALSE(go(must_walk("big")->truncate(5000)).is_error());
    EXPECT_FALSE(go(must_walk("sparse")->truncate(1000)).is_error());
    {
        NodeRef file = must_walk("new");
        EXPECT_FALSE(go(file->truncate(300000)).is_error());
        EXPECT_EQ(file->stat().size, 300000u);
    }
    many.reset();
    a.reset();
    dir.reset();
    r.reset();
    unmount();

    const std::string image = save();
    expect_fsck_clean(image);
    EXPECT_TRUE(debugfs(image, "cat /new").substr(0, data.size()) == data);
    EXPECT_EQ(debugfs(image, "cat /dir/inner"), "inner text");
    EXPECT_EQ(debugfs(image, "cat /hl"), "inner text");
    EXPECT_EQ(debugfs(image, "cat /dir/one2"), "x");
    EXPECT_TRUE(debugfs(image, "cat /thirteen") == std::string(12 * 1024, 'T'));
    const std::vector<u8> big = big_content();
    EXPECT_TRUE(debugfs(image, "cat /big") == std::string(big.begin(), big.begin() + 5000));
    EXPECT_NE(debugfs(image, "stat /dir/inner").find("Links: 2"), std::string::npos);
    EXPECT_NE(debugfs(image, "stat /s2").find("Type: symlink"), std::string::npos);
    EXPECT_NE(debugfs(image, "ls -l /dir/b2").find(".."), std::string::npos);
    EXPECT_EQ(debugfs(image, "stat /empty").find("Type: regular"), std::string::npos);

    // Every coroutine frame of the driver fits the frame cache's classes
    // (ARCHITECTURE.md, Composition, quotes the figure).
    EXPECT_EQ(frames->stats().failures, 0u);
    EXPECT_LE(frames->stats().largest, 2048u);
    std::printf("largest ext2 coroutine frame: %llu bytes\n", (unsigned long long)frames->stats().largest);

    // And Mote reads back what it wrote.
    mount();
    EXPECT_TRUE(read_all(*must_walk("new")).substr(0, data.size()) == data);
    EXPECT_EQ(read_all(*must_walk("new")).size(), 300000u);
    EXPECT_EQ(read_all(*must_walk("s1")), "dir/inner");
    EXPECT_EQ(read_all(*must_walk("s2")), slow);
    EXPECT_EQ(walk("dir/b2/c").error(), Error::NotFound);
}

// Listings resume where the last call stopped (a cursor per directory):
// a listing interleaved with changes, one read out of order, and one after
// the changes each give exactly the directory's names.
TEST_P(Ext2FsTest, ListingsStayExactAcrossChangesAndOutOfOrderReads) {
    mount();
    NodeRef many = must_walk("many");
    auto list = [&](std::vector<u64> order) {
        std::vector<std::string> out;
        fs::DirEntry entry;
        for (u64 i : order) {
            auto more = go(many->read_dir(i, entry));
            EXPECT_FALSE(more.is_error());
            if (more.is_error() || !more.value()) continue;
            out.emplace_back(entry.name().data(), entry.name().length());
        }
        return out;
    };
    std::vector<u64> forward;
    for (u64 i = 0; i < u64(kManyEntries) + 2; ++i) forward.push_back(i);
    const std::vector<std::string> before = list(forward);
    ASSERT_EQ(before.size(), usize(kManyEntries + 1));
    std::vector<u64> backward(forward.rbegin(), forward.rend());
    std::vector<std::string> reversed = list(backward);
    std::reverse(reversed.begin(), reversed.end());
    EXPECT_EQ(reversed, before);
    // Half a listing, then changes: what follows is a fresh listing's.
    (void)list(std::vector<u64>(forward.begin(), forward.begin() + kManyEntries / 2));
    ASSERT_FALSE(go(many->unlink(StringView(before[1].data(), before[1].size()), false)).is_error());
    must_create(*many, "late-arrival", NodeType::File);
    std::set<std::string> want(before.begin(), before.end());
    want.erase(before[1]);
    want.insert("late-arrival");
    const std::vector<std::string> after = list(forward);
    EXPECT_EQ(std::set<std::string>(after.begin(), after.end()), want);
    EXPECT_EQ(after.size(), want.size());
}

TEST_P(Ext2FsTest, DroppingCachesMakesTheNextReadGoToTheDisk) {
    mount();
    const std::vector<u8> expected = big_content();
    EXPECT_TRUE(read_all(*must_walk("big")) == std::string(expected.begin(), expected.end()));
    const u64 reads_warm = disk->reads_started;
    EXPECT_TRUE(read_all(*must_walk("big")) == std::string(expected.begin(), expected.end()));
    EXPECT_EQ(disk->reads_started, reads_warm);  // all hits
    auto dropped = go(fs->drop_caches());
    ASSERT_FALSE(dropped.is_error());
    EXPECT_GT(dropped.value(), 0u);
    EXPECT_TRUE(read_all(*must_walk("big")) == std::string(expected.begin(), expected.end()));
    EXPECT_GT(disk->reads_started, reads_warm);
}

// Cold inodes of one directory's files sit together in the inode table:
// the first one read brings a window of the table with it (one request),
// so stat'ing every file costs a few requests, not one per table block.
TEST_P(Ext2FsTest, ColdInodesComeInWithTheirNeighbours) {
    mount();
    NodeRef dir = must_create(*root(), "crowd", NodeType::Directory);
    constexpr int kFiles = 200;
    for (int i = 0; i < kFiles; ++i) must_create(*dir, StringView(("f" + std::to_string(i)).c_str()), NodeType::File);
    dir = NodeRef();
    ASSERT_FALSE(go(fs->drop_caches()).is_error());
    NodeRef crowd = must_walk("crowd");
    const fs::ext2::Geometry& g = fs->geometry();
    const u64 dir_blocks = crowd->stat().size / g.block_size;
    const u64 table_blocks = (u64(kFiles) * g.inode_size + g.block_size - 1) / g.block_size;
    const u64 windows = (table_blocks * g.block_size + Ext2Fs::kInodeReadAheadBytes - 1) / Ext2Fs::kInodeReadAheadBytes;
    const u64 before = disk->reads_started;
    for (int i = 0; i < kFiles; ++i) {
        NodeRef file = must_walk("crowd/f" + std::to_string(i));
        EXPECT_EQ(file->stat().size, 0u);
    }
    const u64 reads = disk->reads_started - before;
    // Each directory block once, each window of the table once (and one
    // more where a window starts mid-way).
    EXPECT_LE(reads, dir_blocks + windows + 1) << "table blocks " << table_blocks;
    EXPECT_LT(reads, dir_blocks + table_blocks);
}

// A directory of several blocks gets a name index (DirHash) from its first
// full scan: a lookup then visits only the block that holds the name, none
// for a missing name, and every change (create, unlink, rename) keeps the
// index exact. Without the index each missing name would read every block.
TEST_P(Ext2FsTest, ALongDirectoryIsIndexedAndTheIndexStaysExact) {
    mount();
    NodeRef dir = must_create(*root(), "long", NodeType::Directory);
    auto name = [](int i) { return "a-fairly-long-file-name-number-" + std::to_string(i); };
    auto view = [](const std::string& text) { return StringView(text.data(), text.size()); };
    constexpr int kNames = 400;
    for (int i = 0; i < kNames; ++i) must_create(*dir, view(name(i)), NodeType::File);
    const fs::ext2::Geometry& g = fs->geometry();
    ASSERT_GE(dir->stat().size / g.block_size, u64(Ext2Fs::kDirHashMinBlocks));
    auto visits = [&] {
        const BlockCacheStats stats = fs->cache().stats();
        return stats.hits + stats.misses;
    };
    auto lookup = [&](const std::string& text) { return go(dir->lookup(view(text))); };
    std::vector<bool> present(kNames, true);
    auto expect_exact = [&](const char* when) {
        for (int i = 0; i < kNames; ++i) {
            auto found = lookup(name(i));
            EXPECT_EQ(!found.is_error(), bool(present[i])) << when << ": " << name(i);
        }
        for (int i = 0; i < 50; ++i)
            EXPECT_EQ(lookup("missing-" + std::to_string(i)).error(), Error::NotFound) << when;
    };
    // The creates' own lookups built the index: 100 missing names cost no
    // directory block (a 32-bit hash collision would cost one).
    u64 before = visits();
    for (int i = 0; i < 100; ++i) EXPECT_EQ(lookup("absent-" + std::to_string(i)).error(), Error::NotFound);
    EXPECT_LE(visits() - before, 2u);
    expect_exact("after the creates");

    for (int i = 0; i < kNames; i += 3) {
        ASSERT_FALSE(go(dir->unlink(view(name(i)), false)).is_error()) << name(i);
        present[i] = false;
    }
    expect_exact("after the unlinks");
    // A rename within the directory: the new name is found, the old is not.
    ASSERT_FALSE(go(dir->rename(view(name(1)), *dir, view(name(0)))).is_error());
    present[0] = true;
    present[1] = false;
    expect_exact("after a rename");
    // New names fill the records the unlinks left.
    for (int i = 3; i < kNames; i += 3) {
        must_create(*dir, view(name(i)), NodeType::File);
        present[i] = true;
    }
    expect_exact("after the creates into freed records");
    before = visits();
    for (int i = 0; i < 100; ++i) EXPECT_EQ(lookup("absent-" + std::to_string(i)).error(), Error::NotFound);
    EXPECT_LE(visits() - before, 2u);

    // What is on disk agrees: e2fsck is clean, and after a new mount (the
    // index is built again from the blocks) every answer is the same.
    dir = NodeRef();
    unmount();
    expect_fsck_clean(save());
    mount();
    dir = must_walk("long");
    expect_exact("after a new mount");
}

TEST_P(Ext2FsTest, AFileRemovedWhileOpenIsFreedWhenClosed) {
    mount();
    NodeRef r = root();
    const abi::FsStat before = fs->stats();
    NodeRef file = must_create(*r, "doomed", NodeType::File);
    ASSERT_FALSE(write(*file, 0, pattern(50000, 3)).is_error());
    ASSERT_FALSE(go(r->unlink("doomed", false)).is_error());
    EXPECT_EQ(read_all(*file).size(), 50000u);  // still readable through the open reference
    EXPECT_LT(fs->stats().free_blocks, before.free_blocks);
    file.reset();
    for (int i = 0; i < 100; ++i) loop.turn(false);
    EXPECT_EQ(fs->stats().free_blocks, before.free_blocks);
    EXPECT_EQ(fs->stats().free_files, before.free_files);
    r.reset();
    unmount();
    expect_fsck_clean(save());
}

TEST_P(Ext2FsTest, AnOpenUnlinkedFileSurvivesACrashOnTheOrphanListAndIsFreedAtTheNextMount) {
    mount();
    const abi::FsStat before = fs->stats();
    std::vector<u8> crashed;
    {
        NodeRef r = root();
        NodeRef file = must_create(*r, "orphan", NodeType::File);
        ASSERT_FALSE(write(*file, 0, pattern(30000, 5)).is_error());
        ASSERT_FALSE(go(r->unlink("orphan", false)).is_error());
        ASSERT_FALSE(go(fs->sync()).is_error());
        crashed = disk->data;  // power lost here: the file is still open
    }
    unmount();
    // The crash image names the inode on its orphan list; a mount frees it.
    load(crashed);
    mount();
    EXPECT_EQ(fs->superblock().last_orphan, 0u);
    EXPECT_EQ(fs->stats().free_blocks, before.free_blocks);
    EXPECT_EQ(fs->stats().free_files, before.free_files);
    unmount();
    expect_fsck_clean(save());
}

TEST_P(Ext2FsTest, FillingTheDiskEndsInNoSpaceAndStaysClean) {
    mount();
    NodeRef r = root();
    NodeRef file = must_create(*r, "filler", NodeType::File);
    const std::string chunk = pattern(64 * 1024, 9);
    Error last = Error::Io;
    u64 offset = 0;
    for (int i = 0; i < 2000; ++i) {
        auto n = write(*file, offset, chunk);
        if (n.is_error()) {
            last = n.error();
            break;
        }
        offset += n.value();
        if (n.value() < chunk.size()) {
            last = write(*file, offset, chunk).error();
            break;
        }
    }
    EXPECT_EQ(last, Error::NoSpace);
    EXPECT_EQ(fs->stats().free_blocks, 0u);
    file.reset();
    r.reset();
    unmount();
    expect_fsck_clean(save());
}

INSTANTIATE_TEST_SUITE_P(Images, Ext2FsTest,
                         ::testing::Values("ext2-1k", "ext2-4k-index", "ext3-1k-index", "ext3-2k", "ext2-1k-nosparse"),
                         [](const auto& info) {
                             std::string name = info.param;
                             for (char& ch : name)
                                 if (ch == '-') ch = '_';
                             return name;
                         });

// Features: an unsupported incompat feature refuses the mount; an
// unsupported ro_compat one mounts read-only.
class Ext2FeatureTest : public ::testing::Test, public test::TaskFixture {
protected:
    Ext2FeatureTest() : test::TaskFixture(32 * test::kMiB) {}
    Result<Ext2Fs*> mount_image(const std::string& mkfs_options) {
        TempDir dir;
        const std::string path = (dir.path() / "f.img").string();
        if (ext2_test::run("truncate -s 8M " + path + " && mke2fs -q -F " + mkfs_options + " " + path).status != 0)
            return Error::Unsupported;
        disk.emplace(loop, 8 * 1024 * 2);
        disk->data = read_file(path);
        auto result = run(Ext2Fs::mount(*disk, loop, pages, {}), 100000);
        return result ? std::move(*result) : Result<Ext2Fs*>(Error::Timeout);
    }
    std::optional<test::MemoryDisk> disk;
};

TEST_F(Ext2FeatureTest, AnExtentFilesystemIsRefused) {
    if (!have_e2fsprogs()) GTEST_SKIP();
    auto fs = mount_image("-t ext4 -O ^metadata_csum,^64bit");
    ASSERT_TRUE(fs.is_error());
    EXPECT_EQ(fs.error(), Error::Unsupported);
}

TEST_F(Ext2FeatureTest, AnUnknownRoCompatFeatureMountsReadOnly) {
    if (!have_e2fsprogs()) GTEST_SKIP();
    auto mounted = mount_image("-t ext2 -O huge_file");
    ASSERT_FALSE(mounted.is_error()) << error_name(mounted.error());
    Ext2Fs* fs = mounted.value();
    EXPECT_TRUE(fs->read_only());
    EXPECT_TRUE(fs->stats().flags & abi::kFsReadOnly);
    {
        NodeRef r = fs->root();
        fs::CreateSpec spec;
        auto made = run(r->create("x", spec), 100000);
        ASSERT_TRUE(made.has_value());
        EXPECT_EQ(made->error(), Error::ReadOnly);
    }
    auto done = run(fs->unmount(), 100000);
    ASSERT_TRUE(done.has_value());
    EXPECT_FALSE(done->is_error());
}

TEST_F(Ext2FeatureTest, GarbageIsRefusedWithANamedFault) {
    disk.emplace(loop, 4096);
    for (usize i = 0; i < disk->data.size(); ++i) disk->data[i] = u8(i * 7);
    auto result = run(Ext2Fs::mount(*disk, loop, pages, {}), 100000);
    ASSERT_TRUE(result.has_value());
    ASSERT_TRUE(result->is_error());
    EXPECT_EQ(result->error(), Error::Malformed);
}

}  // namespace
}  // namespace mote
