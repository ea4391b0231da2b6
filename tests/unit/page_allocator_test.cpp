#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "mm/allocator_selftest.hpp"
#include "mm/page_allocator.hpp"
#include "support/fake_ram.hpp"
#include "mm/slab_cache.hpp"

using namespace mote;
using mote::test::FakeRam;
using mote::test::kMiB;

namespace {


u64 sum_of_free_blocks(const PageAllocator& pages) {
    u64 total = 0;
    for (u32 order = 0; order < kPageOrderCount; ++order) total += pages.free_blocks(order) << order;
    return total;
}

// A block-sized pattern derived from the block's address and a tag, so two
// overlapping live allocations would spoil each other's patterns.
void fill_pattern(u8* memory, u64 bytes, u64 tag) {
    auto* words = reinterpret_cast<u64*>(memory);
    for (u64 i = 0; i < bytes / 8; ++i) words[i] = tag * 0x9e3779b97f4a7c15ull + i;
}

bool check_pattern(const u8* memory, u64 bytes, u64 tag) {
    auto* words = reinterpret_cast<const u64*>(memory);
    for (u64 i = 0; i < bytes / 8; ++i)
        if (words[i] != tag * 0x9e3779b97f4a7c15ull + i) return false;
    return true;
}



}  // namespace

TEST(PageAllocator, EmptyAllocatorRefusesCleanly) {
    PageAllocator pages;
    auto block = pages.allocate(0);
    ASSERT_TRUE(block.is_error());
    EXPECT_EQ(block.error(), Error::NoMemory);
    EXPECT_EQ(pages.failures(), 1u);
    EXPECT_EQ(pages.total_pages(), 0u);
}

TEST(PageAllocator, BootStateOfOneAlignedRange) {
    FakeRam ram(16 * kMiB);
    PageAllocator pages;
    PhysRange range = ram.range(0, 16 * kMiB);
    ASSERT_TRUE(pages.initialize(Span<const PhysRange>(&range, 1), ram.offset()).ok());

    // 4096 pages need 4096 8-byte records: 32 KiB, eight pages, taken from
    // the start. What remains, [8, 4096) in pages, cuts into one block of
    // every order 3..9 and then three 4 MiB blocks.
    PageAllocatorStats s = pages.stats();
    EXPECT_EQ(s.metadata_pages, 8u);
    EXPECT_EQ(s.total_pages, 4088u);
    EXPECT_EQ(s.free_pages, 4088u);
    for (u32 order = 0; order < 3; ++order) EXPECT_EQ(s.free_blocks[order], 0u) << order;
    for (u32 order = 3; order < kMaxPageOrder; ++order) EXPECT_EQ(s.free_blocks[order], 1u) << order;
    EXPECT_EQ(s.free_blocks[kMaxPageOrder], 3u);
    ASSERT_EQ(pages.region_count(), 1u);
    EXPECT_EQ(pages.region(0).base, FakeRam::kBase + 8 * kPageSize);
    EXPECT_EQ(pages.region(0).size, 4088 * kPageSize);
}

TEST(PageAllocator, UsesTheDirectMap) {
    FakeRam ram(4 * kMiB);
    PageAllocator pages;
    PhysRange range = ram.range(0, 4 * kMiB);
    ASSERT_TRUE(pages.initialize(Span<const PhysRange>(&range, 1), ram.offset()).ok());
    PhysAddr block = pages.allocate(3).value();
    EXPECT_EQ(pages.to_virtual(block), ram.at(block));
    EXPECT_NE(pages.to_virtual(block), reinterpret_cast<void*>(uptr(block)));
    EXPECT_EQ(pages.to_physical(ram.at(block)), block);
    pages.free(block, 3);
}

TEST(PageAllocator, BlocksAreAlignedToTheirSize) {
    FakeRam ram(8 * kMiB);
    PageAllocator pages;
    PhysRange range = ram.range(0, 8 * kMiB);
    ASSERT_TRUE(pages.initialize(Span<const PhysRange>(&range, 1), ram.offset()).ok());
    for (u32 order = 0; order <= kMaxPageOrder; ++order) {
        auto block = pages.allocate(order);
        ASSERT_TRUE(block.ok()) << order;
        EXPECT_EQ(block.value() % (kPageSize << order), 0u) << order;
        EXPECT_TRUE(pages.is_allocated_block(block.value(), order));
        EXPECT_FALSE(pages.is_allocated_block(block.value(), order == 0 ? 1 : order - 1));
        pages.free(block.value(), order);
        EXPECT_FALSE(pages.is_allocated_block(block.value(), order));
    }
}

TEST(PageAllocator, ExhaustThenFreeAllRestoresBootState) {
    FakeRam ram(16 * kMiB);
    PageAllocator pages;
    PhysRange range = ram.range(0, 16 * kMiB);
    ASSERT_TRUE(pages.initialize(Span<const PhysRange>(&range, 1), ram.offset()).ok());
    PageAllocatorStats boot = pages.stats();

    std::mt19937_64 rng(7);
    for (int round = 0; round < 3; ++round) {
        // Round 0: single pages. Later rounds: random orders, falling back to
        // smaller ones, until even a page is refused.
        std::vector<std::pair<PhysAddr, u32>> held;
        u32 order = 0;
        for (;;) {
            if (round > 0) order = u32(rng() % 6);
            auto block = pages.allocate(order);
            if (block.is_error()) {
                EXPECT_EQ(block.error(), Error::NoMemory);
                if (order == 0) break;
                continue;
            }
            held.push_back({block.value(), order});
        }
        EXPECT_EQ(pages.free_pages(), 0u);
        EXPECT_EQ(sum_of_free_blocks(pages), 0u);
        auto refused = pages.allocate(0);
        ASSERT_TRUE(refused.is_error());
        EXPECT_EQ(refused.error(), Error::NoMemory);

        std::shuffle(held.begin(), held.end(), rng);
        for (auto [block, block_order] : held) pages.free(block, block_order);
        PageAllocatorStats now = pages.stats();
        EXPECT_TRUE(same_free_state(now, boot)) << "round " << round;
        for (u32 k = 0; k < kPageOrderCount; ++k) EXPECT_EQ(now.free_blocks[k], boot.free_blocks[k]) << k;
    }
    EXPECT_EQ(pages.allocations(), pages.frees());
    EXPECT_GE(pages.failures(), 3u);
}

TEST(PageAllocator, OrderLargerThanAnyFreeBlock) {
    FakeRam ram(1 * kMiB);
    PageAllocator pages;
    PhysRange range = ram.range(0, 1 * kMiB);  // 256 pages: no 4 MiB block exists
    ASSERT_TRUE(pages.initialize(Span<const PhysRange>(&range, 1), ram.offset()).ok());
    auto too_big = pages.allocate(kMaxPageOrder);
    ASSERT_TRUE(too_big.is_error());
    EXPECT_EQ(too_big.error(), Error::NoMemory);
    EXPECT_EQ(pages.failures(), 1u);

    // An order past the largest the allocator has is a caller bug, not
    // exhaustion: it can never succeed.
    auto impossible = pages.allocate(kMaxPageOrder + 1);
    ASSERT_TRUE(impossible.is_error());
    EXPECT_EQ(impossible.error(), Error::InvalidArgument);
    EXPECT_EQ(pages.allocate_pages(0).error(), Error::InvalidArgument);
    EXPECT_EQ(pages.allocate_pages((usize(1) << kMaxPageOrder) + 1).error(), Error::InvalidArgument);
    EXPECT_EQ(pages.failures(), 1u);
    EXPECT_EQ(pages.free_pages(), pages.total_pages());
}

TEST(PageAllocator, AllocatePagesTakesExactlyTheCount) {
    FakeRam ram(8 * kMiB);  // the records cost 4 pages, so 8 MiB for one whole 4 MiB block
    PageAllocator pages;
    PhysRange range = ram.range(0, 8 * kMiB);
    ASSERT_TRUE(pages.initialize(Span<const PhysRange>(&range, 1), ram.offset()).ok());
    PageAllocatorStats boot = pages.stats();

    for (usize count : {1, 2, 3, 5, 7, 12, 100, 513, 1000}) {
        u64 before = pages.free_pages();
        auto run = pages.allocate_pages(count);
        ASSERT_TRUE(run.ok()) << count;
        EXPECT_EQ(pages.free_pages(), before - count) << count;
        EXPECT_TRUE(pages.manages(run.value()) && pages.manages(run.value() + (count - 1) * kPageSize));
        fill_pattern(ram.at(run.value()), count * kPageSize, count);
        pages.free_pages(run.value(), count);
        EXPECT_TRUE(same_free_state(pages.stats(), boot)) << count;
    }

    // The tail of a split block is usable by others straight away: 5 pages
    // from an 8-page block leave 3 free pages right behind them.
    PhysAddr five = pages.allocate_pages(5).value();
    PhysAddr next = pages.allocate(0).value();
    EXPECT_EQ(next, five + 5 * kPageSize);
    pages.free(next, 0);
    pages.free_pages(five, 5);
    EXPECT_TRUE(same_free_state(pages.stats(), boot));
}

TEST(PageAllocator, RandomSequenceMatchesModel) {
    FakeRam ram(16 * kMiB);
    PageAllocator pages;
    // Two ranges with odd edges, so blocks also meet region boundaries.
    PhysRange ranges[] = {ram.range(3 * kPageSize + 17, 6 * kMiB), ram.range(7 * kMiB - 5, 9 * kMiB - 100)};
    ASSERT_TRUE(pages.initialize(Span<const PhysRange>(ranges, 2), ram.offset()).ok());
    PageAllocatorStats boot = pages.stats();

    struct Live {
        u64 pages;
        u32 order;  // or ~0u for allocate_pages
        u64 tag;
        PageOwner owner;
    };
    constexpr PageOwner kOwners = 4;
    std::map<PhysAddr, Live> live;
    u64 live_pages = 0;
    std::mt19937_64 rng(20240611);
    u64 tag = 1;

    auto release = [&](std::map<PhysAddr, Live>::iterator it) {
        ASSERT_TRUE(check_pattern(ram.at(it->first), it->second.pages * kPageSize, it->second.tag))
            << "block at " << std::hex << it->first << " was overwritten";
        if (it->second.order == ~0u) pages.free_pages(it->first, it->second.pages);
        else pages.free(it->first, it->second.order);
        live_pages -= it->second.pages;
        live.erase(it);
    };

    for (int step = 0; step < 20000; ++step) {
        bool do_alloc = live.empty() || rng() % 100 < 55;
        if (do_alloc) {
            bool by_count = rng() % 4 == 0;
            u32 order = u32(rng() % 7);
            u64 count = by_count ? 1 + rng() % 40 : u64(1) << order;
            PageOwner owner = PageOwner(tag % kOwners);
            auto block = by_count ? pages.allocate_pages(count, owner) : pages.allocate(order, owner);
            if (block.is_error()) {
                ASSERT_EQ(block.error(), Error::NoMemory);
                continue;
            }
            PhysAddr at = block.value();
            ASSERT_EQ(at % kPageSize, 0u);
            if (!by_count) {
                ASSERT_EQ(at % (kPageSize << order), 0u);
            }
            // No overlap with the neighbours in address order.
            auto after = live.lower_bound(at);
            if (after != live.end()) {
                ASSERT_GE(after->first, at + count * kPageSize);
            }
            if (after != live.begin()) {
                auto before = std::prev(after);
                ASSERT_LE(before->first + before->second.pages * kPageSize, at);
            }
            ASSERT_TRUE(pages.manages(at) && pages.manages(at + (count - 1) * kPageSize));
            fill_pattern(ram.at(at), count * kPageSize, tag);
            live[at] = Live {count, by_count ? ~0u : order, tag++, owner};
            live_pages += count;
        } else {
            auto it = live.begin();
            std::advance(it, rng() % live.size());
            release(it);
        }
        ASSERT_EQ(pages.free_pages() + live_pages, pages.total_pages());
        if (step % 1000 == 0) {
            ASSERT_EQ(sum_of_free_blocks(pages), pages.free_pages());
            // Per-owner accounting against the model.
            u64 by_owner[kOwners] {};
            for (auto& [at, l] : live) by_owner[l.owner] += l.pages;
            for (PageOwner o = 0; o < kOwners; ++o) ASSERT_EQ(pages.owned_pages(o), by_owner[o]) << o;
            // Every record: allocated heads have one reference and account
            // for exactly the live pages; all other records are zero.
            u64 head_pages = 0;
            for (usize r = 0; r < pages.region_count(); ++r) {
                PhysRange region = pages.region(r);
                for (PhysAddr p = region.base; p < region.base + region.size; p += kPageSize) {
                    const PageFrame* f = pages.frame(p);
                    ASSERT_NE(f, nullptr);
                    if (f->is_allocated()) {
                        ASSERT_EQ(f->refs(), 1u);
                        head_pages += u64(1) << f->order();
                    } else {
                        ASSERT_EQ(f->refs(), 0u) << std::hex << p;
                        ASSERT_EQ(f->owner(), kOwnerKernel) << std::hex << p;
                    }
                }
            }
            ASSERT_EQ(head_pages, live_pages);
            // Each live block's last page leads back to a head inside it.
            for (auto& [at, l] : live) {
                PhysAddr last = at + (l.pages - 1) * kPageSize + 123;
                auto head = pages.block_head(last);
                ASSERT_TRUE(head.ok());
                ASSERT_GE(head.value(), at);
                ASSERT_LE(head.value(), last);
                ASSERT_EQ(pages.frame(head.value())->owner(), l.owner);
                if (l.order != ~0u) {
                    ASSERT_EQ(head.value(), at);
                }
            }
        }
    }
    while (!live.empty()) release(live.begin());
    EXPECT_TRUE(same_free_state(pages.stats(), boot));
}

TEST(PageAllocator, DisjointRangesWithOddAlignment) {
    FakeRam ram(8 * kMiB);
    PageAllocator pages;
    // Unsorted, oddly aligned, one too small for a page, two adjacent ones
    // that must merge into one region.
    PhysRange ranges[] = {
        ram.range(5 * kMiB + 4096, 300 * kPageSize + 5),      // 300 pages
        ram.range(123, 5 * kPageSize + 77),                   // [4096, 20480+200): 4 whole pages
        ram.range(6 * kMiB + 1, kPageSize),                   // no whole page
        ram.range(3 * kMiB + 4095, 1 * kMiB),                 // 255 pages
        ram.range(7 * kMiB, 64 * 1024),                       // 16 pages ...
        ram.range(7 * kMiB + 64 * 1024, 64 * 1024 + 4000),    // ... + 16 pages, adjacent
    };
    ASSERT_TRUE(pages.initialize(Span<const PhysRange>(ranges, 6), ram.offset()).ok());
    const u64 whole_pages = 300 + 4 + 255 + 32;
    // 591 records of 8 bytes: 4728 bytes, two pages.
    EXPECT_EQ(pages.stats().metadata_pages, 2u);
    EXPECT_EQ(pages.total_pages(), whole_pages - 2);
    ASSERT_EQ(pages.region_count(), 4u);  // the adjacent pair is one region
    for (usize i = 1; i < pages.region_count(); ++i)
        EXPECT_GT(pages.region(i).base, pages.region(i - 1).base + pages.region(i - 1).size);
    EXPECT_EQ(pages.region(3).base, FakeRam::kBase + 7 * kMiB);
    EXPECT_EQ(pages.region(3).size, 32 * kPageSize);
    PageAllocatorStats boot = pages.stats();

    // Take everything and write all of it; every page must lie inside a
    // trimmed input range, and the bytes outside them must stay untouched.
    auto inside_input = [&](PhysAddr page) {
        for (const PhysRange& r : ranges) {
            PhysRange whole = page_aligned_part(r);
            if (page >= whole.base && page + kPageSize <= whole.base + whole.size) return true;
        }
        return false;
    };
    std::vector<PhysAddr> held;
    for (;;) {
        auto page = pages.allocate(0);
        if (page.is_error()) break;
        ASSERT_TRUE(inside_input(page.value())) << std::hex << page.value();
        std::memset(ram.at(page.value()), 0x5A, kPageSize);
        held.push_back(page.value());
    }
    EXPECT_EQ(held.size(), whole_pages - 2);
    for (usize byte = 0; byte < ram.size(); byte += 64) {
        PhysAddr phys = FakeRam::kBase + byte;
        bool managed = pages.manages(align_down(phys, kPageSize));
        if (!managed && !inside_input(align_down(phys, kPageSize)))
            ASSERT_EQ(*ram.at(phys), FakeRam::kUntouched) << std::hex << phys;
    }
    for (PhysAddr page : held) pages.free(page, 0);
    EXPECT_TRUE(same_free_state(pages.stats(), boot));
}

// The first write to a guest page makes a hypervisor back it (zeroing 2 MiB
// on hosts with transparent huge pages), so initialize() must write only the
// page records: never the free memory it takes over.
TEST(PageAllocator, InitializeWritesNothingIntoFreeMemory) {
    FakeRam ram(16 * kMiB);
    PageAllocator pages;
    // Two regions, the larger (which hosts the records) second: 773 + 3071
    // pages, 30752 bytes of records, so 8 pages.
    PhysRange ranges[] = {ram.range(0, 3 * kMiB + 5 * kPageSize), ram.range(4 * kMiB + kPageSize, 12 * kMiB - kPageSize)};
    ASSERT_TRUE(pages.initialize(Span<const PhysRange>(ranges, 2), ram.offset()).ok());
    PageAllocatorStats s = pages.stats();
    ASSERT_EQ(s.metadata_pages, 8u);
    EXPECT_EQ(s.free_pages, s.total_pages);
    EXPECT_EQ(sum_of_free_blocks(pages), s.free_pages);

    const PhysAddr map_page = FakeRam::kBase + 4 * kMiB + kPageSize;
    for (usize byte = 0; byte < ram.size(); ++byte) {
        PhysAddr phys = FakeRam::kBase + byte;
        if (phys >= map_page && phys < map_page + 8 * kPageSize) continue;
        ASSERT_EQ(*ram.at(phys), FakeRam::kUntouched) << std::hex << phys;
    }
}

// Memory reaches a free list only when a request needs it: one large
// allocation leaves everything above it as it was.
TEST(PageAllocator, SeedingTouchesOnlyWhatItHandsOut) {
    FakeRam ram(16 * kMiB);
    PageAllocator pages;
    PhysRange range = ram.range(0, 16 * kMiB);
    ASSERT_TRUE(pages.initialize(Span<const PhysRange>(&range, 1), ram.offset()).ok());
    PageAllocatorStats boot = pages.stats();

    // Pages [8, 1024) (after 8 pages of records) are cut into one block of
    // each order 3..9, seeded on the way to the first order-10 block at page
    // 1024.
    PhysAddr block = pages.allocate(kMaxPageOrder).value();
    EXPECT_EQ(block, FakeRam::kBase + 1024 * kPageSize);
    for (PhysAddr phys = block + (kPageSize << kMaxPageOrder); phys < FakeRam::kBase + ram.size(); phys += 64)
        ASSERT_EQ(*ram.at(phys), FakeRam::kUntouched) << std::hex << phys;
    EXPECT_EQ(pages.free_pages(), boot.free_pages - 1024);
    EXPECT_EQ(sum_of_free_blocks(pages), pages.free_pages());

    // Small requests now come from the seeded lists, not the frontier.
    PhysAddr page = pages.allocate(0).value();
    EXPECT_EQ(page, FakeRam::kBase + 8 * kPageSize);
    pages.free(page, 0);
    pages.free(block, kMaxPageOrder);
    EXPECT_TRUE(same_free_state(pages.stats(), boot));

    // Seeded and unseeded blocks count alike: exhausting by largest blocks
    // first and freeing everything gives the boot state again.
    std::vector<std::pair<PhysAddr, u32>> held;
    for (u32 order = kMaxPageOrder + 1; order-- > 0;) {
        for (;;) {
            auto b = pages.allocate(order);
            if (b.is_error()) break;
            held.push_back({b.value(), order});
        }
    }
    EXPECT_EQ(pages.free_pages(), 0u);
    EXPECT_EQ(held.size(), 10u);  // orders 3..9 once, three of order 10
    for (auto [b, order] : held) pages.free(b, order);
    EXPECT_TRUE(same_free_state(pages.stats(), boot));
}

TEST(PageAllocator, InitializeValidatesBeforeActing) {
    FakeRam ram(2 * kMiB);
    PageAllocator pages;

    PhysRange overlapping[] = {ram.range(0, 1 * kMiB), ram.range(1 * kMiB - kPageSize, 1 * kMiB)};
    EXPECT_EQ(pages.initialize(Span<const PhysRange>(overlapping, 2), ram.offset()).error(), Error::Malformed);

    EXPECT_EQ(pages.initialize({}, ram.offset()).error(), Error::NoMemory);
    PhysRange crumbs[] = {ram.range(10, 4000), ram.range(kPageSize + 1, kPageSize)};
    EXPECT_EQ(pages.initialize(Span<const PhysRange>(crumbs, 2), ram.offset()).error(), Error::NoMemory);
    // One page cannot hold both its own record and a page to hand out.
    PhysRange one_page = ram.range(0, kPageSize);
    EXPECT_EQ(pages.initialize(Span<const PhysRange>(&one_page, 1), ram.offset()).error(), Error::NoMemory);

    PhysRange fine = ram.range(0, 2 * kMiB);
    EXPECT_EQ(pages.initialize(Span<const PhysRange>(&fine, 1), ram.offset() + 8).error(), Error::InvalidArgument);

    // None of the failures wrote anything or left state behind.
    for (usize i = 0; i < ram.size(); i += kPageSize) ASSERT_EQ(*ram.at(FakeRam::kBase + i), FakeRam::kUntouched);
    EXPECT_EQ(pages.allocate(0).error(), Error::NoMemory);

    ASSERT_TRUE(pages.initialize(Span<const PhysRange>(&fine, 1), ram.offset()).ok());
    EXPECT_EQ(pages.total_pages(), 511u);
    EXPECT_EQ(pages.initialize(Span<const PhysRange>(&fine, 1), ram.offset()).error(), Error::BadState);
}

TEST(PageAllocator, TooManyRegionsIsOverflow) {
    FakeRam ram(1 * kMiB);
    PageAllocator pages;
    std::vector<PhysRange> ranges;
    for (usize i = 0; i < PageAllocator::kMaxRegions + 1; ++i) ranges.push_back(ram.range(i * 3 * kPageSize, 2 * kPageSize));
    EXPECT_EQ(pages.initialize(Span<const PhysRange>(ranges.data(), ranges.size()), ram.offset()).error(),
              Error::Overflow);
    ranges.pop_back();
    EXPECT_TRUE(pages.initialize(Span<const PhysRange>(ranges.data(), ranges.size()), ram.offset()).ok());
    EXPECT_EQ(pages.region_count(), PageAllocator::kMaxRegions);
}

TEST(PageAllocator, RangeRunningPastTheTopIsClamped) {
    PhysRange wild {~u64(0) - 3 * kPageSize - 5, 100 * kPageSize};
    PhysRange whole = page_aligned_part(wild);
    EXPECT_EQ(whole.base % kPageSize, 0u);
    EXPECT_EQ(whole.size, 2 * kPageSize);
    EXPECT_TRUE(page_aligned_part({~u64(0) - 10, 5}).empty());
}

// ---- Misuse stops the kernel ------------------------------------------------

class PageAllocatorDeath : public ::testing::Test {
protected:
    void SetUp() override {
        GTEST_FLAG_SET(death_test_style, "threadsafe");
        PhysRange range = ram.range(0, 4 * kMiB);
        ASSERT_TRUE(pages.initialize(Span<const PhysRange>(&range, 1), ram.offset()).ok());
    }
    FakeRam ram {4 * kMiB};
    PageAllocator pages;
};

TEST_F(PageAllocatorDeath, DoubleFree) {
    PhysAddr block = pages.allocate(0).value();
    PhysAddr other = pages.allocate(2).value();
    pages.free(block, 0);
    EXPECT_DEATH(pages.free(block, 0), "double free");
    pages.free(other, 2);
    // After coalescing the freed block is no longer a head at all.
    EXPECT_DEATH(pages.free(other, 2), "double free");
}

TEST_F(PageAllocatorDeath, WrongOrder) {
    PhysAddr block = pages.allocate(2).value();
    EXPECT_DEATH(pages.free(block, 1), "order differs");
    EXPECT_DEATH(pages.free(block, 3), "order differs|misaligned");
}

TEST_F(PageAllocatorDeath, MisalignedOrInsideABlock) {
    PhysAddr block = pages.allocate(3).value();
    EXPECT_DEATH(pages.free(block + 100, 3), "not page-aligned");
    EXPECT_DEATH(pages.free(block + kPageSize, 3), "misaligned");
    EXPECT_DEATH(pages.free(block + kPageSize, 0), "inside a block");
    EXPECT_DEATH(pages.free_pages(block, 3), "order differs");
}

TEST_F(PageAllocatorDeath, ForeignAddress) {
    EXPECT_DEATH(pages.free(FakeRam::kBase + 64 * kMiB, 0), "not managed");
    EXPECT_DEATH(pages.free(0, 0), "not managed");
    // The records' own pages are not managed either.
    EXPECT_DEATH(pages.free(FakeRam::kBase, 0), "not managed");
    EXPECT_DEATH(pages.free(FakeRam::kBase + kPageSize, kMaxPageOrder + 1), "order out of range");
}

TEST_F(PageAllocatorDeath, FreeWhileReferenced) {
    PhysAddr block = pages.allocate(0).value();
    ASSERT_TRUE(pages.ref(block).ok());
    EXPECT_DEATH(pages.free(block, 0), "still referenced");
    PhysAddr run = pages.allocate_pages(3).value();
    ASSERT_TRUE(pages.ref(run).ok());
    EXPECT_DEATH(pages.free_pages(run, 3), "still referenced");
}

TEST_F(PageAllocatorDeath, ReferencesToDeadOrForeignBlocks) {
    PhysAddr block = pages.allocate(2).value();
    EXPECT_DEATH((void)pages.ref(block + kPageSize), "page ref: not a live allocated block");
    EXPECT_DEATH((void)pages.unref(block + 8), "page unref: not a live allocated block");
    EXPECT_DEATH((void)pages.ref(FakeRam::kBase), "not a live");  // the records' page
    EXPECT_DEATH(pages.set_owner(0, 1), "not a live");
    EXPECT_TRUE(pages.unref(block));
    // At zero the block is the last holder's to free: no new references.
    EXPECT_DEATH((void)pages.ref(block), "not a live");
    EXPECT_DEATH((void)pages.unref(block), "not a live");
    pages.free(block, 2);
    EXPECT_DEATH((void)pages.ref(block), "not a live");
}

// ---- The in-kernel self-test, run on the host ---------------------------------

TEST(AllocatorSelftest, PassesOnAFreshAllocator) {
    FakeRam ram(8 * kMiB);
    PageAllocator pages;
    PhysRange range = ram.range(kPageSize * 3, 8 * kMiB - kPageSize * 5);
    ASSERT_TRUE(pages.initialize(Span<const PhysRange>(&range, 1), ram.offset()).ok());
    PageAllocatorStats boot = pages.stats();

    std::vector<std::string> failures;
    auto result = run_allocator_selftest(
        pages,
        [](StringView check, bool passed, void* context) {
            if (!passed) static_cast<std::vector<std::string>*>(context)->emplace_back(check.data(), check.length());
        },
        &failures);
    EXPECT_EQ(result.failed, 0u);
    EXPECT_GE(result.passed, 15u);
    for (const auto& f : failures) ADD_FAILURE() << f;
    EXPECT_TRUE(same_free_state(pages.stats(), boot));
}

TEST(AllocatorSelftest, PassesOnALiveFragmentedAllocator) {
    FakeRam ram(8 * kMiB);
    PageAllocator pages;
    PhysRange ranges[] = {ram.range(77, 3 * kMiB), ram.range(4 * kMiB + 3 * kPageSize, 3 * kMiB + 11)};
    ASSERT_TRUE(pages.initialize(Span<const PhysRange>(ranges, 2), ram.offset()).ok());

    // The kernel already holds memory: a scattering of blocks that stays
    // allocated (and untouched) across the test.
    std::mt19937_64 rng(99);
    std::vector<std::pair<PhysAddr, u32>> kept;
    for (int i = 0; i < 200; ++i) {
        u32 order = u32(rng() % 4);
        PhysAddr block = pages.allocate(order).value();
        if (rng() % 2) {
            pages.free(block, order);
            continue;
        }
        fill_pattern(ram.at(block), kPageSize << order, block);
        kept.push_back({block, order});
    }
    PageAllocatorStats before = pages.stats();
    auto result = run_allocator_selftest(pages);
    EXPECT_EQ(result.failed, 0u);
    EXPECT_GT(result.passed, 0u);
    EXPECT_TRUE(same_free_state(pages.stats(), before));
    for (auto [block, order] : kept) {
        EXPECT_TRUE(check_pattern(ram.at(block), kPageSize << order, block));
        pages.free(block, order);
    }
}

TEST(AllocatorSelftest, ReportsAnEmptyAllocator) {
    PageAllocator pages;
    auto result = run_allocator_selftest(pages);
    EXPECT_EQ(result.failed, 1u);
}
