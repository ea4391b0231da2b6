// The split virtqueue against a simulated device: many chains in flight
// completed out of order, the private free list surviving thousands of
// rounds, and a device that lies in its used ring (jumped index, id out of
// range, id not in flight, length beyond the chain) caught before anything
// is followed.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <vector>

#include "dev/virtio/virtqueue.hpp"
#include "support/sim_virtio.hpp"

using namespace mote;
using namespace mote::virtio;
using mote::test::HostDma;
using mote::test::SimQueue;

namespace {

class VirtqueueTest : public ::testing::Test {
protected:
    void make(u16 size) {
        auto memory = dma.allocate(Virtqueue::memory_size(size));
        ASSERT_TRUE(memory.ok());
        ASSERT_TRUE(queue.init(0, size, memory.value()).ok());
        device.setup(size, queue.addresses());
    }
    // Submits a chain of `readable` + `writable` segments of 100 bytes.
    Result<u16> submit(usize readable, usize writable, void* token) {
        std::vector<Segment> s;
        for (usize i = 0; i < readable; ++i) s.push_back({0x10000 + i * 100, 100, false});
        for (usize i = 0; i < writable; ++i) s.push_back({0x20000 + i * 100, 100, true});
        return queue.submit(Span<const Segment>(s.data(), s.size()), token);
    }
    std::vector<void*> reap_all(Result<usize>* result = nullptr) {
        std::vector<void*> got;
        auto r = queue.reap([&](void* token, u32, u16) { got.push_back(token); });
        if (result) new (result) Result<usize>(r);
        return got;
    }

    HostDma dma;
    Virtqueue queue;
    SimQueue device;
    int tokens[1024] {};
};

TEST_F(VirtqueueTest, RejectsMalformedChainsBeforeTouchingAnything) {
    make(8);
    EXPECT_EQ(queue.submit({}, &tokens[0]).error(), Error::InvalidArgument);
    Segment zero {0x1000, 0, false};
    EXPECT_EQ(queue.submit(Span<const Segment>(&zero, 1), &tokens[0]).error(), Error::InvalidArgument);
    Segment backwards[2] = {{0x1000, 8, true}, {0x2000, 8, false}};
    EXPECT_EQ(queue.submit(Span<const Segment>(backwards, 2), &tokens[0]).error(), Error::InvalidArgument);
    Segment ok {0x1000, 8, false};
    EXPECT_EQ(queue.submit(Span<const Segment>(&ok, 1), nullptr).error(), Error::InvalidArgument);
    EXPECT_EQ(submit(5, 4, &tokens[0]).error(), Error::Busy);
    EXPECT_EQ(queue.free_descriptors(), 8);
    EXPECT_EQ(queue.in_flight(), 0);
    EXPECT_TRUE(device.take_available().empty());
}

TEST_F(VirtqueueTest, InitRejectsBadSizesAndMemory) {
    Virtqueue q;
    auto memory = dma.allocate(Virtqueue::memory_size(256));
    ASSERT_TRUE(memory.ok());
    EXPECT_EQ(q.init(0, 0, memory.value()).error(), Error::InvalidArgument);
    EXPECT_EQ(q.init(0, 24, memory.value()).error(), Error::InvalidArgument);
    EXPECT_EQ(q.init(0, 512, memory.value()).error(), Error::InvalidArgument);
    DmaRegion small = memory.value();
    small.size = 4096;
    EXPECT_EQ(q.init(0, 256, small).error(), Error::InvalidArgument);
}

TEST_F(VirtqueueTest, ChainLayoutIsWhatTheDeviceSees) {
    make(16);
    auto head = submit(1, 2, &tokens[0]);
    ASSERT_TRUE(head.ok());
    auto heads = device.take_available();
    ASSERT_EQ(heads.size(), 1u);
    EXPECT_EQ(heads[0], head.value());
    auto chain = device.chain(heads[0]);
    ASSERT_EQ(chain.size(), 3u);
    EXPECT_EQ(chain[0].flags, kDescNext);
    EXPECT_EQ(chain[1].flags, kDescNext | kDescWrite);
    EXPECT_EQ(chain[2].flags, kDescWrite);
    EXPECT_EQ(chain[0].addr, 0x10000u);
    EXPECT_EQ(chain[2].addr, 0x20000u + 100);
    EXPECT_TRUE(queue.should_notify());
    EXPECT_FALSE(queue.should_notify());  // nothing new published since
}

TEST_F(VirtqueueTest, ManyInFlightCompletedOutOfOrder) {
    make(64);
    std::mt19937 rng(42);
    std::map<void*, int> completions;
    usize submitted = 0;
    for (int round = 0; round < 2000; ++round) {
        // Fill the queue with chains of 1..4 descriptors until it is full.
        std::vector<std::pair<u16, u32>> published;
        for (;;) {
            usize readable = 1 + rng() % 2, writable = rng() % 3;
            void* token = &tokens[submitted % 1024];
            auto head = submit(readable, writable, token);
            if (head.is_error()) {
                ASSERT_EQ(head.error(), Error::Busy);
                break;
            }
            completions[token] += 0;
            ++submitted;
        }
        ASSERT_GT(queue.in_flight(), 0);
        // The device completes them in a random order, in two batches.
        auto heads = device.take_available();
        ASSERT_EQ(heads.size(), queue.in_flight());
        std::shuffle(heads.begin(), heads.end(), rng);
        usize half = heads.size() / 2;
        for (usize i = 0; i < half; ++i) device.push_used(heads[i], 0);
        usize reaped = reap_all().size();
        EXPECT_EQ(reaped, half);
        for (usize i = half; i < heads.size(); ++i) device.push_used(heads[i], 0);
        reaped += reap_all().size();
        ASSERT_EQ(reaped, heads.size());
        ASSERT_EQ(queue.in_flight(), 0);
        ASSERT_EQ(queue.free_descriptors(), 64);
    }
    EXPECT_GT(submitted, 2000u * 16);
    EXPECT_EQ(queue.faults(), 0u);
}

TEST_F(VirtqueueTest, EachTokenComesBackExactlyOnceWithItsWrittenLength) {
    make(32);
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(submit(1, 1, &tokens[i]).ok());
    auto heads = device.take_available();
    for (usize i = 0; i < heads.size(); ++i) device.push_used(heads[i], u32(i * 10));
    std::vector<std::pair<void*, u32>> got;
    ASSERT_TRUE(queue.reap([&](void* t, u32 len, u16) { got.push_back({t, len}); }).ok());
    ASSERT_EQ(got.size(), 10u);
    for (int i = 0; i < 10; ++i) {
        EXPECT_EQ(got[i].first, &tokens[i]);
        EXPECT_EQ(got[i].second, u32(i * 10));
    }
    EXPECT_TRUE(reap_all().empty());
}

TEST_F(VirtqueueTest, GarbageUsedIndexIsCaughtNotFollowed) {
    make(16);
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(submit(1, 1, &tokens[i]).ok());
    device.take_available();
    device.set_used_index(0x7777);  // claims thousands of completions
    Result<usize> r = usize(0);
    auto got = reap_all(&r);
    EXPECT_TRUE(got.empty());
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error(), Error::Io);
    EXPECT_NE(std::string(queue.fault().data(), queue.fault().length()).find("jumped"), std::string::npos);
    EXPECT_EQ(queue.faults(), 1u);
    EXPECT_EQ(queue.in_flight(), 4);
}

TEST_F(VirtqueueTest, UsedIndexMayNotExceedWhatIsInFlight) {
    make(16);
    ASSERT_TRUE(submit(1, 1, &tokens[0]).ok());
    auto heads = device.take_available();
    device.push_used(heads[0], 1);
    device.push_used(heads[0], 1);  // two completions for one chain in flight
    Result<usize> r = usize(0);
    auto got = reap_all(&r);
    EXPECT_TRUE(r.is_error());
    EXPECT_TRUE(got.empty());
}

TEST_F(VirtqueueTest, OutOfRangeIdIsCaught) {
    make(16);
    ASSERT_TRUE(submit(1, 1, &tokens[0]).ok());
    ASSERT_TRUE(submit(1, 1, &tokens[1]).ok());
    auto heads = device.take_available();
    device.push_used(heads[0], 0);
    device.push_used(0xdeadbeef, 0);
    Result<usize> r = usize(0);
    auto got = reap_all(&r);
    ASSERT_TRUE(r.is_error());
    // The good one before the lie was delivered; nothing after it.
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0], &tokens[0]);
    EXPECT_NE(std::string(queue.fault().data(), queue.fault().length()).find("out of range"), std::string::npos);
}

TEST_F(VirtqueueTest, IdNotInFlightIsCaught) {
    make(16);
    ASSERT_TRUE(submit(2, 0, &tokens[0]).ok());
    ASSERT_TRUE(submit(1, 0, &tokens[1]).ok());
    auto heads = device.take_available();
    // Descriptor 1 is the second of the first chain: never a head.
    ASSERT_EQ(heads[0], 0);
    device.push_used(1, 0);
    Result<usize> r = usize(0);
    auto got = reap_all(&r);
    ASSERT_TRUE(r.is_error());
    EXPECT_TRUE(got.empty());
    EXPECT_NE(std::string(queue.fault().data(), queue.fault().length()).find("not the head"), std::string::npos);
}

TEST_F(VirtqueueTest, UsedLengthBeyondWritableBytesIsCaught) {
    make(16);
    ASSERT_TRUE(submit(1, 1, &tokens[0]).ok());  // 100 writable bytes
    auto heads = device.take_available();
    device.push_used(heads[0], 101);
    Result<usize> r = usize(0);
    reap_all(&r);
    ASSERT_TRUE(r.is_error());
    EXPECT_NE(std::string(queue.fault().data(), queue.fault().length()).find("exceeds"), std::string::npos);
}

TEST_F(VirtqueueTest, ScribbledDescriptorTableDoesNotCorruptTheFreeList) {
    make(8);
    for (int i = 0; i < 2; ++i) ASSERT_TRUE(submit(2, 2, &tokens[i]).ok());
    auto heads = device.take_available();
    // The device overwrites every next field and flag with garbage.
    for (u16 i = 0; i < 8; ++i) {
        device.table()[i].next = 0xffff;
        device.table()[i].flags = 0xffff;
    }
    for (u16 h : heads) device.push_used(h, 0);
    EXPECT_EQ(reap_all().size(), 2u);
    EXPECT_EQ(queue.free_descriptors(), 8);
    // The free list still hands out exactly 8 distinct descriptors.
    for (int i = 0; i < 8; ++i) ASSERT_TRUE(submit(1, 0, &tokens[i]).ok());
    EXPECT_EQ(submit(1, 0, &tokens[9]).error(), Error::Busy);
    auto again = device.take_available();
    std::sort(again.begin(), again.end());
    EXPECT_EQ(std::unique(again.begin(), again.end()), again.end());
    EXPECT_EQ(again.size(), 8u);
}

TEST_F(VirtqueueTest, AbandonHandsBackEverythingInFlight) {
    make(16);
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(submit(1, 1, &tokens[i]).ok());
    std::vector<void*> lost;
    queue.abandon([&](void* t, u16) { lost.push_back(t); });
    EXPECT_EQ(lost.size(), 5u);
    EXPECT_EQ(queue.in_flight(), 0);
    EXPECT_EQ(queue.free_descriptors(), 16);
}

// A DmaSpace whose pages are scattered: page i of the buffer lives at a
// bus address that is only contiguous with its neighbour for even i.
class ScatteredDma final : public DmaSpace {
public:
    Result<DmaRegion> allocate(usize) override { return Error::NoMemory; }
    void free(const DmaRegion&) override {}
    Result<BusAddr> bus_address(const void* virt) override {
        uptr v = reinterpret_cast<uptr>(virt);
        if (v < base || v >= base + 16 * kPageSize) return Error::InvalidArgument;
        uptr page = (v - base) / kPageSize, offset = (v - base) % kPageSize;
        // Pages 0,1 adjacent; 2,3 adjacent; pairs far apart.
        return BusAddr(0x100000 * (page / 2 + 1) + (page % 2) * kPageSize + offset);
    }
    uptr base = 0x40000000;
};

TEST(DmaSpaceTest, TranslateSplitsWherePhysicalAddressesJump) {
    ScatteredDma dma;
    DmaSegment out[8];
    // From the middle of page 1 to the middle of page 4: pages 1 | 2,3 | 4.
    auto n = dma.translate(reinterpret_cast<void*>(dma.base + DmaSpace::kPageSize + 100), 3 * DmaSpace::kPageSize,
                           Span<DmaSegment>(out, 8));
    ASSERT_TRUE(n.ok());
    ASSERT_EQ(n.value(), 3u);
    EXPECT_EQ(out[0].bus, 0x100000u + DmaSpace::kPageSize + 100);
    EXPECT_EQ(out[0].length, DmaSpace::kPageSize - 100);
    EXPECT_EQ(out[1].bus, 0x200000u);
    EXPECT_EQ(out[1].length, 2 * DmaSpace::kPageSize);
    EXPECT_EQ(out[2].bus, 0x300000u);
    EXPECT_EQ(out[2].length, 100u);
    // Too few segments: Overflow, not a truncated list.
    EXPECT_EQ(dma.translate(reinterpret_cast<void*>(dma.base), 8 * DmaSpace::kPageSize, Span<DmaSegment>(out, 2))
                  .error(),
              Error::Overflow);
    // Memory no device can reach.
    EXPECT_EQ(dma.translate(reinterpret_cast<void*>(0x1000), 10, Span<DmaSegment>(out, 8)).error(),
              Error::InvalidArgument);
}

}  // namespace
