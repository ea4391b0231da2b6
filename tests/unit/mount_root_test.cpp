// MountRoot (fs/sys_node.hpp): the programs' root, a base directory with
// mount points over it. A mount hides the base's entry of the same name (as
// on Unix): lookups find the mount, listings show each name once; names of
// mount points cannot be removed, replaced or created; everything else goes
// to the base; a walk that must not wait passes through mount points even
// when the base is a disk.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "fs/ram_fs.hpp"
#include "fs/sys_node.hpp"
#include "support/fake_ram.hpp"
#include "support/fs_sync.hpp"

using namespace mote;
using namespace mote::fs;
using namespace mote::test;

namespace {

// A base that says it may wait (as a disk's directory does) and otherwise
// forwards to a memory directory.
class WaitingDir final : public FsNode {
public:
    explicit WaitingDir(FsNode& inner) : m_inner(inner) {}
    Stat stat() const override { return m_inner.stat(); }
    bool may_wait() const override { return true; }
    Task<NodeRef> lookup(StringView name) override { return m_inner.lookup(name); }
    Task<usize> read(u64, IoBuffer) override { return Error::BadState; }
    Task<bool> read_dir(u64 index, DirEntry& out) override { return m_inner.read_dir(index, out); }
    Task<usize> write(u64, IoBuffer) override { return Error::BadState; }

private:
    FsNode& m_inner;
};

class MountRootTest : public ::testing::Test {
protected:
    void SetUp() override {
        PhysRange range = ram.range(0, ram.size());
        ASSERT_TRUE(pages.initialize(Span<const PhysRange>(&range, 1), ram.offset()).ok());
        base = new (base_storage) RamFs(pages, {.bytes = kMiB, .nodes = 32});
        other = new (other_storage) RamFs(pages, {.bytes = kMiB, .nodes = 32});
        // The base has bin/ (with "old") and data; the mounted bin has "sh".
        ASSERT_TRUE(mkdir_now(base->root(), "bin").ok());
        ASSERT_TRUE(create_now(*lookup_now(base->root(), "bin").value(), "old").ok());
        ASSERT_TRUE(create_now(base->root(), "data").ok());
        ASSERT_TRUE(mkdir_now(base->root(), "home").ok());
        ASSERT_TRUE(create_now(other->root(), "sh").ok());
    }
    void TearDown() override {
        other->~RamFs();
        base->~RamFs();
    }

    std::vector<std::string> list(FsNode& dir) {
        std::vector<std::string> out;
        DirEntry entry;
        for (u64 i = 0;; ++i) {
            auto more = dir.read_dir(i, entry).finish_now();
            EXPECT_TRUE(more.ok());
            if (!more.ok() || !more.value()) break;
            out.emplace_back(entry.name().data(), entry.name().length());
        }
        return out;
    }

    FakeRam ram {8 * kMiB};
    PageAllocator pages;
    alignas(RamFs) u8 base_storage[sizeof(RamFs)];
    alignas(RamFs) u8 other_storage[sizeof(RamFs)];
    RamFs* base = nullptr;
    RamFs* other = nullptr;
};

TEST_F(MountRootTest, AMountHidesTheBasesEntryAndEachNameIsListedOnce) {
    MountRoot root(base->root());
    ASSERT_TRUE(root.mount("bin", other->root()).ok());
    ASSERT_TRUE(root.mount("tmp", other->root()).ok());
    EXPECT_TRUE(walk_now(root, "bin/sh").ok());
    EXPECT_EQ(walk_now(root, "bin/old").error(), Error::NotFound);
    EXPECT_TRUE(walk_now(root, "data").ok());
    std::vector<std::string> names = list(root);
    std::vector<std::string> want = {"bin", "tmp", "data", "home"};
    EXPECT_EQ(names, want);
    // Listing again, and from the middle, gives the same entries.
    EXPECT_EQ(list(root), want);
    DirEntry entry;
    ASSERT_TRUE(root.read_dir(3, entry).finish_now().value());
    EXPECT_EQ(std::string(entry.name().data(), entry.name().length()), "home");
    EXPECT_FALSE(root.read_dir(4, entry).finish_now().value());
    ASSERT_TRUE(root.read_dir(2, entry).finish_now().value());
    EXPECT_EQ(std::string(entry.name().data(), entry.name().length()), "data");
}

TEST_F(MountRootTest, MountPointNamesCannotBeChangedAndOtherNamesGoToTheBase) {
    MountRoot root(base->root());
    ASSERT_TRUE(root.mount("bin", other->root()).ok());
    EXPECT_EQ(root.mount("bin", other->root()).error(), Error::InvalidArgument);
    EXPECT_EQ(create_now(root, "bin").error(), Error::Exists);
    EXPECT_EQ(root.unlink("bin", true).finish_now().error(), Error::Busy);
    EXPECT_EQ(root.rename("bin", root, "x").finish_now().error(), Error::Busy);
    EXPECT_EQ(root.rename("data", root, "bin").finish_now().error(), Error::Busy);
    ASSERT_TRUE(create_now(root, "new").ok());
    EXPECT_TRUE(lookup_now(base->root(), "new").ok());
    ASSERT_TRUE(root.rename("new", root, "newer").finish_now().ok());
    EXPECT_TRUE(lookup_now(base->root(), "newer").ok());
    ASSERT_TRUE(root.unlink("newer", false).finish_now().ok());
    EXPECT_EQ(lookup_now(base->root(), "newer").error(), Error::NotFound);
    // Into the root from a directory of the base, and a link there: the
    // base's filesystem gets its own node, never the MountRoot.
    FsNode& home = *lookup_now(root, "home").value();
    ASSERT_TRUE(create_now(home, "f").ok());
    ASSERT_TRUE(home.rename("f", root, "moved").finish_now().ok());
    EXPECT_TRUE(lookup_now(base->root(), "moved").ok());
    ASSERT_TRUE(root.link("again", *lookup_now(root, "moved").value()).finish_now().ok());
    EXPECT_EQ(lookup_now(base->root(), "again").value()->stat().links, 2u);
    ASSERT_TRUE(root.rename("moved", home, "back").finish_now().ok());
    EXPECT_TRUE(lookup_now(home, "back").ok());
    // Into another filesystem's mount point: CrossDevice.
    EXPECT_EQ(root.rename("data", *lookup_now(root, "bin").value(), "data").finish_now().error(), Error::CrossDevice);
    EXPECT_EQ(root.filesystem(), base);
}

TEST_F(MountRootTest, AWalkThatMustNotWaitPassesMountPointsOfADiskRoot) {
    WaitingDir disk(base->root());
    MountRoot root(disk);
    ASSERT_TRUE(root.mount("bin", other->root()).ok());
    EXPECT_TRUE(root.may_wait());
    WalkOptions memory_only {.mode = WalkMode::MemoryOnly};
    // bin/ is a memory mount: found without waiting.
    EXPECT_TRUE(walk_now(root, "bin/sh", nullptr, memory_only).ok());
    // data is on the "disk": refused rather than waited for.
    WalkFault fault = WalkFault::None;
    EXPECT_EQ(walk_now(root, "data", &fault, memory_only).error(), Error::WouldBlock);
    EXPECT_EQ(fault, WalkFault::LookupFailed);
    // A walk that may wait goes through to the base.
    EXPECT_TRUE(walk_now(root, "data").ok());
}

TEST_F(MountRootTest, AtMostKMaxMountsPoints) {
    MountRoot root(base->root());
    const char* names[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i"};
    static_assert(sizeof(names) / sizeof(names[0]) == MountRoot::kMaxMounts + 1);
    for (usize i = 0; i < MountRoot::kMaxMounts; ++i) ASSERT_TRUE(root.mount(names[i], other->root()).ok());
    EXPECT_EQ(root.mount(names[MountRoot::kMaxMounts], other->root()).error(), Error::Overflow);
    EXPECT_EQ(list(root).size(), MountRoot::kMaxMounts + 3);  // bin, data, home from the base
}

}  // namespace
