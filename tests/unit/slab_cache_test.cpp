#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "mm/memory_stats.hpp"
#include "mm/slab_cache.hpp"
#include "support/fake_ram.hpp"

using namespace mote;
using mote::test::FakeRam;
using mote::test::kMiB;

namespace {

// Declared before the allocator, so the memory outlives it: the
// allocator's destructor unlinks free lists that live in that memory.
class SlabTest : public ::testing::Test {
protected:
    explicit SlabTest(usize bytes = 8 * kMiB) : ram(bytes) {
        PhysRange range = ram.range(0, bytes);
        MUST(pages.initialize(Span<const PhysRange>(&range, 1), ram.offset()));
        boot = pages.stats();
    }

    FakeRam ram;
    PageAllocator pages;
    PageAllocatorStats boot;
};

class SmallSlabTest : public SlabTest {
protected:
    SmallSlabTest() : SlabTest(64 * 1024) {}
};

u64 div_round_up(u64 a, u64 b) { return (a + b - 1) / b; }

}  // namespace

TEST_F(SlabTest, GeometryAndAlignment) {
    struct Shape {
        usize size, align;
    };
    for (Shape shape : {Shape {1, 1}, {8, 8}, {24, 8}, {48, 16}, {100, 64}, {200, 128}, {3000, 8}, {100, 4096},
                        {5000, 8}, {16384, 32}}) {
        SCOPED_TRACE(testing::Message() << "size " << shape.size << " align " << shape.align);
        SlabCache cache("shape", shape.size, shape.align, pages);
        EXPECT_GE(cache.stride(), shape.size);
        EXPECT_EQ(cache.stride() % cache.alignment(), 0u);
        EXPECT_GE(cache.alignment(), shape.align);
        EXPECT_GE(cache.objects_per_slab(), 1u);
        EXPECT_LE(cache.slab_order(), SlabCache::kMaxSlabOrder);
        if (cache.slab_order() < SlabCache::kMaxSlabOrder) {
            EXPECT_GE(cache.objects_per_slab(), SlabCache::kMinObjectsPerSlab);
        }

        // Two slabs' worth: every object aligned, inside managed memory and
        // disjoint from every other (each is filled with its own byte).
        std::vector<u8*> objects;
        for (usize i = 0; i < cache.objects_per_slab() * 2; ++i) {
            u8* object = static_cast<u8*>(cache.allocate().value());
            ASSERT_EQ(reinterpret_cast<uptr>(object) % shape.align, 0u);
            ASSERT_TRUE(pages.manages(pages.to_physical(object)));
            ASSERT_TRUE(pages.manages(pages.to_physical(object + shape.size - 1)));
            std::memset(object, int(i & 0xff), shape.size);
            objects.push_back(object);
        }
        for (usize i = 0; i < objects.size(); ++i) {
            for (usize b = 0; b < shape.size; ++b) ASSERT_EQ(objects[i][b], u8(i & 0xff)) << i;
            cache.free(objects[i]);
        }
    }
    EXPECT_TRUE(same_free_state(pages.stats(), boot));
}

TEST_F(SlabTest, ManyObjectsWithExactCounters) {
    std::mt19937_64 rng(3);
    {
        SlabCache cache("many", 48, 16, pages);
        const usize per_slab = cache.objects_per_slab();
        const u64 slab_pages = u64(1) << cache.slab_order();
        std::vector<void*> objects;
        std::set<void*> distinct;
        for (usize i = 0; i < 1000; ++i) {
            void* object = cache.allocate().value();
            objects.push_back(object);
            distinct.insert(object);
            std::memset(object, 0xA5, 48);
        }
        EXPECT_EQ(distinct.size(), 1000u);
        EXPECT_EQ(cache.objects_in_use(), 1000u);
        EXPECT_EQ(cache.allocations(), 1000u);
        EXPECT_EQ(cache.slab_count(), div_round_up(1000, per_slab));
        EXPECT_EQ(pages.free_pages(), boot.free_pages - cache.slab_count() * slab_pages);
        EXPECT_EQ(cache.failures(), 0u);

        std::shuffle(objects.begin(), objects.end(), rng);
        for (void* object : objects) cache.free(object);
        EXPECT_EQ(cache.objects_in_use(), 0u);
        EXPECT_EQ(cache.frees(), 1000u);
        // All slabs but the one kept for churn went back to the allocator.
        EXPECT_EQ(cache.slab_count(), SlabCache::kKeepEmptySlabs);
        EXPECT_EQ(cache.empty_slab_count(), SlabCache::kKeepEmptySlabs);
        EXPECT_EQ(pages.free_pages(), boot.free_pages - SlabCache::kKeepEmptySlabs * slab_pages);

        // The kept slab serves the next allocation without the page allocator.
        u64 page_allocations = pages.allocations();
        void* again = cache.allocate().value();
        EXPECT_EQ(pages.allocations(), page_allocations);
        EXPECT_EQ(cache.empty_slab_count(), 0u);
        cache.free(again);
    }
    EXPECT_TRUE(same_free_state(pages.stats(), boot));
}

TEST_F(SlabTest, EmptySlabsBeyondOneAreReturned) {
    SlabCache cache("churn", 256, 8, pages);
    const usize per_slab = cache.objects_per_slab();
    std::vector<void*> objects;
    for (usize i = 0; i < per_slab * 3; ++i) objects.push_back(cache.allocate().value());
    ASSERT_EQ(cache.slab_count(), 3u);
    // Fresh slabs hand out ascending addresses, so consecutive runs of
    // per_slab objects share a slab.
    for (usize i = per_slab; i < 2 * per_slab; ++i) cache.free(objects[i]);
    EXPECT_EQ(cache.slab_count(), 3u);  // the first empty slab is kept
    EXPECT_EQ(cache.empty_slab_count(), 1u);
    for (usize i = 0; i < per_slab; ++i) cache.free(objects[i]);
    EXPECT_EQ(cache.slab_count(), 2u);  // the second is returned
    EXPECT_EQ(cache.empty_slab_count(), 1u);
    for (usize i = 2 * per_slab; i < 3 * per_slab; ++i) cache.free(objects[i]);
    EXPECT_EQ(cache.slab_count(), 1u);
    EXPECT_EQ(cache.objects_in_use(), 0u);
}

TEST_F(SlabTest, FreedObjectIsReusedFirst) {
    SlabCache cache("reuse", 64, 8, pages);
    void* a = cache.allocate().value();
    void* b = cache.allocate().value();
    cache.free(a);
    EXPECT_EQ(cache.allocate().value(), a);
    cache.free(a);
    cache.free(b);
}

TEST_F(SmallSlabTest, NoMemoryIsCountedNotFatal) {
    // 16 pages, one of them the page map: 15 pages for slabs.
    {
        SlabCache cache("tiny", 512, 8, pages);
        std::vector<void*> objects;
        for (;;) {
            auto object = cache.allocate();
            if (object.is_error()) {
                EXPECT_EQ(object.error(), Error::NoMemory);
                break;
            }
            objects.push_back(object.value());
        }
        EXPECT_EQ(cache.failures(), 1u);
        EXPECT_EQ(cache.objects_in_use(), objects.size());
        EXPECT_GT(objects.size(), 0u);
        EXPECT_LT(pages.free_pages(), u64(1) << cache.slab_order());
        EXPECT_TRUE(cache.allocate().is_error());
        EXPECT_EQ(cache.failures(), 2u);
        for (void* object : objects) cache.free(object);
    }
    EXPECT_TRUE(same_free_state(pages.stats(), boot));
}

TEST_F(SlabTest, CachesAreRegisteredWhileAlive) {
    usize before = SlabCache::cache_count();
    std::vector<std::string> names;
    {
        SlabCache a("registry-a", 32, 8, pages);
        SlabCache b("registry-b", 96, 8, pages);
        EXPECT_EQ(SlabCache::cache_count(), before + 2);
        SlabCache::for_each_cache([&](const SlabCache& cache) {
            names.emplace_back(cache.name().data(), cache.name().length());
        });
    }
    EXPECT_EQ(SlabCache::cache_count(), before);
    auto a = std::find(names.begin(), names.end(), "registry-a");
    auto b = std::find(names.begin(), names.end(), "registry-b");
    ASSERT_NE(a, names.end());
    ASSERT_NE(b, names.end());
    EXPECT_LT(a, b);  // oldest first
}

TEST_F(SlabTest, MemoryReportListsPagesAndCaches) {
    SlabCache cache("report", 40, 8, pages);
    void* object = cache.allocate().value();
    std::vector<std::string> lines;
    write_memory_report(
        pages,
        [](StringView line, void* context) {
            static_cast<std::vector<std::string>*>(context)->emplace_back(line.data(), line.length());
        },
        &lines);
    auto has = [&](const std::string& text) {
        return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(text) != l.npos; });
    };
    // 2048 pages of RAM; 4 of them hold the 8-byte records of all 2048.
    EXPECT_TRUE(has("pages: 2044 total, ")) << lines[0];
    EXPECT_TRUE(has("4 for page records"));
    // One slab page, owned by the slab layer; nothing else is held.
    EXPECT_TRUE(has("held by: kernel 0, slab 1, dma 0, page tables 0, processes 0 (pages)"));
    EXPECT_TRUE(has("free blocks by order: 0:"));
    EXPECT_TRUE(has(" 10:"));
    // The region starts past the 4 record pages, at FakeRam::kBase + 16 KiB.
    EXPECT_TRUE(has("region 0: 0x80004000..0x80800000 (2044 pages)"));
    EXPECT_TRUE(has("report       size 40 align 8: 1 in use, 1 slabs"));
    cache.free(object);
}

// ---- Misuse stops the kernel ------------------------------------------------

class SlabDeathTest : public SlabTest {
protected:
    SlabDeathTest() { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

TEST_F(SlabDeathTest, DoubleFree) {
    SlabCache cache("double", 64, 8, pages);
    void* object = cache.allocate().value();
    void* keep = cache.allocate().value();  // keeps the slab alive
    cache.free(object);
    EXPECT_DEATH(cache.free(object), "double free");
    cache.free(keep);
}

TEST_F(SlabDeathTest, PointerFromAnotherCache) {
    SlabCache mine("mine", 64, 8, pages);
    SlabCache theirs("theirs", 64, 8, pages);
    void* object = theirs.allocate().value();
    EXPECT_DEATH(mine.free(object), "not from this cache");
    theirs.free(object);
}

TEST_F(SlabDeathTest, ForeignPointers) {
    SlabCache cache("foreign", 64, 8, pages);
    void* object = cache.allocate().value();
    int on_stack = 0;
    EXPECT_DEATH(cache.free(&on_stack), "not from this cache");
    EXPECT_DEATH(cache.free(static_cast<u8*>(object) + 8), "not at the start of an object");
    EXPECT_DEATH(cache.free(nullptr), "null pointer");
    // A plain page block of the slab's order is not a slab.
    PhysAddr block = pages.allocate(cache.slab_order()).value();
    std::memset(pages.to_virtual(block), 0, kPageSize);
    EXPECT_DEATH(cache.free(static_cast<u8*>(pages.to_virtual(block)) + 64), "not from this cache");
    pages.free(block, cache.slab_order());
    cache.free(object);
}

TEST_F(SlabDeathTest, DestroyedWithObjectsInUse) {
    EXPECT_DEATH(
        {
            SlabCache cache("leaky", 64, 8, pages);
            (void)cache.allocate();
        },
        "objects in use");
}

TEST_F(SlabDeathTest, BadShape) {
    EXPECT_DEATH(SlabCache("zero", 0, 8, pages), "zero-sized");
    EXPECT_DEATH(SlabCache("align", 64, 24, pages), "power of two");
    EXPECT_DEATH(SlabCache("huge", 1 * kMiB, 8, pages), "too large");
}
