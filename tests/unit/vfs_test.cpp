// The VFS over the initramfs: walk() (relative paths, ".", "..", "//",
// refused paths, through a file), stat, reads at offsets, read_dir order
// and the read-only rule. Archives come from support/cpio_builder.hpp.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "fs/initramfs.hpp"
#include "fs/walk.hpp"
#include "support/cpio_builder.hpp"
#include "support/fs_sync.hpp"

using namespace mote;
using namespace mote::fs;
using namespace mote::cpio_test;
using namespace mote::test;

namespace {

// An archive, its decoded form and the tree, kept alive together.
struct Tree {
    explicit Tree(CpioBuilder builder) : bytes(builder.build()) {
        CpioFault fault = CpioFault::None;
        auto decoded = CpioArchive::decode(ReadonlyBytes(bytes.data(), bytes.size()), &fault);
        EXPECT_TRUE(decoded.ok()) << cpio_fault_name(fault);
        if (decoded.is_error()) return;
        slots.resize(Initramfs::slots_needed(decoded.value()));
        auto built = Initramfs::build(decoded.value(), Span<InitramfsSlot>(slots.data(), slots.size()));
        EXPECT_TRUE(built.ok());
        if (built.ok()) root = &built.value().root();
        if (built.ok()) nodes = built.value().node_count();
    }

    std::vector<u8> bytes;
    std::vector<InitramfsSlot> slots;
    InitramfsNode* root = nullptr;
    usize nodes = 0;
};

CpioBuilder sample() {
    CpioBuilder b;
    b.file("bin/sh", "#!shell", 0755).file("bin/ls", "listing").dir("etc", 0700).file("etc/motd", "hello, world\n");
    b.file("empty", "").dir("bin/sub");
    b.file(std::string(255, 'n'), "long name");
    return b;
}

std::string contents(FsNode& node) {
    std::string out;
    u8 chunk[3];  // small on purpose: many reads at advancing offsets
    for (u64 offset = 0;; ) {
        auto n = read_now(node, offset, Span<u8>(chunk, sizeof chunk));
        EXPECT_TRUE(n.ok());
        if (!n.ok() || n.value() == 0) break;
        out.append(reinterpret_cast<char*>(chunk), n.value());
        offset += n.value();
    }
    return out;
}

// walk() and its fault.
struct Walked {
    FsNode* node;
    Error error;
    WalkFault fault;
};
Walked walked(FsNode& dir, StringView path) {
    WalkFault fault = WalkFault::LookupFailed;
    auto r = walk_now(dir, path, &fault);
    EXPECT_EQ(r.ok(), fault == WalkFault::None);
    return {r.ok() ? r.value().get() : nullptr, r.ok() ? Error::Io : r.error(), fault};
}

std::vector<std::string> listing(FsNode& dir) {
    std::vector<std::string> names;
    DirEntry entry;
    for (u64 i = 0;; ++i) {
        auto more = read_dir_now(dir, i, entry);
        EXPECT_TRUE(more.ok());
        if (!more.ok() || !more.value()) break;
        EXPECT_EQ(entry.name_bytes[entry.name_length], '\0');
        names.push_back(std::string(entry.name().data(), entry.name().length()));
    }
    return names;
}

}  // namespace

TEST(Initramfs, TreeShapeAndSlots) {
    Tree t(sample());
    ASSERT_NE(t.root, nullptr);
    // root, bin (implied), bin/sh, bin/ls, etc, etc/motd, empty, bin/sub, long name.
    EXPECT_EQ(t.nodes, 9u);
    EXPECT_EQ(t.slots.size(), 9u);
    EXPECT_EQ(t.root->parent(), nullptr);
    EXPECT_TRUE(t.root->name().empty());
    EXPECT_FALSE(t.root->has_entry());
    auto bin = walked(*t.root, "bin");
    ASSERT_NE(bin.node, nullptr);
    EXPECT_FALSE(static_cast<InitramfsNode*>(bin.node)->has_entry());
    EXPECT_EQ(static_cast<InitramfsNode*>(bin.node)->parent(), t.root);
}

TEST(Initramfs, TooFewSlotsIsNoMemoryAndWritesNothing) {
    auto bytes = sample().build();
    auto archive = CpioArchive::decode(ReadonlyBytes(bytes.data(), bytes.size()));
    ASSERT_TRUE(archive.ok());
    const usize needed = Initramfs::slots_needed(archive.value());
    std::vector<InitramfsSlot> slots(needed - 1);
    for (auto& s : slots) std::fill(std::begin(s.bytes), std::end(s.bytes), u8(0xa5));
    auto built = Initramfs::build(archive.value(), Span<InitramfsSlot>(slots.data(), slots.size()));
    ASSERT_TRUE(built.is_error());
    EXPECT_EQ(built.error(), Error::NoMemory);
    for (auto& s : slots)
        for (u8 b : s.bytes) ASSERT_EQ(b, 0xa5);
    // More than needed is fine; the extra slots stay unused.
    std::vector<InitramfsSlot> more(needed + 3);
    auto ok = Initramfs::build(archive.value(), Span<InitramfsSlot>(more.data(), more.size()));
    ASSERT_TRUE(ok.ok());
    EXPECT_EQ(ok.value().node_count(), needed);
}

TEST(Initramfs, EmptyArchiveIsJustTheRoot) {
    Tree t{CpioBuilder()};
    ASSERT_NE(t.root, nullptr);
    EXPECT_EQ(t.nodes, 1u);
    EXPECT_TRUE(listing(*t.root).empty());
    EXPECT_EQ(walked(*t.root, ".").node, t.root);
}

TEST(Initramfs, Stat) {
    Tree t(sample());
    Stat root = t.root->stat();
    EXPECT_EQ(root.type, NodeType::Directory);
    EXPECT_EQ(root.inode, 1u);
    EXPECT_EQ(root.mode, 0755u);
    EXPECT_EQ(root.size, 0u);

    Stat sh = walked(*t.root, "bin/sh").node->stat();
    EXPECT_EQ(sh.type, NodeType::File);
    EXPECT_EQ(sh.size, 7u);
    EXPECT_EQ(sh.mode, 0755u);
    Stat motd = walked(*t.root, "etc/motd").node->stat();
    EXPECT_EQ(motd.mode, 0644u);
    EXPECT_EQ(motd.size, 13u);
    EXPECT_EQ(walked(*t.root, "etc").node->stat().mode, 0700u);
    EXPECT_EQ(walked(*t.root, "bin").node->stat().mode, 0755u);  // implied
    EXPECT_EQ(walked(*t.root, "empty").node->stat().size, 0u);

    mote::abi::Stat user = sh.to_abi();
    EXPECT_EQ(user.size, 7u);
    EXPECT_EQ(user.type, u32(mote::abi::NodeType::File));
    EXPECT_EQ(user.mode, 0755u);
    EXPECT_EQ(user.inode, sh.inode);

    // Inodes are unique and never 0.
    std::set<u64> inodes;
    for (const char* p : {".", "bin", "bin/sh", "bin/ls", "bin/sub", "etc", "etc/motd", "empty"})
        inodes.insert(walked(*t.root, p).node->stat().inode);
    EXPECT_EQ(inodes.size(), 8u);
    EXPECT_EQ(inodes.count(0), 0u);
}

TEST(Initramfs, ReadAtOffsets) {
    Tree t(sample());
    FsNode* motd = walked(*t.root, "etc/motd").node;
    ASSERT_NE(motd, nullptr);
    EXPECT_EQ(contents(*motd), "hello, world\n");

    u8 buffer[64];
    auto n = read_now(*motd, 7, Span<u8>(buffer, 5));
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(std::string(reinterpret_cast<char*>(buffer), n.value()), "world");
    auto tail = read_now(*motd, 10, Span<u8>(buffer, sizeof buffer));  // fewer at the end
    ASSERT_TRUE(tail.ok());
    EXPECT_EQ(std::string(reinterpret_cast<char*>(buffer), tail.value()), "ld\n");
    for (u64 offset : {u64(13), u64(14), u64(1) << 40, ~u64(0)}) {
        auto past = read_now(*motd, offset, Span<u8>(buffer, sizeof buffer));
        ASSERT_TRUE(past.ok());
        EXPECT_EQ(past.value(), 0u) << offset;
    }
    auto none = read_now(*motd, 0, Span<u8>());
    ASSERT_TRUE(none.ok());
    EXPECT_EQ(none.value(), 0u);
    EXPECT_EQ(contents(*walked(*t.root, "empty").node), "");

    // The data is the archive's own bytes: reads see it, nothing was copied.
    auto* node = static_cast<InitramfsNode*>(motd);
    EXPECT_GE(node->data().data(), t.bytes.data());
    EXPECT_LT(node->data().data(), t.bytes.data() + t.bytes.size());

    // A directory is not read with read().
    auto dir = read_now(*walked(*t.root, "etc").node, 0, Span<u8>(buffer, sizeof buffer));
    ASSERT_TRUE(dir.is_error());
    EXPECT_EQ(dir.error(), Error::BadState);
}

TEST(Initramfs, BigFile) {
    std::string big(300000, '\0');
    for (usize i = 0; i < big.size(); ++i) big[i] = char(i * 31 + (i >> 9));
    Tree t(CpioBuilder().file("data/big.bin", big));
    FsNode* node = walked(*t.root, "data/big.bin").node;
    ASSERT_NE(node, nullptr);
    EXPECT_EQ(node->stat().size, big.size());
    std::vector<u8> out(big.size() + 100);
    auto n = read_now(*node, 0, Span<u8>(out.data(), out.size()));
    ASSERT_TRUE(n.ok());
    ASSERT_EQ(n.value(), big.size());
    EXPECT_EQ(std::string(reinterpret_cast<char*>(out.data()), n.value()), big);
    auto last = read_now(*node, big.size() - 1, Span<u8>(out.data(), 10));
    ASSERT_TRUE(last.ok());
    EXPECT_EQ(last.value(), 1u);
    EXPECT_EQ(char(out[0]), big.back());
}

TEST(Initramfs, ReadDirIsSortedByName) {
    // Archive order deliberately unsorted; read_dir lists bytewise-sorted.
    CpioBuilder b;
    b.file("d/zeta", "").file("d/Alpha", "").dir("d/mid").file("d/a", "").file("d/a.b", "").file("d/a0", "");
    b.file("top", "");
    Tree t(b);
    FsNode* d = walked(*t.root, "d").node;
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(listing(*d), (std::vector<std::string> {"Alpha", "a", "a.b", "a0", "mid", "zeta"}));
    EXPECT_EQ(listing(*t.root), (std::vector<std::string> {"d", "top"}));
    // Stable: listing twice gives the same answer; each entry's type and inode match stat.
    EXPECT_EQ(listing(*d), listing(*d));
    DirEntry entry;
    for (u64 i = 0; read_dir_now(*d, i, entry).value(); ++i) {
        FsNode* child = walked(*d, entry.name()).node;
        ASSERT_NE(child, nullptr);
        EXPECT_EQ(entry.inode, child->stat().inode);
        EXPECT_EQ(entry.type, child->stat().type);
    }
    EXPECT_EQ(walked(*d, "mid").node->type(), NodeType::Directory);
    // Past the end, far past it, and on a file.
    EXPECT_FALSE(read_dir_now(*d, 6, entry).value());
    EXPECT_FALSE(read_dir_now(*d, ~u64(0), entry).value());
    auto file = read_dir_now(*walked(*t.root, "top").node, 0, entry);
    ASSERT_TRUE(file.is_error());
    EXPECT_EQ(file.error(), Error::BadState);
}

TEST(Initramfs, LongNamesRoundTripThroughReadDir) {
    Tree t(sample());
    DirEntry entry;
    bool found = false;
    for (u64 i = 0; read_dir_now(*t.root, i, entry).value(); ++i)
        if (entry.name_length == 255) found = entry.name() == StringView(std::string(255, 'n').c_str());
    EXPECT_TRUE(found);
    EXPECT_NE(walked(*t.root, std::string(255, 'n').c_str()).node, nullptr);
}

TEST(Initramfs, WriteIsReadOnly) {
    Tree t(sample());
    const u8 data[] = {1, 2, 3};
    for (const char* p : {"etc/motd", "empty", "etc", "."}) {
        auto w = write_now(*walked(*t.root, p).node, 0, Span<const u8>(data, 3));
        ASSERT_TRUE(w.is_error()) << p;
        EXPECT_EQ(w.error(), Error::ReadOnly) << p;
    }
    EXPECT_EQ(contents(*walked(*t.root, "etc/motd").node), "hello, world\n");
}

TEST(Initramfs, LookupIsOneComponent) {
    Tree t(sample());
    EXPECT_EQ(lookup_now(*t.root, "bin").value().get(), walked(*t.root, "bin").node);
    EXPECT_EQ(lookup_now(*t.root, "bin/sh").error(), Error::NotFound);
    EXPECT_EQ(lookup_now(*t.root, "nope").error(), Error::NotFound);
    EXPECT_EQ(lookup_now(*t.root, "").error(), Error::NotFound);
    EXPECT_EQ(lookup_now(*t.root, "bi").error(), Error::NotFound);
    EXPECT_EQ(lookup_now(*t.root, "bins").error(), Error::NotFound);
    EXPECT_EQ(lookup_now(*walked(*t.root, "empty").node, "x").error(), Error::BadState);
}

// ---------------------------------------------------------------------------
// walk()

TEST(Walk, FindsNodes) {
    Tree t(sample());
    FsNode* sh = walked(*t.root, "bin/sh").node;
    ASSERT_NE(sh, nullptr);
    EXPECT_EQ(contents(*sh), "#!shell");
    FsNode* bin = walked(*t.root, "bin").node;
    EXPECT_EQ(walked(*bin, "sh").node, sh);
    EXPECT_EQ(walked(*t.root, "bin//sh").node, sh);
    EXPECT_EQ(walked(*t.root, "bin///sh").node, sh);
    EXPECT_EQ(walked(*t.root, "./bin/./sh").node, sh);
    EXPECT_EQ(walked(*t.root, "bin/sub/../sh").node, sh);
    EXPECT_EQ(walked(*t.root, "etc/../bin/sh").node, sh);
    EXPECT_EQ(walked(*t.root, "bin/sub/../../bin/./sh").node, sh);
    EXPECT_EQ(walked(*t.root, ".").node, t.root);
    EXPECT_EQ(walked(*t.root, "./.").node, t.root);
    EXPECT_EQ(walked(*t.root, "bin/..").node, t.root);
    EXPECT_EQ(walked(*t.root, "bin/../").node, t.root);
    EXPECT_EQ(walked(*t.root, "bin/").node, bin);
    EXPECT_EQ(walked(*t.root, "bin//").node, bin);
    EXPECT_EQ(walked(*bin, ".").node, bin);
    EXPECT_EQ(walked(*bin, "sub/..").node, bin);
}

TEST(Walk, DotDotNeverClimbsAboveTheStart) {
    Tree t(sample());
    FsNode* bin = walked(*t.root, "bin").node;
    ASSERT_NE(bin, nullptr);
    // From a subdirectory, ".." would reach the real root: still refused.
    for (const char* p : {"..", "../etc/motd", "./..", "sub/../..", "sub/../../bin", "a/../..", "../bin", "..//"}) {
        auto w = walked(*bin, p);
        EXPECT_EQ(w.fault, WalkFault::EscapesStart) << p;
        EXPECT_EQ(w.error, Error::Malformed) << p;
    }
    for (const char* p : {"..", "bin/../..", "../x"}) EXPECT_EQ(walked(*t.root, p).fault, WalkFault::EscapesStart) << p;
    // Refused lexically: even a missing directory before ".." does not matter.
    EXPECT_EQ(walked(*t.root, "missing/../..").fault, WalkFault::EscapesStart);
}

TEST(Walk, RefusedPaths) {
    Tree t(sample());
    struct Case {
        std::string path;
        WalkFault fault;
    };
    std::vector<Case> cases = {
        {"", WalkFault::EmptyPath},
        {"/", WalkFault::AbsolutePath},
        {"/bin/sh", WalkFault::AbsolutePath},
        {"//bin", WalkFault::AbsolutePath},
        {std::string(256, 'n'), WalkFault::NameTooLong},
        {"bin/" + std::string(256, 'n'), WalkFault::NameTooLong},
        {std::string("bin/s\0h", 7), WalkFault::NulInPath},
        {std::string(4097, 'a'), WalkFault::PathTooLong},
    };
    for (const Case& c : cases) {
        auto w = walked(*t.root, StringView(c.path.data(), c.path.size()));
        EXPECT_EQ(w.fault, c.fault) << c.path.substr(0, 20);
        EXPECT_EQ(w.error, Error::Malformed);
    }
    // 4096 bytes is allowed (and then simply not found).
    std::string limit;
    while (limit.size() < 4096) limit += std::string(199, 'x') + "/";
    limit.resize(4096);
    EXPECT_EQ(walked(*t.root, StringView(limit.data(), limit.size())).fault, WalkFault::NotFound);
    // So are kWalkDepthMax components, but not one more: the walk keeps
    // every node it passed for "..".
    std::string deep;
    for (usize i = 0; i < kWalkDepthMax; ++i) deep += "d/";
    EXPECT_EQ(check_path(StringView(deep.data(), deep.size())), WalkFault::None);
    deep += "d";
    EXPECT_EQ(walked(*t.root, StringView(deep.data(), deep.size())).fault, WalkFault::TooDeep);
    // Going back up frees depth: a/../ repeated is never deep.
    std::string zigzag;
    for (usize i = 0; i < 100; ++i) zigzag += "bin/../";
    zigzag += "bin/sh";
    EXPECT_EQ(walked(*t.root, StringView(zigzag.data(), zigzag.size())).fault, WalkFault::None);
    EXPECT_EQ(check_path("bin/sh"), WalkFault::None);
    EXPECT_EQ(check_path("/x"), WalkFault::AbsolutePath);
}

TEST(Walk, NotFound) {
    Tree t(sample());
    for (const char* p : {"nope", "bin/nope", "bin/sh2", "bi", "etc/motd/../motd2", "bin/sub/x"}) {
        auto w = walked(*t.root, p);
        EXPECT_EQ(w.fault, p == std::string("etc/motd/../motd2") ? WalkFault::NotDirectory : WalkFault::NotFound) << p;
    }
    auto w = walked(*t.root, "missing/x");
    EXPECT_EQ(w.fault, WalkFault::NotFound);
    EXPECT_EQ(w.error, Error::NotFound);
}

TEST(Walk, ThroughAFileIsNotDirectory) {
    Tree t(sample());
    FsNode* motd = walked(*t.root, "etc/motd").node;
    ASSERT_NE(motd, nullptr);
    for (const char* p : {"etc/motd/x", "etc/motd/", "etc/motd/.", "etc/motd/..", "etc/motd//", "empty/x"}) {
        auto w = walked(*t.root, p);
        EXPECT_EQ(w.fault, WalkFault::NotDirectory) << p;
        EXPECT_EQ(w.error, Error::BadState) << p;
    }
    // A file as the starting point.
    for (const char* p : {".", "x", "./x"}) EXPECT_EQ(walked(*motd, p).fault, WalkFault::NotDirectory) << p;
    EXPECT_EQ(walked(*motd, "..").fault, WalkFault::EscapesStart);
}

namespace {

// A directory whose lookups fail like a disk would.
class FailingDir final : public FsNode {
public:
    explicit FailingDir(Error e) : m_error(e) {}
    Stat stat() const override { return Stat {0, NodeType::Directory, 0755, 7}; }
    Task<NodeRef> lookup(StringView) override { return m_error; }
    Task<usize> read(u64, IoBuffer) override { return Error::BadState; }
    Task<bool> read_dir(u64, DirEntry&) override { return false; }
    Task<usize> write(u64, IoBuffer) override { return Error::ReadOnly; }

private:
    Error m_error;
};

}  // namespace

TEST(Walk, FilesystemErrorsPassThrough) {
    for (Error e : {Error::Io, Error::WouldBlock, Error::NoMemory}) {
        FailingDir dir(e);
        auto w = walked(dir, "a/b");
        EXPECT_EQ(w.fault, WalkFault::LookupFailed);
        EXPECT_EQ(w.error, e);
        EXPECT_EQ(walked(dir, ".").node, &dir);  // no lookup needed
    }
}

TEST(Walk, EveryFaultHasAName) {
    std::set<std::string> names;
    for (usize i = 0; i < kWalkFaultCount; ++i) names.insert(walk_fault_name(WalkFault(i)));
    EXPECT_EQ(names.size(), kWalkFaultCount);
    EXPECT_STREQ(walk_fault_name(WalkFault(kWalkFaultCount)), "UnknownWalkFault");
}

TEST(DirEntry, SetNameTerminates) {
    DirEntry e;
    e.set_name("abc");
    EXPECT_EQ(e.name_length, 3u);
    EXPECT_STREQ(e.name_bytes, "abc");
    e.set_name("x");
    EXPECT_STREQ(e.name_bytes, "x");
    EXPECT_TRUE(e.name() == StringView("x"));
}
