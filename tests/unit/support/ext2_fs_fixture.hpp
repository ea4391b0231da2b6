// Mounting the ext2 driver over a RAM disk holding an image, running its
// tasks to completion, and checking the result with e2fsprogs: what the ext2
// filesystem tests share.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "e2fsprogs.hpp"
#include "fs/ext2/ext2_fs.hpp"
#include "fs/walk.hpp"
#include "memory_disk.hpp"
#include "task_fixture.hpp"

namespace mote::ext2_test {

using fs::NodeRef;
using fs::NodeType;
using fs::ext2::Ext2Fs;

class Ext2FsFixture : public test::TaskFixture {
protected:
    Ext2FsFixture() : test::TaskFixture(64 * test::kMiB) {}
    ~Ext2FsFixture() {
        if (fs) unmount();
    }

    void load(const std::vector<u8>& bytes) {
        disk.emplace(loop, bytes.size() / 512);
        disk->data = bytes;
    }
    template <typename T>
    Result<T> go(Task<T> task) {
        auto result = run(std::move(task), 1000000);
        EXPECT_TRUE(result.has_value()) << "the task did not finish";
        if (!result) return Error::Timeout;
        return std::move(*result);
    }
    Result<Ext2Fs*> try_mount(fs::ext2::MountOptions options = {}) {
        return go(Ext2Fs::mount(*disk, loop, pages, options));
    }
    void mount(fs::ext2::MountOptions options = {}) {
        auto mounted = try_mount(options);
        ASSERT_FALSE(mounted.is_error()) << error_name(mounted.error());
        fs = mounted.value();
    }
    void unmount() {
        auto done = go(fs->unmount());
        EXPECT_FALSE(done.is_error()) << error_name(done.error());
        fs = nullptr;
    }
    NodeRef root() { return fs->root(); }
    // Symlinks on the way are followed; a symlink at the end is the
    // result (its read() gives the target), as with kOpenNoFollow.
    Result<NodeRef> walk(StringView path) {
        NodeRef r = root();
        fs::WalkOptions options;
        options.follow_last = false;
        options.scratch = Span<char>(m_scratch, sizeof m_scratch);
        return go(fs::walk(*r, path, nullptr, options));
    }
    NodeRef must_walk(const std::string& path) {
        auto node = walk(StringView(path.data(), path.size()));
        EXPECT_FALSE(node.is_error()) << path << ": " << error_name(node.error());
        return node.is_error() ? NodeRef() : node.release_value();
    }
    Result<std::string> try_read_all(fs::FsNode& node) {
        std::string out;
        std::vector<u8> chunk(7000);
        for (;;) {
            auto n = go(node.read(out.size(), fs::IoBuffer::kernel(Span<u8>(chunk.data(), chunk.size()))));
            if (n.is_error()) return n.error();
            if (n.value() == 0) break;
            out.append(reinterpret_cast<char*>(chunk.data()), n.value());
        }
        return out;
    }
    std::string read_all(fs::FsNode& node) {
        auto all = try_read_all(node);
        return all.is_error() ? std::string() : all.release_value();
    }
    Result<usize> write(fs::FsNode& node, u64 offset, const std::string& bytes) {
        return go(node.write(offset, fs::IoBuffer::kernel(ReadonlyBytes(reinterpret_cast<const u8*>(bytes.data()),
                                                                        bytes.size()))));
    }
    Result<NodeRef> create(fs::FsNode& dir, StringView name, NodeType type, StringView target = {}) {
        fs::CreateSpec spec;
        spec.type = type;
        spec.mode = type == NodeType::Directory ? 0755 : 0644;
        spec.target = target;
        return go(dir.create(name, spec));
    }
    NodeRef must_create(fs::FsNode& dir, StringView name, NodeType type) {
        auto made = create(dir, name, type);
        EXPECT_FALSE(made.is_error()) << std::string(name.data(), name.length()) << ": " << error_name(made.error())
                                      << " " << fs::ext2::ext2_fault_name(fs->counters().last_fault);
        return made.is_error() ? NodeRef() : made.release_value();
    }
    // The disk's bytes written to `path`, for e2fsprogs.
    std::string save(const std::string& path) {
        write_file(path, disk->data);
        return path;
    }
    void expect_fsck_clean(const std::string& path) {
        Command fsck = ext2_test::run("e2fsck -fn " + quote(path) + " 2>&1");
        EXPECT_EQ(fsck.status, 0) << fsck.out;
    }
    std::string debugfs(const std::string& path, const std::string& request) {
        return ext2_test::run("debugfs -R " + quote(request) + " " + quote(path)).out;
    }

    std::optional<test::MemoryDisk> disk;
    Ext2Fs* fs = nullptr;
    char m_scratch[4096];
};

}  // namespace mote::ext2_test
