// Page records (mm/page_frame.hpp): what the allocator keeps per page,
// reference counts and owners.
#include <gtest/gtest.h>

#include "mm/page_allocator.hpp"
#include "mm/slab_cache.hpp"
#include "support/fake_ram.hpp"

using namespace mote;
using mote::test::FakeRam;
using mote::test::kMiB;

// ---- Page records -------------------------------------------------------------

TEST(PageFrame, RecordsCostEightBytesAPage) {
    // 64 MiB: 16384 pages of 8-byte records is 128 KiB, 32 pages; a byte map
    // would have needed 4.
    FakeRam ram(64 * kMiB);
    PageAllocator pages;
    PhysRange range = ram.range(0, 64 * kMiB);
    ASSERT_TRUE(pages.initialize(Span<const PhysRange>(&range, 1), ram.offset()).ok());
    EXPECT_EQ(sizeof(PageFrame), 8u);
    EXPECT_EQ(pages.stats().metadata_pages, 32u);
    EXPECT_EQ(pages.total_pages(), 16384u - 32);
    EXPECT_EQ(pages.region(0).base, FakeRam::kBase + 32 * kPageSize);
    // The records' pages are not managed: no record describes them.
    EXPECT_EQ(pages.frame(FakeRam::kBase), nullptr);
    EXPECT_EQ(pages.frame(FakeRam::kBase + 31 * kPageSize + 4095), nullptr);
    EXPECT_NE(pages.frame(FakeRam::kBase + 32 * kPageSize), nullptr);
}

TEST(PageFrame, AllocationSetsCountAndOwner) {
    FakeRam ram(8 * kMiB);
    PageAllocator pages;
    PhysRange range = ram.range(0, 8 * kMiB);
    ASSERT_TRUE(pages.initialize(Span<const PhysRange>(&range, 1), ram.offset()).ok());

    PhysAddr page = pages.allocate(0).value();
    const PageFrame* f = pages.frame(page);
    ASSERT_NE(f, nullptr);
    EXPECT_TRUE(f->is_block_head());
    EXPECT_TRUE(f->is_allocated());
    EXPECT_EQ(f->order(), 0u);
    EXPECT_EQ(f->refs(), 1u);
    EXPECT_EQ(f->owner(), kOwnerKernel);
    // Any byte of the page has the same record.
    EXPECT_EQ(pages.frame(page + 4095), f);

    PhysAddr block = pages.allocate(3, 42).value();
    EXPECT_EQ(pages.frame(block)->owner(), 42u);
    EXPECT_EQ(pages.frame(block)->order(), 3u);
    // A page inside the block has its own, empty record ...
    const PageFrame* inner = pages.frame(block + 5 * kPageSize + 17);
    ASSERT_NE(inner, nullptr);
    EXPECT_NE(inner, pages.frame(block));
    EXPECT_FALSE(inner->is_block_head());
    EXPECT_FALSE(inner->is_allocated());
    EXPECT_EQ(inner->refs(), 0u);
    EXPECT_EQ(inner->owner(), kOwnerKernel);
    // ... and block_head() leads to the block's.
    EXPECT_EQ(pages.block_head(block + 5 * kPageSize + 17).value(), block);
    EXPECT_EQ(pages.block_head(block).value(), block);
    EXPECT_EQ(pages.block_head(page + 100).value(), page);

    // Unmanaged addresses have no record and no block.
    EXPECT_EQ(pages.frame(0), nullptr);
    EXPECT_EQ(pages.frame(FakeRam::kBase + 8 * kMiB), nullptr);
    EXPECT_EQ(pages.frame(FakeRam::kBase), nullptr);  // the records' own page
    EXPECT_EQ(pages.block_head(0).error(), Error::NotFound);
    EXPECT_EQ(pages.block_head(FakeRam::kBase + 8 * kMiB + kPageSize).error(), Error::NotFound);

    // Freeing wipes the record; a free page is in no allocated block, be it
    // on a list or never touched (beyond the frontier).
    pages.free(block, 3);
    const PageFrame* freed = pages.frame(block);
    EXPECT_FALSE(freed->is_allocated());
    EXPECT_EQ(freed->refs(), 0u);
    EXPECT_EQ(freed->owner(), kOwnerKernel);
    EXPECT_EQ(pages.block_head(block + kPageSize).error(), Error::NotFound);
    EXPECT_EQ(pages.block_head(FakeRam::kBase + 8 * kMiB - kPageSize).error(), Error::NotFound);
    pages.free(page, 0);
}

TEST(PageFrame, ReferenceCounting) {
    FakeRam ram(4 * kMiB);
    PageAllocator pages;
    PhysRange range = ram.range(0, 4 * kMiB);
    ASSERT_TRUE(pages.initialize(Span<const PhysRange>(&range, 1), ram.offset()).ok());
    PageAllocatorStats boot = pages.stats();

    PhysAddr block = pages.allocate(1).value();
    ASSERT_TRUE(pages.ref(block).ok());
    ASSERT_TRUE(pages.ref(block).ok());
    EXPECT_EQ(pages.frame(block)->refs(), 3u);
    EXPECT_FALSE(pages.unref(block));
    EXPECT_FALSE(pages.unref(block));
    EXPECT_TRUE(pages.unref(block));  // the last reference: free it now
    EXPECT_EQ(pages.frame(block)->refs(), 0u);
    EXPECT_TRUE(pages.is_allocated_block(block, 1));  // unref never frees by itself
    pages.free(block, 1);
    EXPECT_TRUE(same_free_state(pages.stats(), boot));

    // The count saturates with Overflow instead of wrapping to zero.
    PhysAddr shared = pages.allocate(0).value();
    u32 refs = 1;
    for (;;) {
        auto r = pages.ref(shared);
        if (r.is_error()) {
            EXPECT_EQ(r.error(), Error::Overflow);
            break;
        }
        ++refs;
        ASSERT_LE(refs, 1u << 20);
    }
    EXPECT_EQ(refs, PageFrame::kMaxRefs);
    EXPECT_EQ(pages.frame(shared)->refs(), PageFrame::kMaxRefs);
    while (!pages.unref(shared)) --refs;
    EXPECT_EQ(refs, 1u);
    pages.free(shared, 0);

    // A run from allocate_pages() is counted at its first address; each
    // piece carries the owner.
    PhysAddr run = pages.allocate_pages(5, 7).value();
    EXPECT_EQ(pages.frame(run)->order(), 2u);
    EXPECT_EQ(pages.frame(run + 4 * kPageSize)->order(), 0u);
    EXPECT_EQ(pages.frame(run + 4 * kPageSize)->owner(), 7u);
    EXPECT_FALSE(pages.frame(run + kPageSize)->is_block_head());
    ASSERT_TRUE(pages.ref(run).ok());
    EXPECT_FALSE(pages.unref(run));
    EXPECT_TRUE(pages.unref(run));
    pages.free_pages(run, 5);
    EXPECT_TRUE(same_free_state(pages.stats(), boot));
}

TEST(PageFrame, OwnersAreAccounted) {
    FakeRam ram(8 * kMiB);
    PageAllocator pages;
    PhysRange range = ram.range(0, 8 * kMiB);
    ASSERT_TRUE(pages.initialize(Span<const PhysRange>(&range, 1), ram.offset()).ok());
    PageAllocatorStats boot = pages.stats();
    EXPECT_EQ(pages.owned_pages(kOwnerKernel), 0u);

    PhysAddr a = pages.allocate(0, 7).value();
    PhysAddr b = pages.allocate(3, 7).value();
    PhysAddr c = pages.allocate_pages(5, 7).value();
    PhysAddr d = pages.allocate(2).value();
    EXPECT_EQ(pages.owned_pages(7), 1u + 8 + 5);
    EXPECT_EQ(pages.owned_pages(kOwnerKernel), 4u);
    EXPECT_EQ(pages.owned_pages(8), 0u);

    pages.set_owner(b, 8);  // e.g. handed from the loader to a process
    EXPECT_EQ(pages.frame(b)->owner(), 8u);
    EXPECT_EQ(pages.owned_pages(7), 1u + 5);
    EXPECT_EQ(pages.owned_pages(8), 8u);

    {
        SlabCache cache("owned", 64, 8, pages);
        void* object = cache.allocate().value();
        EXPECT_EQ(pages.owned_pages(kOwnerSlab), u64(1) << cache.slab_order());
        cache.free(object);
    }
    EXPECT_EQ(pages.owned_pages(kOwnerSlab), 0u);

    pages.free(a, 0);
    pages.free(b, 3);
    pages.free_pages(c, 5);
    pages.free(d, 2);
    EXPECT_EQ(pages.owned_pages(7), 0u);
    EXPECT_EQ(pages.owned_pages(8), 0u);
    EXPECT_EQ(pages.owned_pages(kOwnerKernel), 0u);
    EXPECT_TRUE(same_free_state(pages.stats(), boot));
}

