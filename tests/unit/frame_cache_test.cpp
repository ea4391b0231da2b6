#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <set>
#include <vector>

#include "mm/frame_cache.hpp"
#include "support/fake_ram.hpp"

using namespace mote;
using mote::test::FakeRam;
using mote::test::kMiB;

namespace {

class FrameCacheTest : public ::testing::Test {
protected:
    FrameCacheTest() : ram(4 * kMiB) {
        PhysRange range = ram.range(0, ram.size());
        MUST(pages.initialize(Span<const PhysRange>(&range, 1), ram.offset()));
        free_at_start = pages.stats().free_pages;
    }

    FakeRam ram;
    PageAllocator pages;
    u64 free_at_start = 0;
};

TEST_F(FrameCacheTest, EachSizeGetsAFrameOfItsClassAndOversizedIsRefused) {
    FrameCache frames(pages);
    // Sizes at and around each class boundary; frames of one class are a
    // class size apart in their slab, so writing a whole class must not
    // touch a neighbour.
    const usize sizes[] = {1, 127, 128, 129, 256, 257, 511, 512, 513, 1024, 1025, 2047, 2048};
    std::vector<std::pair<u8*, usize>> got;
    for (usize size : sizes) {
        auto* frame = static_cast<u8*>(frames.allocate_frame(size));
        ASSERT_NE(frame, nullptr) << size;
        EXPECT_EQ(uptr(frame) % 16, 0u) << size;
        std::memset(frame, int(size & 0xff), size);
        got.emplace_back(frame, size);
    }
    for (auto& [frame, size] : got)
        for (usize i = 0; i < size; ++i) ASSERT_EQ(frame[i], u8(size & 0xff)) << size << " byte " << i;
    EXPECT_EQ(frames.allocate_frame(2049), nullptr);
    FrameCacheStats stats = frames.stats();
    EXPECT_EQ(stats.in_use, std::size(sizes));
    EXPECT_EQ(stats.oversized, 1u);
    EXPECT_EQ(stats.failures, 1u);
    EXPECT_EQ(stats.largest, 2049u);
    for (auto& [frame, size] : got) frames.free_frame(frame, size);
    EXPECT_EQ(frames.stats().in_use, 0u);
}

TEST_F(FrameCacheTest, AFreedFrameIsHandedOutAgainFirst) {
    FrameCache frames(pages);
    void* a = frames.allocate_frame(300);
    void* b = frames.allocate_frame(300);
    frames.free_frame(a, 300);
    // The last frame freed comes back: it is the one still in the CPU's
    // cache, and the allocation does not touch the slab.
    EXPECT_EQ(frames.allocate_frame(400), a);
    frames.free_frame(b, 300);
    frames.free_frame(a, 400);
    EXPECT_EQ(frames.stats().in_use, 0u);
    EXPECT_EQ(frames.stats().allocations, 3u);
}

// trim() (what the memory report calls) empties the magazines, leaving live
// frames alone: the slabs then hold what they would hold without them.
TEST_F(FrameCacheTest, TrimEmptiesTheMagazinesAndKeepsLiveFrames) {
    FrameCache frames(pages);
    void* root = frames.allocate_frame(700);  // an operation's root task
    std::memset(root, 0x5a, 700);
    std::vector<void*> inner;
    for (int i = 0; i < 5; ++i) inner.push_back(frames.allocate_frame(200));
    for (void* frame : inner) frames.free_frame(frame, 200);
    EXPECT_EQ(frames.stats().cached, 5u);
    EXPECT_EQ(frames.stats().in_use, 1u);
    EXPECT_EQ(frames.allocate_frame(200), inner.back());  // reused while the operation runs
    frames.free_frame(inner.back(), 200);
    const u64 free_before_trim = pages.stats().free_pages;
    frames.trim();
    EXPECT_EQ(frames.stats().cached, 0u);
    EXPECT_EQ(frames.stats().in_use, 1u);
    EXPECT_EQ(static_cast<u8*>(root)[699], 0x5a);
    // The 256-byte class's slab is empty now: the slab keeps one empty slab
    // for reuse, so pages come back only beyond that; never fewer free.
    EXPECT_GE(pages.stats().free_pages, free_before_trim);
    frames.free_frame(root, 700);
}

TEST_F(FrameCacheTest, ManyFramesOverflowTheMagazineAndEveryPageComesBack) {
    {
        FrameCache frames(pages);
        std::set<void*> live;
        for (int round = 0; round < 3; ++round) {
            std::vector<void*> batch;
            for (int i = 0; i < 200; ++i) {
                void* frame = frames.allocate_frame(1000);
                ASSERT_NE(frame, nullptr);
                EXPECT_TRUE(live.insert(frame).second) << "a frame handed out twice";
                batch.push_back(frame);
            }
            EXPECT_EQ(frames.stats().in_use, 200u);
            for (void* frame : batch) {
                frames.free_frame(frame, 1000);
                live.erase(frame);
            }
            EXPECT_EQ(frames.stats().in_use, 0u);
        }
    }
    // The destructor empties the magazines into the slabs, which give
    // their pages back.
    EXPECT_EQ(pages.stats().free_pages, free_at_start);
}

}  // namespace
