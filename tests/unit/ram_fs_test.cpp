// RamFs (fs/ram_fs.hpp) over a page allocator on fake RAM: files, holes
// and the page map's index levels, truncate, directories and their link
// counts, hard links, symlinks, rename (moves, replacements, refusals),
// unlinked-but-open nodes, the byte and node budgets, times, statfs, and
// every page back to the allocator afterwards. The expected semantics are
// POSIX's; ram_fs_differential_test.cpp checks them against the host's own
// filesystem, ram_fs_walk_test.cpp the path walk through a RamFs.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/ram_fs_fixture.hpp"

using namespace mote;
using namespace mote::fs;
using namespace mote::test;
using namespace mote::ram_fs_test;

namespace {

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

}  // namespace
