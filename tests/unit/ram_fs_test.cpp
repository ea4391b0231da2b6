// RamFs (fs/ram_fs.hpp) over a page allocator on fake RAM: files, holes
// and the page map's index levels, truncate, directories and their link
// counts, hard links, symlinks, rename (moves, replacements, refusals),
// unlinked-but-open nodes, the byte and node budgets, times, statfs, and
// every page back to the allocator afterwards.
//
// The expected semantics are POSIX's. Besides the hand-written cases, a
// differential test runs the same random operations on a RamFs and on a
// directory of the host's own filesystem (through the POSIX calls), and
// compares what succeeded and what the trees look like after each step:
// names, types, sizes, link counts and contents come from the host kernel,
// not from the code under test.
#include <gtest/gtest.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "fs/ram_fs.hpp"
#include "support/fake_ram.hpp"
#include "support/fs_sync.hpp"

using namespace mote;
using namespace mote::fs;
using namespace mote::test;

namespace {

std::string read_all(FsNode& node) {
    std::string out;
    u8 chunk[1000];
    for (u64 offset = 0;;) {
        auto n = read_now(node, offset, Span<u8>(chunk, sizeof chunk));
        EXPECT_TRUE(n.ok());
        if (!n.ok() || n.value() == 0) break;
        out.append(reinterpret_cast<char*>(chunk), n.value());
        offset += n.value();
    }
    return out;
}

Result<usize> write_string(FsNode& node, u64 offset, const std::string& text) {
    return write_now(node, offset, ReadonlyBytes(reinterpret_cast<const u8*>(text.data()), text.size()));
}

std::vector<std::string> names(FsNode& dir) {
    std::vector<std::string> out;
    for (u64 i = 0;; ++i) {
        DirEntry entry;
        auto more = read_dir_now(dir, i, entry);
        EXPECT_TRUE(more.ok());
        if (!more.ok() || !more.value()) break;
        out.emplace_back(entry.name().data(), entry.name().length());
    }
    return out;
}

i64 g_clock = 0;
i64 fake_now(void*) { return g_clock; }

class RamFsTest : public ::testing::Test {
protected:
    void SetUp() override {
        PhysRange range = ram.range(0, ram.size());
        ASSERT_TRUE(pages.initialize(Span<const PhysRange>(&range, 1), ram.offset()).ok());
        before = pages.stats();
        g_clock = 1'000'000'000;
        make({.bytes = 2 * kMiB, .nodes = 64});
    }
    void TearDown() override {
        destroy();
        EXPECT_TRUE(same_free_state(pages.stats(), before)) << "every page back to the allocator";
    }

    void make(RamFs::Limits limits) {
        destroy();
        fs = new (storage) RamFs(pages, limits, FsClock {fake_now, nullptr});
    }
    void destroy() {
        if (fs) fs->~RamFs();
        fs = nullptr;
    }
    FsNode& root() { return fs->root(); }

    // The node at `path` (following symlinks).
    FsNode* at(StringView path) {
        auto found = walk_now(root(), path, nullptr, WalkOptions {.mode = WalkMode::Any, .follow_last = true, .scratch = Span<char>(scratch, sizeof scratch)});
        return found.ok() ? found.value().get() : nullptr;
    }

    FakeRam ram {8 * kMiB};
    PageAllocator pages;
    PageAllocatorStats before;
    alignas(RamFs) u8 storage[sizeof(RamFs)];
    RamFs* fs = nullptr;
    char scratch[kWalkScratchBytes];
};

TEST_F(RamFsTest, AnEmptyRoot) {
    Stat stat = root().stat();
    EXPECT_EQ(stat.type, NodeType::Directory);
    EXPECT_EQ(stat.inode, 1u);
    EXPECT_EQ(stat.links, 2u);
    EXPECT_EQ(stat.mode, 01777u);
    EXPECT_EQ(stat.mtime_ns, 1'000'000'000);
    EXPECT_TRUE(names(root()).empty());
    EXPECT_EQ(lookup_now(root(), "x").error(), Error::NotFound);
    EXPECT_EQ(root().filesystem(), fs);
    EXPECT_FALSE(root().may_wait());
    mote::abi::FsStat fsstat = fs->stats();
    EXPECT_STREQ(fsstat.type, "ramfs");
    EXPECT_EQ(fsstat.block_size, kPageSize);
    EXPECT_EQ(fsstat.blocks, 2 * kMiB / kPageSize);
    EXPECT_EQ(fsstat.free_blocks, fsstat.blocks);
    EXPECT_EQ(fsstat.files, 64u);
    EXPECT_EQ(fsstat.free_files, 63u);
    EXPECT_EQ(fsstat.name_max, 255u);
    EXPECT_EQ(fsstat.flags, 0u);
}

TEST_F(RamFsTest, FilesReadBackWhatWasWritten) {
    NodeRef file = create_now(root(), "a", NodeType::File, 0640).value();
    Stat stat = file->stat();
    EXPECT_EQ(stat.type, NodeType::File);
    EXPECT_EQ(stat.mode, 0640u);
    EXPECT_EQ(stat.size, 0u);
    EXPECT_EQ(stat.links, 1u);
    EXPECT_EQ(stat.inode, 2u);
    EXPECT_EQ(write_string(*file, 0, "hello").value(), 5u);
    EXPECT_EQ(write_string(*file, 5, ", world").value(), 7u);
    EXPECT_EQ(read_all(*file), "hello, world");
    EXPECT_EQ(write_string(*file, 7, "W").value(), 1u);
    EXPECT_EQ(read_all(*file), "hello, World");
    EXPECT_EQ(file->stat().size, 12u);
    EXPECT_EQ(file->stat().blocks, 8u) << "one page, in 512-byte units";
    // Reads past the end, and zero-length writes.
    u8 byte;
    EXPECT_EQ(read_now(*file, 12, Span<u8>(&byte, 1)).value(), 0u);
    EXPECT_EQ(read_now(*file, 1000, Span<u8>(&byte, 1)).value(), 0u);
    EXPECT_EQ(write_string(*file, 100, "").value(), 0u);
    EXPECT_EQ(file->stat().size, 12u);
    EXPECT_EQ(lookup_now(root(), "a").value().get(), file.get());
    EXPECT_EQ(lookup_now(*file, "x").error(), Error::BadState);
    DirEntry entry;
    EXPECT_EQ(read_dir_now(*file, 0, entry).error(), Error::BadState);
}

TEST_F(RamFsTest, HolesReadAsZerosAndCostNothing) {
    NodeRef file = create_now(root(), "sparse").value();
    u64 used = fs->bytes_used();
    ASSERT_TRUE(write_string(*file, 3 * kPageSize + 10, "end").ok());
    EXPECT_EQ(file->stat().size, 3 * kPageSize + 13);
    EXPECT_EQ(fs->bytes_used(), used + kPageSize) << "only the written page";
    std::string all = read_all(*file);
    ASSERT_EQ(all.size(), 3 * kPageSize + 13);
    EXPECT_EQ(all.substr(0, 3 * kPageSize + 10), std::string(3 * kPageSize + 10, '\0'));
    EXPECT_EQ(all.substr(3 * kPageSize + 10), "end");
}

TEST_F(RamFsTest, ThePageMapReachesItsIndexLevels) {
    make({.bytes = 8 * kMiB, .nodes = 8});
    NodeRef file = create_now(root(), "big").value();
    // The last direct page, the first and last pages behind the single
    // index, and pages behind the double index.
    const u64 direct_end = PageMap::kDirect;
    const u64 single_end = direct_end + PageMap::kPerIndex;
    std::vector<u64> pages_written = {0, direct_end - 1, direct_end, single_end - 1, single_end, single_end + 1,
                                      single_end + PageMap::kPerIndex, PageMap::kMaxPages - 1};
    u64 base = fs->bytes_used();
    for (u64 page : pages_written) {
        std::string text = "page " + std::to_string(page);
        ASSERT_TRUE(write_string(*file, page * kPageSize + 100, text).ok()) << page;
    }
    // Pages, plus index pages: the single one, the double one, and three
    // inner ones (for single_end, single_end + kPerIndex and the last).
    EXPECT_EQ(fs->bytes_used() - base, (pages_written.size() + 1 + 1 + 3) * kPageSize);
    for (u64 page : pages_written) {
        std::string text = "page " + std::to_string(page);
        char got[32] = {};
        ASSERT_EQ(read_now(*file, page * kPageSize + 100, Span<u8>(reinterpret_cast<u8*>(got), text.size())).value(),
                  text.size());
        EXPECT_EQ(std::string(got, text.size()), text);
    }
    EXPECT_EQ(file->stat().size, (PageMap::kMaxPages - 1) * kPageSize + 100 + 4 + std::to_string(PageMap::kMaxPages - 1).size() + 1);
    // Past the largest file.
    EXPECT_EQ(write_string(*file, RamNode::kMaxFileBytes, "x").error(), Error::Overflow);
    EXPECT_EQ(truncate_now(*file, RamNode::kMaxFileBytes + 1).error(), Error::Overflow);
    // A write that would cross the limit is cut there.
    EXPECT_EQ(write_string(*file, RamNode::kMaxFileBytes - 2, "abcd").value(), 2u);
    // Cutting back to a direct page frees the index pages too.
    ASSERT_TRUE(truncate_now(*file, 5).ok());
    EXPECT_EQ(fs->bytes_used() - base, kPageSize);
    EXPECT_EQ(read_all(*file), std::string(5, '\0'));
}

TEST_F(RamFsTest, TruncateCutsAndExtendsWithZeros) {
    NodeRef file = create_now(root(), "t").value();
    std::string text(kPageSize + 100, 'x');
    ASSERT_TRUE(write_string(*file, 0, text).ok());
    u64 used = fs->bytes_used();
    g_clock = 5;
    ASSERT_TRUE(truncate_now(*file, 10).ok());
    EXPECT_EQ(file->stat().size, 10u);
    EXPECT_EQ(file->stat().mtime_ns, 5);
    EXPECT_EQ(file->stat().ctime_ns, 5);
    EXPECT_EQ(fs->bytes_used(), used - kPageSize);
    // Growing again: the old bytes past 10 must not come back.
    ASSERT_TRUE(truncate_now(*file, 2 * kPageSize).ok());
    std::string all = read_all(*file);
    EXPECT_EQ(all, std::string(10, 'x') + std::string(2 * kPageSize - 10, '\0'));
    ASSERT_TRUE(truncate_now(*file, 0).ok());
    EXPECT_EQ(read_all(*file), "");
    EXPECT_EQ(file->stat().blocks, 0u);
    NodeRef dir = mkdir_now(root(), "d").value();
    EXPECT_EQ(truncate_now(*dir, 0).error(), Error::BadState);
}

TEST_F(RamFsTest, DirectoriesListSortedAndCountTheirLinks) {
    NodeRef a = mkdir_now(root(), "a", 0700).value();
    EXPECT_EQ(a->stat().links, 2u);
    EXPECT_EQ(a->stat().mode, 0700u);
    EXPECT_EQ(root().stat().links, 3u);
    for (const char* name : {"zeta", "b", "alpha", "B", "b2"}) ASSERT_TRUE(create_now(*a, name).ok()) << name;
    ASSERT_TRUE(mkdir_now(*a, "sub").ok());
    EXPECT_EQ(names(*a), (std::vector<std::string> {"B", "alpha", "b", "b2", "sub", "zeta"}));
    EXPECT_EQ(a->stat().links, 3u);
    EXPECT_EQ(a->stat().size, 6u) << "a directory's size is its entry count";
    DirEntry entry;
    ASSERT_TRUE(read_dir_now(*a, 4, entry).value());
    EXPECT_EQ(entry.name(), StringView("sub"));
    EXPECT_EQ(entry.type, NodeType::Directory);
    EXPECT_EQ(entry.inode, lookup_now(*a, "sub").value()->stat().inode);
    EXPECT_FALSE(read_dir_now(*a, 6, entry).value());
    EXPECT_EQ(create_now(*a, "b").error(), Error::Exists);
    EXPECT_EQ(mkdir_now(*a, "b").error(), Error::Exists);
    EXPECT_EQ(create_now(*a, "").error(), Error::InvalidArgument);
    EXPECT_EQ(create_now(*a, ".").error(), Error::InvalidArgument);
    EXPECT_EQ(create_now(*a, "..").error(), Error::InvalidArgument);
    EXPECT_EQ(create_now(*a, "x/y").error(), Error::InvalidArgument);
    EXPECT_EQ(create_now(*a, std::string(256, 'n').c_str()).error(), Error::InvalidArgument);
    EXPECT_TRUE(create_now(*a, std::string(255, 'n').c_str()).ok());
    EXPECT_EQ(create_now(*a, "m", NodeType::File, 010000).error(), Error::InvalidArgument);
    EXPECT_EQ(create_now(*a, "dev", NodeType::Device).error(), Error::InvalidArgument);
    NodeRef file = lookup_now(*a, "b").value();
    EXPECT_EQ(create_now(*file, "x").error(), Error::BadState);
    EXPECT_EQ(write_string(*a, 0, "x").error(), Error::BadState);
    EXPECT_EQ(read_now(*a, 0, Span<u8>()).error(), Error::BadState);
}

TEST_F(RamFsTest, UnlinkRemovesNamesAndNodesGoWithTheLastReference) {
    u64 empty_bytes = fs->bytes_used();
    NodeRef dir = mkdir_now(root(), "d").value();
    {
        NodeRef file = create_now(*dir, "f").value();
        ASSERT_TRUE(write_string(*file, 0, std::string(3 * kPageSize, 'q')).ok());
    }
    EXPECT_EQ(unlink_now(*dir, "f", true).error(), Error::BadState) << "rmdir of a file";
    EXPECT_EQ(unlink_now(root(), "d", false).error(), Error::BadState) << "unlink of a directory";
    EXPECT_EQ(unlink_now(root(), "d", true).error(), Error::NotEmpty);
    EXPECT_EQ(unlink_now(root(), "nope").error(), Error::NotFound);
    EXPECT_EQ(unlink_now(*lookup_now(*dir, "f").value(), "x").error(), Error::BadState);
    // An open file outlives its name.
    NodeRef open_file = lookup_now(*dir, "f").value();
    ASSERT_TRUE(unlink_now(*dir, "f").ok());
    EXPECT_EQ(lookup_now(*dir, "f").error(), Error::NotFound);
    EXPECT_EQ(open_file->stat().links, 0u);
    EXPECT_EQ(read_all(*open_file), std::string(3 * kPageSize, 'q'));
    EXPECT_EQ(write_string(*open_file, 0, "still").value(), 5u);
    EXPECT_EQ(link_now(*dir, "back", *open_file).error(), Error::NotFound) << "no new name for an unlinked file";
    u64 nodes = fs->nodes_used();
    open_file.reset();
    EXPECT_EQ(fs->nodes_used(), nodes - 1);
    // A removed directory that is still referenced takes no new entries.
    ASSERT_TRUE(unlink_now(root(), "d", true).ok());
    EXPECT_EQ(dir->stat().links, 0u);
    EXPECT_EQ(create_now(*dir, "late").error(), Error::NotFound);
    EXPECT_EQ(root().stat().links, 2u);
    dir.reset();
    EXPECT_EQ(fs->bytes_used(), empty_bytes);
    EXPECT_EQ(fs->nodes_used(), 1u);
}

TEST_F(RamFsTest, HardLinksShareTheNode) {
    NodeRef file = create_now(root(), "one").value();
    ASSERT_TRUE(write_string(*file, 0, "shared").ok());
    NodeRef dir = mkdir_now(root(), "d").value();
    g_clock = 77;
    ASSERT_TRUE(link_now(*dir, "two", *file).ok());
    EXPECT_EQ(file->stat().links, 2u);
    EXPECT_EQ(file->stat().ctime_ns, 77);
    EXPECT_EQ(dir->stat().mtime_ns, 77);
    EXPECT_EQ(lookup_now(*dir, "two").value().get(), file.get());
    EXPECT_EQ(link_now(*dir, "two", *file).error(), Error::Exists);
    EXPECT_EQ(link_now(root(), "dirlink", *dir).error(), Error::BadState);
    EXPECT_EQ(link_now(*file, "x", *file).error(), Error::BadState);
    ASSERT_TRUE(unlink_now(root(), "one").ok());
    EXPECT_EQ(file->stat().links, 1u);
    EXPECT_EQ(read_all(*lookup_now(*dir, "two").value()), "shared");
    // Another filesystem's node.
    alignas(RamFs) static u8 other_storage[sizeof(RamFs)];
    auto* other = new (other_storage) RamFs(pages, {.bytes = kMiB, .nodes = 4});
    {
        NodeRef foreign = create_now(other->root(), "f").value();
        EXPECT_EQ(link_now(root(), "f", *foreign).error(), Error::CrossDevice);
        EXPECT_EQ(rename_now(other->root(), "f", root(), "f").error(), Error::CrossDevice);
        EXPECT_EQ(rename_now(root(), "d", other->root(), "d").error(), Error::CrossDevice);
    }
    other->~RamFs();
}

TEST_F(RamFsTest, RenameMovesAndReplaces) {
    NodeRef a = mkdir_now(root(), "a").value();
    NodeRef b = mkdir_now(root(), "b").value();
    NodeRef f = create_now(*a, "f").value();
    ASSERT_TRUE(write_string(*f, 0, "F").ok());
    // Within a directory, then across.
    ASSERT_TRUE(rename_now(*a, "f", *a, "g").ok());
    EXPECT_EQ(names(*a), std::vector<std::string> {"g"});
    ASSERT_TRUE(rename_now(*a, "g", *b, "h").ok());
    EXPECT_TRUE(names(*a).empty());
    EXPECT_EQ(lookup_now(*b, "h").value().get(), f.get());
    EXPECT_EQ(rename_now(*a, "g", *b, "x").error(), Error::NotFound);
    // Replacing a file: the old one goes (nothing else refers to it).
    {
        NodeRef old = create_now(*b, "old").value();
        ASSERT_TRUE(write_string(*old, 0, "OLD").ok());
    }
    u64 nodes = fs->nodes_used();
    ASSERT_TRUE(rename_now(*b, "h", *b, "old").ok());
    EXPECT_EQ(fs->nodes_used(), nodes - 1);
    EXPECT_EQ(read_all(*lookup_now(*b, "old").value()), "F");
    EXPECT_EQ(names(*b), std::vector<std::string> {"old"});
    // Directories: moving one updates both parents' link counts.
    NodeRef sub = mkdir_now(*a, "sub").value();
    EXPECT_EQ(a->stat().links, 3u);
    ASSERT_TRUE(rename_now(*a, "sub", *b, "sub").ok());
    EXPECT_EQ(a->stat().links, 2u);
    EXPECT_EQ(b->stat().links, 3u);
    // Type mismatches and non-empty targets.
    EXPECT_EQ(rename_now(*b, "sub", *b, "old").error(), Error::BadState) << "directory over a file";
    EXPECT_EQ(rename_now(*b, "old", *b, "sub").error(), Error::BadState) << "file over a directory";
    ASSERT_TRUE(create_now(*sub, "inside").ok());
    ASSERT_TRUE(mkdir_now(*a, "empty").ok());
    EXPECT_EQ(rename_now(*a, "empty", *b, "sub").error(), Error::NotEmpty);
    // An empty directory is replaced by a directory.
    ASSERT_TRUE(mkdir_now(*a, "target").ok());
    ASSERT_TRUE(rename_now(*b, "sub", *a, "target").ok());
    EXPECT_EQ(lookup_now(*a, "target").value().get(), sub.get());
    EXPECT_EQ(a->stat().links, 4u) << "empty and target";
    EXPECT_EQ(b->stat().links, 2u);
    // Never below itself.
    EXPECT_EQ(rename_now(root(), "a", *sub, "a").error(), Error::BadState);
    EXPECT_EQ(rename_now(*a, "target", *sub, "x").error(), Error::BadState);
    // Two names of one file: nothing happens, both stay (POSIX).
    ASSERT_TRUE(link_now(*b, "alias", *lookup_now(*b, "old").value()).ok());
    ASSERT_TRUE(rename_now(*b, "alias", *b, "old").ok());
    EXPECT_EQ(names(*b), (std::vector<std::string> {"alias", "old"}));
    // Onto itself.
    ASSERT_TRUE(rename_now(*b, "old", *b, "old").ok());
    EXPECT_EQ(rename_now(*b, "old", *b, "").error(), Error::InvalidArgument);
    EXPECT_EQ(rename_now(*b, "old", *f, "x").error(), Error::BadState);
}

TEST_F(RamFsTest, SymlinksHoldTheirTarget) {
    NodeRef link = symlink_now(root(), "l", "some/where/../else").value();
    Stat stat = link->stat();
    EXPECT_EQ(stat.type, NodeType::Symlink);
    EXPECT_EQ(stat.size, 18u);
    EXPECT_EQ(stat.mode, 0777u);
    EXPECT_EQ(read_all(*link), "some/where/../else");
    EXPECT_EQ(write_string(*link, 0, "x").error(), Error::BadState);
    EXPECT_EQ(truncate_now(*link, 0).error(), Error::BadState);
    EXPECT_EQ(symlink_now(root(), "e", "").error(), Error::InvalidArgument);
    std::string longest(RamNode::kMaxTarget, 't');
    EXPECT_TRUE(symlink_now(root(), "long", StringView(longest.data(), longest.size())).ok());
    std::string too_long(RamNode::kMaxTarget + 1, 't');
    EXPECT_EQ(symlink_now(root(), "too", StringView(too_long.data(), too_long.size())).error(), Error::InvalidArgument);
    EXPECT_EQ(read_all(*lookup_now(root(), "long").value()), longest);
    // Hard links to a symlink are allowed (as Linux).
    ASSERT_TRUE(link_now(root(), "l2", *link).ok());
    EXPECT_EQ(link->stat().links, 2u);
    DirEntry entry;
    ASSERT_TRUE(read_dir_now(root(), 0, entry).value());
    EXPECT_EQ(entry.type, NodeType::Symlink);
}

TEST_F(RamFsTest, TheBudgetsAreNoSpace) {
    make({.bytes = 16 * kPageSize, .nodes = 4});
    ASSERT_TRUE(create_now(root(), "a").ok());
    ASSERT_TRUE(mkdir_now(root(), "b").ok());
    ASSERT_TRUE(symlink_now(root(), "c", "a").ok());
    EXPECT_EQ(create_now(root(), "d").error(), Error::NoSpace) << "four nodes, the root included";
    EXPECT_EQ(fs->stats().free_files, 0u);
    ASSERT_TRUE(unlink_now(root(), "c").ok());
    NodeRef file = create_now(root(), "d").value();
    // Bytes: a write that runs out part way keeps what fit.
    u64 room = fs->stats().free_blocks;
    ASSERT_GT(room, 2u);
    std::string big((room + 3) * kPageSize, 'z');
    auto wrote = write_string(*file, 0, big);
    ASSERT_TRUE(wrote.ok());
    EXPECT_EQ(wrote.value(), (room - 1) * kPageSize) << "past 12 pages, one page of the budget is the index page";
    EXPECT_EQ(write_string(*file, wrote.value(), "more").error(), Error::NoSpace);
    EXPECT_EQ(file->stat().size, wrote.value());
    EXPECT_EQ(fs->stats().free_blocks, 0u);
    EXPECT_EQ(symlink_now(root(), "s", "x").error(), Error::NoSpace);
    // Space comes back.
    ASSERT_TRUE(truncate_now(*file, 0).ok());
    EXPECT_EQ(fs->stats().free_blocks, room);
    EXPECT_TRUE(write_string(*file, 0, "ok").ok());
}

TEST_F(RamFsTest, TimesFollowTheClock) {
    g_clock = 100;
    NodeRef dir = mkdir_now(root(), "d").value();
    EXPECT_EQ(root().stat().mtime_ns, 100);
    g_clock = 200;
    NodeRef file = create_now(*dir, "f").value();
    Stat stat = file->stat();
    EXPECT_EQ(stat.atime_ns, 200);
    EXPECT_EQ(stat.mtime_ns, 200);
    EXPECT_EQ(stat.ctime_ns, 200);
    EXPECT_EQ(dir->stat().mtime_ns, 200);
    g_clock = 300;
    ASSERT_TRUE(write_string(*file, 0, "x").ok());
    EXPECT_EQ(file->stat().mtime_ns, 300);
    EXPECT_EQ(file->stat().atime_ns, 200) << "reads and writes leave atime";
    read_all(*file);
    EXPECT_EQ(file->stat().atime_ns, 200);
    g_clock = 400;
    ASSERT_TRUE(set_times_now(*file, 11, mote::abi::kTimeOmit).ok());
    stat = file->stat();
    EXPECT_EQ(stat.atime_ns, 11);
    EXPECT_EQ(stat.mtime_ns, 300);
    EXPECT_EQ(stat.ctime_ns, 400);
    ASSERT_TRUE(set_times_now(*file, mote::abi::kTimeOmit, 22).ok());
    EXPECT_EQ(file->stat().atime_ns, 11);
    EXPECT_EQ(file->stat().mtime_ns, 22);
    EXPECT_EQ(set_times_now(*file, -5, 0).error(), Error::InvalidArgument);
    g_clock = 500;
    ASSERT_TRUE(rename_now(*dir, "f", root(), "g").ok());
    EXPECT_EQ(file->stat().ctime_ns, 500);
    EXPECT_EQ(file->stat().mtime_ns, 22) << "a rename is not a change of contents";
    EXPECT_EQ(dir->stat().mtime_ns, 500);
    EXPECT_EQ(root().stat().mtime_ns, 500);
}

TEST_F(RamFsTest, WithoutAClockTimesAreZero) {
    destroy();
    fs = new (storage) RamFs(pages, {.bytes = kMiB, .nodes = 8});
    NodeRef file = create_now(root(), "f").value();
    EXPECT_EQ(file->stat().mtime_ns, 0);
    EXPECT_EQ(root().stat().ctime_ns, 0);
}

TEST_F(RamFsTest, DestroyingAPopulatedTreeFreesEverything) {
    // Nested directories, hard links across them and symlinks; TearDown
    // checks the allocator.
    NodeRef a = mkdir_now(root(), "a").value();
    NodeRef b = mkdir_now(*a, "b").value();
    NodeRef c = mkdir_now(*b, "c").value();
    NodeRef f = create_now(*c, "f").value();
    ASSERT_TRUE(write_string(*f, 20 * kPageSize, "deep").ok());
    ASSERT_TRUE(link_now(root(), "f-again", *f).ok());
    ASSERT_TRUE(link_now(*a, "f-third", *f).ok());
    ASSERT_TRUE(symlink_now(*b, "up", "../..").ok());
    ASSERT_TRUE(mkdir_now(root(), "z").ok());
    ASSERT_TRUE(create_now(root(), "y").ok());
}

// ---------------------------------------------------------------------------
// Walking through a RamFs: symlinks (walk.hpp)

class RamWalkTest : public RamFsTest {
protected:
    void SetUp() override {
        RamFsTest::SetUp();
        make({.bytes = 2 * kMiB, .nodes = 128});
        // a/b/file, a/c/, and links of every kind.
        NodeRef a = mkdir_now(root(), "a").value();
        NodeRef b = mkdir_now(*a, "b").value();
        NodeRef c = mkdir_now(*a, "c").value();
        NodeRef file = create_now(*b, "file").value();
        ASSERT_TRUE(write_string(*file, 0, "FILE").ok());
        ASSERT_TRUE(symlink_now(*a, "to-b", "b").ok());
        ASSERT_TRUE(symlink_now(*a, "to-file", "b/file").ok());
        ASSERT_TRUE(symlink_now(*c, "up-file", "../b/file").ok());
        ASSERT_TRUE(symlink_now(*c, "dangling", "nothing").ok());
        ASSERT_TRUE(symlink_now(*c, "escape", "../../..").ok());
        ASSERT_TRUE(symlink_now(*c, "absolute", "/a").ok());
        ASSERT_TRUE(symlink_now(*c, "self", "self").ok());
        ASSERT_TRUE(symlink_now(*c, "ping", "pong").ok());
        ASSERT_TRUE(symlink_now(*c, "pong", "ping").ok());
        ASSERT_TRUE(symlink_now(root(), "top", "a/to-b/../c").ok());
        // chain0 -> chain1 -> ... -> chain8 -> a/b/file
        for (int i = 0; i < 9; ++i) {
            std::string name = "chain" + std::to_string(i);
            std::string target = i == 8 ? "a/b/file" : "chain" + std::to_string(i + 1);
            ASSERT_TRUE(symlink_now(root(), name.c_str(), target.c_str()).ok());
        }
    }

    struct Walked {
        FsNode* node = nullptr;
        WalkFault fault = WalkFault::None;
        Error error = Error::InvalidArgument;
        bool ok = false;
    };
    Walked walk_from(FsNode& start, const std::string& path, bool follow_last = true, usize scratch_size = kWalkScratchBytes) {
        Walked w;
        auto found = walk_now(start, StringView(path.data(), path.size()), &w.fault,
                              WalkOptions {.mode = WalkMode::Any, .follow_last = follow_last, .scratch = Span<char>(scratch, scratch_size)});
        w.ok = found.ok();
        if (found.ok()) w.node = found.value().get();
        else w.error = found.error();
        return w;
    }
    Walked walk(const std::string& path, bool follow_last = true) { return walk_from(root(), path, follow_last); }
    FsNode* file() { return at("a/b/file"); }
};

TEST_F(RamWalkTest, LinksOnTheWayAreFollowed) {
    ASSERT_NE(file(), nullptr);
    EXPECT_EQ(walk("a/to-b/file").node, file());
    EXPECT_EQ(walk("a/to-b").node, at("a/b"));
    EXPECT_EQ(walk("a/to-b/").node, at("a/b"));
    EXPECT_EQ(walk("a/to-file").node, file());
    EXPECT_EQ(walk("a/c/up-file").node, file()) << "relative to the link's own directory";
    EXPECT_EQ(walk("top").node, at("a/c"));
    EXPECT_EQ(walk("top/up-file").node, file());
    EXPECT_EQ(walk("a/to-b/../c").node, at("a/c")) << "'..' after a link climbs from its target";
    EXPECT_EQ(walk("a/c/../to-b//file").node, file());
    EXPECT_EQ(walk("a/to-b/file").fault, WalkFault::None);
}

TEST_F(RamWalkTest, TheLastLinkItselfWhenAsked) {
    Walked w = walk("a/to-file", false);
    ASSERT_TRUE(w.ok);
    EXPECT_EQ(w.node->type(), NodeType::Symlink);
    EXPECT_EQ(read_all(*w.node), "b/file");
    // Only the last: earlier links are still followed.
    w = walk("a/to-b/file", false);
    EXPECT_EQ(w.node, file());
    // A trailing '/' asks for the directory behind it.
    w = walk("a/to-b/", false);
    EXPECT_EQ(w.node, at("a/b"));
    w = walk("a/to-file/", false);
    EXPECT_EQ(w.fault, WalkFault::NotDirectory);
    EXPECT_EQ(walk("a/c/dangling", false).node->type(), NodeType::Symlink);
    EXPECT_EQ(walk("a/c/escape", false).node->type(), NodeType::Symlink) << "not followed, so not judged";
}

TEST_F(RamWalkTest, TargetsCannotEscapeTheStart) {
    Walked w = walk("a/c/escape");
    EXPECT_EQ(w.fault, WalkFault::EscapesStart);
    EXPECT_EQ(w.error, Error::Malformed);
    w = walk("a/c/absolute");
    EXPECT_EQ(w.fault, WalkFault::AbsolutePath);
    // The same link from deeper down may climb as far as the start, no
    // further: from a/, "up-file" reaches b/file through "..".
    FsNode* a = at("a");
    EXPECT_EQ(walk_from(*a, "c/up-file").node, file());
    // From a/c itself, "../b/file" climbs above the start.
    FsNode* c = at("a/c");
    EXPECT_EQ(walk_from(*c, "up-file").fault, WalkFault::EscapesStart);
    EXPECT_EQ(walk_from(*at("a/b"), "../to-b").fault, WalkFault::EscapesStart) << "lexical, as before";
}

TEST_F(RamWalkTest, LoopsAndLongChainsStop) {
    EXPECT_EQ(walk("a/c/self").fault, WalkFault::SymlinkLoop);
    EXPECT_EQ(walk("a/c/ping").fault, WalkFault::SymlinkLoop);
    EXPECT_EQ(walk("a/c/ping/x").fault, WalkFault::SymlinkLoop);
    EXPECT_EQ(walk("a/c/ping").error, Error::Malformed);
    // chain1 is eight links from the file, chain0 nine.
    EXPECT_EQ(walk("chain1").node, file());
    EXPECT_EQ(walk("chain0").fault, WalkFault::SymlinkLoop);
    EXPECT_EQ(kWalkLinksMax, 8u);
}

TEST_F(RamWalkTest, DanglingLinksAreNotFound) {
    Walked w = walk("a/c/dangling");
    EXPECT_EQ(w.fault, WalkFault::NotFound);
    EXPECT_EQ(w.error, Error::NotFound);
    EXPECT_EQ(walk("a/c/dangling/x").fault, WalkFault::NotFound);
    EXPECT_EQ(walk("a/to-file/x").fault, WalkFault::NotDirectory);
}

TEST_F(RamWalkTest, SplicingNeedsScratch) {
    EXPECT_EQ(walk_from(root(), "a/to-b/file", true, 0).fault, WalkFault::PathTooLong);
    // Just enough: "b" + "/file".
    EXPECT_EQ(walk_from(root(), "a/to-b/file", true, 6).node, file());
    EXPECT_EQ(walk_from(root(), "a/to-b/file", true, 5).fault, WalkFault::PathTooLong);
    // The plain walk() has none: links are not followed, and paths without
    // links still work.
    WalkFault fault;
    EXPECT_EQ(walk_now(root(), "a/to-b/file", &fault).error(), Error::Malformed);
    EXPECT_EQ(fault, WalkFault::PathTooLong);
    EXPECT_EQ(walk_now(root(), "a/b/file", &fault).value().get(), file());
    // A target with a component too long for a name.
    std::string long_name(300, 'n');
    ASSERT_TRUE(symlink_now(root(), "longname", StringView(long_name.data(), long_name.size())).ok());
    EXPECT_EQ(walk("longname").fault, WalkFault::NameTooLong);
    // A target with a NUL in it.
    ASSERT_TRUE(symlink_now(root(), "nul", StringView("a\0b", 3)).ok());
    EXPECT_EQ(walk("nul").fault, WalkFault::NulInPath);
}

TEST_F(RamWalkTest, DepthCountsThroughLinks) {
    // d0/d1/.../d30 then a link that adds three more levels.
    FsNode* dir = &root();
    std::string path;
    for (int i = 0; i < 30; ++i) {
        std::string name = "d" + std::to_string(i);
        ASSERT_TRUE(mkdir_now(*dir, name.c_str()).ok());
        dir = lookup_now(*dir, name.c_str()).value().get();
        path += name + "/";
    }
    ASSERT_TRUE(mkdir_now(*dir, "x").ok());
    ASSERT_TRUE(mkdir_now(*lookup_now(*dir, "x").value(), "y").ok());
    ASSERT_TRUE(symlink_now(*dir, "two", "x/y").ok());
    EXPECT_TRUE(walk(path + "two").ok) << "32 levels";
    std::string xy = path + "x/y";
    ASSERT_TRUE(mkdir_now(*at(StringView(xy.data(), xy.size())), "z").ok());
    EXPECT_EQ(walk(path + "two/z").fault, WalkFault::TooDeep);
}

TEST(SplitPath, ParentAndName) {
    struct Case {
        const char* path;
        const char* parent;
        const char* name;
        bool slash;
    };
    for (const Case& c : {Case {"a/b/c", "a/b", "c", false}, Case {"c", ".", "c", false}, Case {"a/b/", "a", "b", true},
                          Case {"a//b//", "a", "b", true}, Case {"./x", ".", "x", false}, Case {"a/../b", "a/..", "b", false}}) {
        PathSplit split;
        ASSERT_EQ(split_path(c.path, split), WalkFault::None) << c.path;
        EXPECT_EQ(std::string(split.parent.data(), split.parent.length()), c.parent) << c.path;
        EXPECT_EQ(std::string(split.name.data(), split.name.length()), c.name) << c.path;
        EXPECT_EQ(split.trailing_slash, c.slash) << c.path;
    }
    PathSplit split;
    for (const char* p : {".", "a/..", "a/.", "./", "a/./", "a/b/.."}) EXPECT_EQ(split_path(p, split), WalkFault::NoLastName) << p;
    EXPECT_EQ(split_path("..", split), WalkFault::EscapesStart);
    EXPECT_EQ(split_path("/a", split), WalkFault::AbsolutePath);
    EXPECT_EQ(split_path("", split), WalkFault::EmptyPath);
    EXPECT_EQ(split_path("../a", split), WalkFault::EscapesStart);
    EXPECT_STREQ(walk_fault_name(WalkFault::SymlinkLoop), "SymlinkLoop");
    EXPECT_STREQ(walk_fault_name(WalkFault::NoLastName), "NoLastName");
}

// ---------------------------------------------------------------------------
// Differential: the same operations on a RamFs and on the host's filesystem

// A host directory, removed afterwards.
class HostDir {
public:
    HostDir() {
        char pattern[] = "/tmp/mote-ramfs-XXXXXX";
        const char* made = ::mkdtemp(pattern);
        EXPECT_NE(made, nullptr);
        m_path = made ? made : "";
    }
    ~HostDir() {
        std::string command = "rm -rf '" + m_path + "'";
        if (!m_path.empty()) (void)std::system(command.c_str());
    }
    std::string at(const std::string& relative) const { return m_path + "/" + relative; }

private:
    std::string m_path;
};

// What an operation came to, in terms both sides can give: POSIX's errno
// and RamFs's Error both fold into these.
enum class HostOutcome { Ok, Exists, NotFound, NotEmpty, Refused };

HostOutcome from_errno(int result) {
    if (result == 0) return HostOutcome::Ok;
    switch (errno) {
    case EEXIST: return HostOutcome::Exists;
    case ENOENT: return HostOutcome::NotFound;
    case ENOTEMPTY: return HostOutcome::NotEmpty;
    default: return HostOutcome::Refused;  // EISDIR, ENOTDIR, EINVAL, EPERM: BadState's cases
    }
}

HostOutcome from_error(Result<void> result) {
    if (result.ok()) return HostOutcome::Ok;
    switch (result.error()) {
    case Error::Exists: return HostOutcome::Exists;
    case Error::NotFound: return HostOutcome::NotFound;
    case Error::NotEmpty: return HostOutcome::NotEmpty;
    default: return HostOutcome::Refused;
    }
}

// A tree as text: one line per entry, with type, size, link count and
// contents (symlink targets), in sorted order.
std::string host_tree(const std::string& path, const std::string& prefix = "") {
    std::vector<std::string> entries;
    DIR* dir = ::opendir(path.c_str());
    if (!dir) return "?";
    while (dirent* entry = ::readdir(dir)) {
        std::string name = entry->d_name;
        if (name != "." && name != "..") entries.push_back(name);
    }
    ::closedir(dir);
    std::sort(entries.begin(), entries.end());
    std::string out;
    for (const std::string& name : entries) {
        std::string full = path + "/" + name;
        struct stat st;
        ::lstat(full.c_str(), &st);
        out += prefix + name + " links=" + std::to_string(st.st_nlink);
        if (S_ISDIR(st.st_mode)) {
            out += " dir\n" + host_tree(full, prefix + name + "/");
        } else if (S_ISLNK(st.st_mode)) {
            char target[512];
            ssize_t n = ::readlink(full.c_str(), target, sizeof target);
            out += " link " + std::string(target, n > 0 ? usize(n) : 0) + "\n";
        } else {
            std::string contents;
            int fd = ::open(full.c_str(), O_RDONLY);
            char buffer[4096];
            ssize_t n;
            while (fd >= 0 && (n = ::read(fd, buffer, sizeof buffer)) > 0) contents.append(buffer, usize(n));
            if (fd >= 0) ::close(fd);
            out += " file " + std::to_string(st.st_size) + " " + contents + "\n";
        }
    }
    return out;
}

std::string ram_tree(FsNode& dir, const std::string& prefix = "") {
    std::string out;
    for (const std::string& name : names(dir)) {
        NodeRef node = lookup_now(dir, name.c_str()).value();
        Stat stat = node->stat();
        out += prefix + name + " links=" + std::to_string(stat.links);
        if (stat.type == NodeType::Directory) out += " dir\n" + ram_tree(*node, prefix + name + "/");
        else if (stat.type == NodeType::Symlink) out += " link " + read_all(*node) + "\n";
        else out += " file " + std::to_string(stat.size) + " " + read_all(*node) + "\n";
    }
    return out;
}

TEST_F(RamFsTest, BehavesLikeTheHostsFilesystem) {
    make({.bytes = 4 * kMiB, .nodes = 1000});
    HostDir host;
    std::mt19937 random(20261205);
    // A small name space, so operations collide: the interesting cases.
    const std::vector<std::string> dirs = {"", "d1/", "d2/", "d1/d3/"};
    const std::vector<std::string> leaves = {"d1", "d2", "d3", "f", "g", "h"};
    auto pick = [&](const std::vector<std::string>& from) { return from[random() % from.size()]; };
    auto ram_dir = [&](const std::string& dir) -> FsNode* {
        if (dir.empty()) return &root();
        return at(StringView(dir.data(), dir.size() - 1));
    };
    int compared = 0;
    for (int step = 0; step < 3000; ++step) {
        std::string dir = pick(dirs), name = pick(leaves);
        std::string path = dir + name;
        FsNode* parent = ram_dir(dir);
        int op = int(random() % 8);
        HostOutcome host_outcome, ram_outcome;
        std::string what;
        if (!parent || !parent->is_directory()) continue;  // the host would say ENOENT/ENOTDIR: not this layer's business
        switch (op) {
        case 0: {  // mkdir
            what = "mkdir " + path;
            host_outcome = from_errno(::mkdir(host.at(path).c_str(), 0755));
            auto made = mkdir_now(*parent, name.c_str());
            ram_outcome = made.ok() ? HostOutcome::Ok : from_error(made.error());
            break;
        }
        case 1: {  // create a file with O_EXCL, and write a few bytes
            what = "create " + path;
            std::string text = std::to_string(step);
            int fd = ::open(host.at(path).c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644);
            host_outcome = from_errno(fd >= 0 ? 0 : -1);
            if (fd >= 0) {
                EXPECT_EQ(::write(fd, text.data(), text.size()), ssize_t(text.size()));
                ::close(fd);
            }
            auto made = create_now(*parent, name.c_str());
            ram_outcome = made.ok() ? HostOutcome::Ok : from_error(made.error());
            if (made.ok()) ASSERT_TRUE(write_string(*made.value(), 0, text).ok());
            break;
        }
        case 2: {  // unlink
            what = "unlink " + path;
            host_outcome = from_errno(::unlink(host.at(path).c_str()));
            ram_outcome = from_error(unlink_now(*parent, name.c_str(), false));
            break;
        }
        case 3: {  // rmdir
            what = "rmdir " + path;
            host_outcome = from_errno(::rmdir(host.at(path).c_str()));
            ram_outcome = from_error(unlink_now(*parent, name.c_str(), true));
            break;
        }
        case 4: case 5: {  // rename
            std::string to_dir = pick(dirs), to_name = pick(leaves);
            FsNode* to_parent = ram_dir(to_dir);
            if (!to_parent || !to_parent->is_directory()) continue;
            what = "rename " + path + " " + to_dir + to_name;
            host_outcome = from_errno(::rename(host.at(path).c_str(), host.at(to_dir + to_name).c_str()));
            ram_outcome = from_error(rename_now(*parent, name.c_str(), *to_parent, to_name.c_str()));
            break;
        }
        case 6: {  // link
            std::string from_dir = pick(dirs), from_name = pick(leaves);
            FsNode* from_parent = ram_dir(from_dir);
            if (!from_parent || !from_parent->is_directory()) continue;
            what = "link " + from_dir + from_name + " " + path;
            host_outcome = from_errno(::link(host.at(from_dir + from_name).c_str(), host.at(path).c_str()));
            auto source = lookup_now(*from_parent, from_name.c_str());
            ram_outcome = source.is_error() ? from_error(source.error()) : from_error(link_now(*parent, name.c_str(), *source.value()));
            break;
        }
        default: {  // symlink
            std::string target = pick(leaves);
            what = "symlink " + target + " " + path;
            host_outcome = from_errno(::symlink(target.c_str(), host.at(path).c_str()));
            auto made = symlink_now(*parent, name.c_str(), target.c_str());
            ram_outcome = made.ok() ? HostOutcome::Ok : from_error(made.error());
            break;
        }
        }
        ASSERT_EQ(int(ram_outcome), int(host_outcome)) << "step " << step << ": " << what;
        std::string expect = host_tree(host.at(""));
        ASSERT_EQ(ram_tree(root()), expect) << "step " << step << ": " << what;
        ++compared;
    }
    EXPECT_GT(compared, 1000);
}

}  // namespace
