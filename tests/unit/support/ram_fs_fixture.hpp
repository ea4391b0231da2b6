// RamFsTest: a RamFs (fs/ram_fs.hpp) over a page allocator on fake RAM,
// with a clock the test sets, and helpers that read and write files and
// list directories through the FsNode interface (fs_sync.hpp). TearDown
// checks that every page went back to the allocator. Shared by the RamFs
// tests (ram_fs_test.cpp), its path walks (ram_fs_walk_test.cpp) and the
// differential test against the host's filesystem
// (ram_fs_differential_test.cpp).
//
// Not in an anonymous namespace: GoogleTest requires every test of the
// RamFsTest suite, in whichever file, to use one and the same fixture class.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fake_ram.hpp"
#include "fs/ram_fs.hpp"
#include "fs_sync.hpp"

namespace mote::ram_fs_test {

using namespace mote::fs;
using namespace mote::test;

inline std::string read_all(FsNode& node) {
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

inline Result<usize> write_string(FsNode& node, u64 offset, const std::string& text) {
    return write_now(node, offset, ReadonlyBytes(reinterpret_cast<const u8*>(text.data()), text.size()));
}

inline std::vector<std::string> names(FsNode& dir) {
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

// The filesystem's clock: tests set g_clock and see it in the times.
inline i64 g_clock = 0;
inline i64 fake_now(void*) { return g_clock; }

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

}  // namespace mote::ram_fs_test
