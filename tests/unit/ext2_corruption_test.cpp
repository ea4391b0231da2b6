// A table of corruptions made with debugfs -w (and a few raw byte edits) on
// a small mke2fs image: each one either refuses the mount with Malformed or
// makes just the damaged object fail with Malformed (a named fault in the
// driver's counters), while everything else stays readable, the driver
// keeps running and unmount succeeds.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <string>

#include "support/ext2_fs_fixture.hpp"

namespace mote {
namespace {

using namespace mote::ext2_test;
using fs::ext2::Ext2Fault;

class Ext2Corruption : public ::testing::Test, public Ext2FsFixture {
protected:
    void SetUp() override {
        if (!have_e2fsprogs()) GTEST_SKIP() << "e2fsprogs not installed";
        tree = dir.path() / "tree";
        stdfs::create_directories(tree / "a" / "b");
        write_text("one", "first file\n");
        write_text("a/inner", "inner\n");
        write_text("a/b/deep", "deep\n");
        std::string big(40 * 1024, 'B');
        write_text("big", big);
        image = (dir.path() / "c.img").string();
        Command made = ext2_test::run("truncate -s 4M " + quote(image) + " && mke2fs -q -F -t ext2 -b 1024 -g 1024 -d " +
                           quote(tree.string()) + " " + quote(image));
        ASSERT_EQ(made.status, 0);
    }
    void write_text(const std::string& name, const std::string& text) {
        std::ofstream out(tree / name, std::ios::binary);
        out << text;
    }
    void debugfs_w(const std::string& request) {
        Command c = ext2_test::run("debugfs -w -R " + quote(request) + " " + quote(image));
        ASSERT_EQ(c.status, 0) << request;
    }
    // Overwrites bytes of the image file at `offset`.
    void poke(u64 offset, const std::vector<u8>& bytes) {
        std::fstream f(image, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(std::streamoff(offset));
        f.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    }
    void load_image() { load(read_file(image)); }

    Ext2Fault last_fault() const { return fs->counters().last_fault; }
    void expect_refused(Error error) {
        auto m = try_mount();
        ASSERT_TRUE(m.is_error());
        if (!m.is_error()) fs = m.value();  // unmounted by the fixture
        else EXPECT_EQ(m.error(), error);
    }

    TempDir dir;
    stdfs::path tree;
    std::string image;
};

TEST_F(Ext2Corruption, AnImpossibleFreeBlockCountRefusesTheMount) {
    debugfs_w("ssv free_blocks_count 99999999");
    load_image();
    expect_refused(Error::Malformed);
}

TEST_F(Ext2Corruption, ABadMagicRefusesTheMount) {
    poke(1024 + 56, {0x34, 0x12});
    load_image();
    expect_refused(Error::Malformed);
}

TEST_F(Ext2Corruption, AGroupDescriptorWithTooManyFreeBlocksRefusesTheMount) {
    debugfs_w("set_bg 0 free_blocks_count 60000");
    load_image();
    expect_refused(Error::Malformed);
}

TEST_F(Ext2Corruption, AClearedRootInodeRefusesTheMount) {
    debugfs_w("clri <2>");
    load_image();
    expect_refused(Error::Malformed);
}

TEST_F(Ext2Corruption, AClearedFileInodeMakesOnlyThatNameFail) {
    debugfs_w("clri /one");
    load_image();
    mount();
    EXPECT_EQ(walk("one").error(), Error::Malformed);
    EXPECT_EQ(last_fault(), Ext2Fault::InodeNotInUse);
    EXPECT_EQ(read_all(*must_walk("a/inner")), "inner\n");
    EXPECT_EQ(read_all(*must_walk("big")).size(), 40u * 1024);
}

TEST_F(Ext2Corruption, ABlockPointerBeyondTheDiskFailsTheRead) {
    debugfs_w("sif /big block[2] 0x7ffffff0");
    load_image();
    mount();
    // Refused when decoded: the pointer is checked before use.
    auto big = walk("big");
    ASSERT_TRUE(big.is_error());
    EXPECT_EQ(big.error(), Error::Malformed);
    EXPECT_EQ(last_fault(), Ext2Fault::BlockPointerOutOfRange);
    EXPECT_EQ(read_all(*must_walk("one")), "first file\n");
}

TEST_F(Ext2Corruption, AnIndirectBlockPointingOutsideTheDiskFailsOnlyPastIt) {
    // The single-indirect block of /big: its first entry made impossible.
    std::string stat = ext2_test::run("debugfs -R " + quote("stat /big") + " " + quote(image)).out;
    const usize at = stat.find("(IND):");
    ASSERT_NE(at, std::string::npos) << stat;
    const u32 ind = u32(std::strtoul(stat.c_str() + at + 6, nullptr, 10));
    ASSERT_GT(ind, 0u);
    poke(u64(ind) * 1024, {0xf0, 0xff, 0xff, 0x7f});
    load_image();
    mount();
    NodeRef big = must_walk("big");
    std::vector<u8> head(1024);
    auto first = go(big->read(0, fs::IoBuffer::kernel(Span<u8>(head.data(), head.size()))));
    ASSERT_FALSE(first.is_error());  // direct blocks still read
    EXPECT_EQ(head[0], 'B');
    auto past = go(big->read(12 * 1024, fs::IoBuffer::kernel(Span<u8>(head.data(), head.size()))));
    ASSERT_TRUE(past.is_error());
    EXPECT_EQ(past.error(), Error::Malformed);
    EXPECT_EQ(last_fault(), Ext2Fault::BlockPointerOutOfRange);
}

TEST_F(Ext2Corruption, CrossedBlocksAreCaughtWhenFreedTwice) {
    // /one's first block made the same as /big's first block.
    std::string stat = ext2_test::run("debugfs -R " + quote("bmap /big 0") + " " + quote(image)).out;
    const u32 shared = u32(std::strtoul(stat.c_str(), nullptr, 10));
    ASSERT_GT(shared, 0u);
    debugfs_w("sif /one block[0] " + std::to_string(shared));
    load_image();
    mount();
    NodeRef r = root();
    EXPECT_FALSE(go(r->unlink("big", false)).is_error());
    auto second = go(r->unlink("one", false));
    ASSERT_TRUE(second.is_error());
    EXPECT_EQ(second.error(), Error::Malformed);
    EXPECT_GT(fs->counters().corrupt, 0u);
    EXPECT_EQ(read_all(*must_walk("a/b/deep")), "deep\n");
}

TEST_F(Ext2Corruption, AnInodeBitmapThatCallsAnInodeInUseFreeDoesNotHandItOut) {
    // /one's bit cleared: the next file would get its inode. Found by the
    // fuzzer (a second node for one inode number).
    debugfs_w("freei /one");
    load_image();
    mount();
    NodeRef r = root();
    // Held in memory (open), and only on disk: both refused.
    NodeRef one = must_walk("one");
    auto made = go(r->create("new", fs::CreateSpec {.type = fs::NodeType::File, .mode = 0644}));
    ASSERT_TRUE(made.is_error());
    EXPECT_EQ(made.error(), Error::Malformed);
    EXPECT_EQ(last_fault(), Ext2Fault::FreeInodeInUse);
    one.reset();
    ASSERT_TRUE(go(fs->drop_caches()).ok());
    auto again = go(r->create("new", fs::CreateSpec {.type = fs::NodeType::File, .mode = 0644}));
    ASSERT_TRUE(again.is_error());
    EXPECT_EQ(last_fault(), Ext2Fault::FreeInodeInUse);
    EXPECT_EQ(read_all(*must_walk("one")), "first file\n");
    EXPECT_EQ(read_all(*must_walk("a/inner")), "inner\n");
}

TEST_F(Ext2Corruption, AnOpenFileWhoseInodeCannotBeFreedIsLeftForE2fsckOnce) {
    // /one's bit already clear: freeing it when its last reference goes
    // fails (InodeNotInUse, "freed twice"). Once: the fuzzer found the
    // failed free retried from its own completion until the stack ran out.
    debugfs_w("freei /one");
    load_image();
    mount();
    NodeRef r = root();
    NodeRef one = must_walk("one");
    ASSERT_TRUE(go(r->unlink("one", false)).ok());
    const u64 before = fs->counters().corrupt;
    one.reset();
    for (int i = 0; i < 100; ++i) loop.turn(false);
    EXPECT_EQ(fs->counters().corrupt, before + 1);
    EXPECT_EQ(last_fault(), Ext2Fault::InodeNotInUse);
    EXPECT_EQ(read_all(*must_walk("a/inner")), "inner\n");
}

TEST_F(Ext2Corruption, ADirectoryRecordRunningPastItsBlockFailsThatDirectoryOnly) {
    std::string out = ext2_test::run("debugfs -R " + quote("bmap /a 0") + " " + quote(image)).out;
    const u32 block = u32(std::strtoul(out.c_str(), nullptr, 10));
    ASSERT_GT(block, 0u);
    // ".."'s rec_len (bytes 16-17 of the block: "." is 12 bytes) made huge.
    poke(u64(block) * 1024 + 12 + 4, {0xfc, 0x7f});
    load_image();
    mount();
    auto inner = walk("a/inner");
    ASSERT_TRUE(inner.is_error());
    EXPECT_EQ(inner.error(), Error::Malformed);
    EXPECT_EQ(last_fault(), Ext2Fault::RecordPastBlockEnd);
    NodeRef r = root();
    EXPECT_EQ(create(*must_walk("a"), "new", NodeType::File).error(), Error::Malformed);
    EXPECT_EQ(read_all(*must_walk("one")), "first file\n");
}

TEST_F(Ext2Corruption, ADirectoryLinkedIntoItselfIsBoundedAndCannotBeMovedBelowItself) {
    debugfs_w("link /a /a/b/loop");
    load_image();
    mount();
    // a/b/loop is a again: the walk goes round until its depth bound.
    std::string path = "a";
    for (int i = 0; i < 40; ++i) path += "/b/loop";
    fs::WalkFault fault = fs::WalkFault::None;
    NodeRef r = root();
    auto deep = go(fs::walk(*r, StringView(path.data(), path.size()), &fault));
    ASSERT_TRUE(deep.is_error());
    EXPECT_EQ(fault, fs::WalkFault::TooDeep);
    EXPECT_EQ(go(r->rename("a", *must_walk("a/b"), "x")).error(), Error::BadState);
}

TEST_F(Ext2Corruption, AZeroedInodeTableOfAGroupFailsItsInodesOnly) {
    // Group 1's inode table zeroed: whatever lives there fails, the rest
    // reads, and every operation ends with an answer.
    std::vector<DumpGroup> groups = dumpe2fs_groups(image);
    ASSERT_GT(groups.size(), 1u);
    const long long table_blocks = number_after(ext2_test::run("dumpe2fs -h " + quote(image)).out, "Inode blocks per group:");
    ASSERT_GT(table_blocks, 0);
    std::vector<u8> zeros(usize(table_blocks) * 1024, 0);
    poke(u64(groups[1].inode_table) * 1024, zeros);
    load_image();
    mount();
    for (const char* name : {"one", "big", "a", "a/inner", "a/b", "a/b/deep"}) {
        auto node = walk(name);
        if (node.is_error()) {
            EXPECT_EQ(node.error(), Error::Malformed) << name;
            continue;
        }
        (void)try_read_all(*node.value());
    }
    EXPECT_FALSE(create(*root(), "after", NodeType::File).is_error());
}

}  // namespace
}  // namespace mote
