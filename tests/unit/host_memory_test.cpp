// The hosted machine's physical memory: an mmap arena under the page
// allocator. Expectations are worked out from the arena's size, not read
// back from the allocator.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "mm/allocator_selftest.hpp"
#include "platform/hosted/host_memory.hpp"

using namespace mote;

namespace {
constexpr u64 kMiB = u64(1) << 20;
}

TEST(HostMemory, ArenaIsManagedAtAFakePhysicalBase) {
    HostMemory memory;
    EXPECT_FALSE(memory.ready());
    ASSERT_TRUE(memory.init(16 * kMiB).ok());
    ASSERT_TRUE(memory.ready());
    PageAllocator& pages = memory.pages();

    // 4096 pages; their records take 4096 * 8 bytes = 8 pages.
    PageAllocatorStats s = pages.stats();
    EXPECT_EQ(s.metadata_pages, 8u);
    EXPECT_EQ(s.total_pages, 4096u - 8);
    EXPECT_EQ(s.free_pages, s.total_pages);
    ASSERT_EQ(pages.region_count(), 1u);
    EXPECT_EQ(pages.region(0).base, HostMemory::kPhysBase + 8 * kPageSize);
    EXPECT_EQ(memory.range().base, HostMemory::kPhysBase);
    EXPECT_EQ(memory.range().size, 16 * kMiB);

    // Blocks are physical addresses inside the fake RAM, reached through the
    // direct map: the pointer differs from the address, and the memory is
    // writable.
    PhysAddr block = pages.allocate(4, 3).value();
    EXPECT_GE(block, HostMemory::kPhysBase + 8 * kPageSize);
    EXPECT_LT(block, HostMemory::kPhysBase + 16 * kMiB);
    EXPECT_EQ(block % (kPageSize << 4), 0u);
    auto* bytes = static_cast<u8*>(pages.to_virtual(block));
    EXPECT_NE(reinterpret_cast<uptr>(bytes), uptr(block));
    std::memset(bytes, 0xA5, kPageSize << 4);
    EXPECT_EQ(bytes[(kPageSize << 4) - 1], 0xA5);
    EXPECT_EQ(pages.to_physical(bytes + kPageSize), block + kPageSize);
    EXPECT_EQ(pages.frame(block)->owner(), 3u);
    EXPECT_EQ(pages.owned_pages(3), 16u);
    pages.free(block, 4);
    EXPECT_TRUE(same_free_state(pages.stats(), s));
}

TEST(HostMemory, DefaultSizeHoldsTheLargestBlocks) {
    HostMemory memory;
    ASSERT_TRUE(memory.init(HostMemory::kDefaultSize).ok());
    PageAllocator& pages = memory.pages();
    // 64 MiB: 16384 pages, 128 KiB of records (32 pages).
    EXPECT_EQ(pages.stats().metadata_pages, 32u);
    EXPECT_EQ(pages.total_pages(), 16384u - 32);
    std::vector<PhysAddr> big;
    for (;;) {
        auto b = pages.allocate(kMaxPageOrder);
        if (b.is_error()) break;
        big.push_back(b.value());
    }
    // [32, 16384) pages hold 15 whole 4 MiB blocks (the first starts at 1024).
    EXPECT_EQ(big.size(), 15u);
    for (PhysAddr b : big) pages.free(b, kMaxPageOrder);
}

TEST(HostMemory, SelftestPassesOnTheArena) {
    HostMemory memory;
    ASSERT_TRUE(memory.init(8 * kMiB).ok());
    PageAllocatorStats boot = memory.pages().stats();
    AllocatorSelftestResult r = run_allocator_selftest(memory.pages());
    EXPECT_EQ(r.failed, 0u);
    EXPECT_GT(r.passed, 10u);
    EXPECT_TRUE(same_free_state(memory.pages().stats(), boot));
}

TEST(HostMemory, InitValidates) {
    HostMemory memory;
    EXPECT_EQ(memory.init(0).error(), Error::InvalidArgument);
    EXPECT_EQ(memory.init(HostMemory::kMinSize - kPageSize).error(), Error::InvalidArgument);
    EXPECT_EQ(memory.init(HostMemory::kMaxSize + kPageSize).error(), Error::InvalidArgument);
    EXPECT_EQ(memory.init(4 * kMiB + 100).error(), Error::InvalidArgument);
    EXPECT_FALSE(memory.ready());
    ASSERT_TRUE(memory.init(HostMemory::kMinSize).ok());
    EXPECT_EQ(memory.init(HostMemory::kMinSize).error(), Error::BadState);
}
