// Address spaces (proc/address_space) over a page allocator on fake RAM
// and a fake MMU: regions, copies to and from user memory, bad pointers,
// the recent-translation cache, lazy pages and failure clean-up.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "support/process_fixture.hpp"

using namespace mote;
using mote::test::FakeMmu;
using mote::test::FakeRam;

// --- address space ------------------------------------------------------------

class AddressSpaceTest : public ::testing::Test {
protected:
    void SetUp() override {
        PhysRange range = ram.range(0, ram.size());
        ASSERT_TRUE(pages.initialize(Span<const PhysRange>(&range, 1), ram.offset()).ok());
        before = pages.stats();
    }
    FakeRam ram {2 << 20};
    PageAllocator pages;
    FakeMmu mmu;
    PageAllocatorStats before;
};

TEST_F(AddressSpaceTest, RegionsAreZeroedAndCopiesRoundTrip) {
    AddressSpace space(pages, mmu);
    ASSERT_TRUE(space.add_region(0x400000, 2 * kPageSize, kUserRead | kUserWrite, RegionKind::Program).ok());
    EXPECT_EQ(space.resident_pages(), 2u);
    u8 out[64];
    ASSERT_TRUE(space.copy_in(Span<u8>(out, sizeof(out)), 0x400000 + kPageSize - 32).ok());
    for (u8 b : out) EXPECT_EQ(b, 0);
    std::string text = "crosses the page boundary on purpose, 64 bytes long.............";
    ASSERT_EQ(text.size(), 64u);
    ASSERT_TRUE(space.copy_out(0x400000 + kPageSize - 32, ReadonlyBytes(reinterpret_cast<const u8*>(text.data()), 64)).ok());
    ASSERT_TRUE(space.copy_in(Span<u8>(out, sizeof(out)), 0x400000 + kPageSize - 32).ok());
    EXPECT_EQ(std::string(reinterpret_cast<char*>(out), 64), text);
    // The bytes really are in the frames the MMU maps.
    UserPage second = mmu.translate(0x400000 + kPageSize).value();
    EXPECT_EQ(std::memcmp(pages.to_virtual(second.frame), text.data() + 32, 32), 0);
    space.clear();
    EXPECT_TRUE(same_free_state(pages.stats(), before));
}

TEST_F(AddressSpaceTest, BadUserPointersAreErrorsAndWriteNothing) {
    AddressSpace space(pages, mmu);
    ASSERT_TRUE(space.add_region(0x400000, kPageSize, kUserRead, RegionKind::Program).ok());
    ASSERT_TRUE(space.add_region(0x402000, kPageSize, kUserRead | kUserWrite, RegionKind::Program).ok());
    u8 data[16] = {1, 2, 3};
    // Read-only page.
    EXPECT_TRUE(space.copy_out(0x400000, ReadonlyBytes(data, 16)).is_error());
    // Starts writable, runs into an unmapped page: nothing written.
    EXPECT_TRUE(space.copy_out(0x402000 + kPageSize - 8, ReadonlyBytes(data, 16)).is_error());
    u8 check[8];
    ASSERT_TRUE(space.copy_in(Span<u8>(check, 8), 0x402000 + kPageSize - 8).ok());
    for (u8 b : check) EXPECT_EQ(b, 0);
    // Unmapped, null, kernel half, wrapping.
    EXPECT_TRUE(space.copy_in(Span<u8>(check, 8), 0x401000).is_error());
    EXPECT_TRUE(space.copy_in(Span<u8>(check, 8), 0).is_error());
    EXPECT_TRUE(space.copy_in(Span<u8>(check, 8), 0xffffffc000000000ull).is_error());
    EXPECT_TRUE(space.copy_in(Span<u8>(check, 8), ~u64(0) - 3).is_error());
    EXPECT_TRUE(space.copy_in(Span<u8>(check, 8), mote::abi::kUserLimit - 4).is_error());
    space.clear();
}

// reach() keeps the last translations; none may outlive its mapping. A
// page copied from just before unmap is an error after it, and a new
// mapping at the same address shows its own (zeroed) frame, not the old
// one's bytes.
TEST_F(AddressSpaceTest, RecentTranslationsDieWithTheirMapping) {
    AddressSpace space(pages, mmu);
    u64 a = space.map_anywhere(2 * kPageSize, kUserRead | kUserWrite).value();
    u8 data[8] = {9, 8, 7, 6, 5, 4, 3, 2};
    u8 back[8] = {};
    for (int round = 0; round < 2; ++round) {  // the second round hits the cache
        ASSERT_TRUE(space.copy_out(a + kPageSize + 16, ReadonlyBytes(data, 8)).ok());
        ASSERT_TRUE(space.copy_in(Span<u8>(back, 8), a + kPageSize + 16).ok());
        EXPECT_EQ(std::memcmp(back, data, 8), 0);
    }
    ASSERT_TRUE(space.remove_mapped(a, 2 * kPageSize).ok());
    // Unmapped: the error is resolve_fault's (no lazy region there).
    EXPECT_TRUE(space.copy_in(Span<u8>(back, 8), a + kPageSize + 16).is_error());
    EXPECT_TRUE(space.copy_out(a + kPageSize + 16, ReadonlyBytes(data, 8)).is_error());
    // The same address again, read-only this time: zeros, and no writes.
    ASSERT_EQ(space.map_anywhere(2 * kPageSize, kUserRead).value(), a);
    ASSERT_TRUE(space.copy_in(Span<u8>(back, 8), a + kPageSize + 16).ok());
    for (u8 b : back) EXPECT_EQ(b, 0);
    EXPECT_EQ(space.copy_out(a + kPageSize + 16, ReadonlyBytes(data, 8)).error(), Error::OutOfRange);
    space.clear();
    EXPECT_TRUE(space.copy_in(Span<u8>(back, 8), a + kPageSize + 16).is_error());
    EXPECT_TRUE(same_free_state(pages.stats(), before));
}

TEST_F(AddressSpaceTest, RegionRules) {
    AddressSpace space(pages, mmu);
    EXPECT_EQ(space.add_region(0x400000, kPageSize, kUserWrite | kUserExecute, RegionKind::Program).error(),
              Error::InvalidArgument);
    EXPECT_EQ(space.add_region(0x400001, kPageSize, kUserRead, RegionKind::Program).error(), Error::InvalidArgument);
    EXPECT_EQ(space.add_region(mote::abi::kUserLimit, kPageSize, kUserRead, RegionKind::Program).error(), Error::OutOfRange);
    ASSERT_TRUE(space.add_region(0x400000, 2 * kPageSize, kUserRead, RegionKind::Program).ok());
    EXPECT_EQ(space.add_region(0x401000, kPageSize, kUserRead, RegionKind::Program).error(), Error::BadState);
    // map(): regions a guard page apart, removable only whole.
    u64 a = space.map_anywhere(3 * kPageSize, kUserRead | kUserWrite).value();
    u64 b = space.map_anywhere(kPageSize, kUserRead).value();
    EXPECT_EQ(a, mote::abi::kMapBase);
    EXPECT_GE(b, a + 3 * kPageSize + kPageSize);
    EXPECT_FALSE(mmu.translate(a + 3 * kPageSize).ok()) << "guard page mapped";
    EXPECT_EQ(space.remove_mapped(a, kPageSize).error(), Error::InvalidArgument);
    EXPECT_EQ(space.remove_mapped(0x400000, 2 * kPageSize).error(), Error::InvalidArgument);
    ASSERT_TRUE(space.remove_mapped(a, 3 * kPageSize).ok());
    EXPECT_EQ(space.map_anywhere(kPageSize, kUserRead).value(), a) << "freed space is reused";
    space.clear();
    EXPECT_TRUE(same_free_state(pages.stats(), before));
}

TEST_F(AddressSpaceTest, LazyRegionsGetPagesOnFirstTouch) {
    AddressSpace space(pages, mmu);
    u64 bottom = 0x10000000;
    ASSERT_TRUE(space.add_lazy_region(bottom, 16 * kPageSize, 2 * kPageSize, kUserRead | kUserWrite, RegionKind::Stack).ok());
    EXPECT_EQ(space.resident_pages(), 2u) << "only the top pages at first";
    EXPECT_TRUE(mmu.translate(bottom + 15 * kPageSize).ok());
    EXPECT_FALSE(mmu.translate(bottom).ok());
    // A fault in an untouched page brings it in, zeroed; a second fault on
    // it is a real one; outside any lazy region nothing happens.
    ASSERT_TRUE(space.resolve_fault(bottom + 100).ok());
    EXPECT_EQ(space.resident_pages(), 3u);
    EXPECT_EQ(space.resolve_fault(bottom + 200).error(), Error::NotFound);
    EXPECT_EQ(space.resolve_fault(bottom - 1).error(), Error::NotFound) << "the guard below";
    // The kernel's own copies bring pages in as the user's touch would.
    u8 data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    ASSERT_TRUE(space.copy_out(bottom + 5 * kPageSize, ReadonlyBytes(data, 8)).ok());
    EXPECT_EQ(space.resident_pages(), 4u);
    u8 zeros[16];
    ASSERT_TRUE(space.copy_in(Span<u8>(zeros, 16), bottom + 7 * kPageSize).ok());
    for (u8 b : zeros) EXPECT_EQ(b, 0);
    space.clear();
    EXPECT_TRUE(same_free_state(pages.stats(), before));
}

TEST_F(AddressSpaceTest, FailedRegionGivesEverythingBack) {
    AddressSpace space(pages, mmu);
    mmu.fail_map_after = 3;
    EXPECT_EQ(space.add_region(0x400000, 8 * kPageSize, kUserRead, RegionKind::Program).error(), Error::NoMemory);
    EXPECT_EQ(space.resident_pages(), 0u);
    EXPECT_TRUE(mmu.pages.empty());
    EXPECT_TRUE(same_free_state(pages.stats(), before));
}
