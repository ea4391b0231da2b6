// The user heap (user/runtime/heap.hpp) over fake pages: aligned disjoint
// blocks, merging, large blocks on their own mapping, bad frees counted,
// reallocation, failures, and a random workload that keeps every byte.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <vector>

#include "heap.hpp"

using namespace mote;
using namespace mote::user;

struct FakePages {
    std::map<void*, size_t> live;
    size_t maps = 0, unmaps = 0;
    bool fail = false;

    static void* map(usize length, void* context) {
        auto* self = static_cast<FakePages*>(context);
        if (self->fail) return nullptr;
        void* p = std::aligned_alloc(4096, length);
        std::memset(p, 0, length);
        self->live[p] = length;
        ++self->maps;
        return p;
    }
    static void unmap(void* address, usize length, void* context) {
        auto* self = static_cast<FakePages*>(context);
        auto it = self->live.find(address);
        ASSERT_NE(it, self->live.end());
        EXPECT_EQ(it->second, length);
        std::free(address);
        self->live.erase(it);
        ++self->unmaps;
    }
    ~FakePages() {
        for (auto& [p, n] : live) std::free(p);
    }
    PageSource source() { return PageSource {map, unmap, this}; }
};

TEST(UserRuntimeHeap, AllocatesAlignedDisjointBlocks) {
    FakePages pages;
    Heap heap(pages.source());
    std::vector<std::pair<uint8_t*, size_t>> blocks;
    for (size_t size : {1, 15, 16, 17, 100, 1000, 4000, 60000}) {
        auto* p = static_cast<uint8_t*>(heap.allocate(size));
        ASSERT_NE(p, nullptr);
        EXPECT_EQ(uintptr_t(p) % 16, 0u);
        EXPECT_GE(heap.usable_size(p), size);
        std::memset(p, int(blocks.size() + 1), size);
        blocks.push_back({p, size});
    }
    for (size_t i = 0; i < blocks.size(); ++i)
        for (size_t j = 0; j < blocks[i].second; ++j) ASSERT_EQ(blocks[i].first[j], uint8_t(i + 1));
    EXPECT_EQ(heap.stats().allocations, blocks.size());
    EXPECT_EQ(pages.maps, 1u);  // all of them fit one arena
    for (auto& [p, n] : blocks) heap.release(p);
    EXPECT_EQ(heap.stats().allocations, 0u);
    EXPECT_EQ(heap.stats().in_use_bytes, 0u);
}

TEST(UserRuntimeHeap, FreedNeighboursMergeBackIntoOneArena) {
    FakePages pages;
    Heap heap(pages.source());
    void* a = heap.allocate(1000);
    void* b = heap.allocate(1000);
    void* c = heap.allocate(1000);
    heap.release(b);
    heap.release(a);
    heap.release(c);
    // Four of the largest arena blocks (65520 bytes with header) fit one
    // arena exactly: only if the three freed blocks merged back with the
    // arena's untouched rest. Unmerged, the fourth would need a new arena.
    const usize largest = Heap::kLargeBytes - 2 * Heap::kHeaderBytes;
    for (int i = 0; i < 4; ++i) ASSERT_NE(heap.allocate(largest), nullptr) << i;
    EXPECT_EQ(pages.maps, 1u);
}

TEST(UserRuntimeHeap, LargeBlocksGetTheirOwnMapping) {
    FakePages pages;
    Heap heap(pages.source());
    void* big = heap.allocate(Heap::kLargeBytes);
    ASSERT_NE(big, nullptr);
    EXPECT_EQ(pages.maps, 1u);
    EXPECT_EQ(pages.live.begin()->second, Heap::kLargeBytes + 4096);  // header rounds up a page
    heap.release(big);
    EXPECT_EQ(pages.unmaps, 1u);
    EXPECT_TRUE(pages.live.empty());
    EXPECT_EQ(heap.stats().mapped_bytes, 0u);
}

TEST(UserRuntimeHeap, BadFreesAreCountedNotFollowed) {
    FakePages pages;
    Heap heap(pages.source());
    auto* p = static_cast<uint8_t*>(heap.allocate(64));
    heap.release(p);
    heap.release(p);
    EXPECT_EQ(heap.stats().faults, 1u);
    EXPECT_EQ(heap.stats().last_fault, HeapFault::DoubleFree);
    auto* q = static_cast<uint8_t*>(heap.allocate(64));
    heap.release(q + 1);
    EXPECT_EQ(heap.stats().last_fault, HeapFault::BadPointer);
    heap.release(q + 32);  // aligned, but no header there
    EXPECT_EQ(heap.stats().faults, 3u);
    heap.release(nullptr);
    EXPECT_EQ(heap.stats().faults, 3u);
    EXPECT_STREQ(heap_fault_name(HeapFault::DoubleFree), "DoubleFree");
}

TEST(UserRuntimeHeap, ReallocateKeepsContents) {
    FakePages pages;
    Heap heap(pages.source());
    auto* p = static_cast<char*>(heap.allocate(10));
    std::memcpy(p, "0123456789", 10);
    EXPECT_EQ(heap.reallocate(p, 5), p);  // never moves to shrink
    auto* q = static_cast<char*>(heap.reallocate(p, 100000));
    ASSERT_NE(q, nullptr);
    EXPECT_EQ(std::memcmp(q, "0123456789", 10), 0);
    EXPECT_EQ(heap.reallocate(q, 0), nullptr);
    EXPECT_EQ(heap.stats().allocations, 0u);
    auto* r = static_cast<char*>(heap.reallocate(nullptr, 8));
    EXPECT_NE(r, nullptr);
}

TEST(UserRuntimeHeap, FailuresReturnNull) {
    FakePages pages;
    Heap heap(pages.source());
    EXPECT_EQ(heap.allocate(Heap::kMaxRequest + 1), nullptr);
    EXPECT_EQ(heap.allocate(~usize(0)), nullptr);
    pages.fail = true;
    EXPECT_EQ(heap.allocate(16), nullptr);
    EXPECT_EQ(heap.allocate(1 << 20), nullptr);
    EXPECT_EQ(heap.stats().allocations, 0u);
}

TEST(UserRuntimeHeap, RandomWorkloadKeepsEveryByte) {
    FakePages pages;
    Heap heap(pages.source());
    std::mt19937 random(1234);
    struct Live {
        uint8_t* p;
        size_t n;
        uint8_t fill;
    };
    std::vector<Live> live;
    for (int step = 0; step < 5000; ++step) {
        if (live.empty() || random() % 3 != 0) {
            size_t n = random() % 2 == 0 ? random() % 128 + 1 : random() % 20000 + 1;
            if (random() % 50 == 0) n = Heap::kLargeBytes + random() % 100000;
            auto* p = static_cast<uint8_t*>(heap.allocate(n));
            ASSERT_NE(p, nullptr);
            uint8_t fill = uint8_t(random());
            std::memset(p, fill, n);
            live.push_back({p, n, fill});
        } else {
            size_t i = random() % live.size();
            for (size_t j = 0; j < live[i].n; ++j) ASSERT_EQ(live[i].p[j], live[i].fill);
            heap.release(live[i].p);
            live[i] = live.back();
            live.pop_back();
        }
    }
    for (auto& l : live) {
        for (size_t j = 0; j < l.n; ++j) ASSERT_EQ(l.p[j], l.fill);
        heap.release(l.p);
    }
    EXPECT_EQ(heap.stats().in_use_bytes, 0u);
    EXPECT_EQ(heap.stats().faults, 0u);
}
