// Walking through a RamFs (fs/walk.hpp): symlinks on the way and at the
// end, targets that would climb above the walk's start, loops and long
// chains, dangling links, the scratch a splice needs, the depth limit
// through links; and split_path, the parent/name split of a path.
#include <gtest/gtest.h>

#include <string>

#include "support/ram_fs_fixture.hpp"

using namespace mote;
using namespace mote::fs;
using namespace mote::test;
using namespace mote::ram_fs_test;

namespace {

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

}  // namespace
