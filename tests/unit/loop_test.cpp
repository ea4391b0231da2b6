// The loop's other duties: deferred calls, the interrupt hand-off and its
// overflow accounting, and stopping.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "support/fake_host.hpp"

using namespace mote;
using mote::test::FakeHost;

TEST(Loop, DeferredCallRunsOnceOnTheNextTurn) {
    FakeHost host;
    Loop loop(host);
    int runs = 0;
    Deferred d([](Deferred& self) { ++*static_cast<int*>(self.context()); }, &runs);
    loop.defer(d);
    loop.defer(d);  // already queued: still one run
    EXPECT_TRUE(d.queued());
    loop.turn(false);
    EXPECT_EQ(runs, 1);
    EXPECT_FALSE(d.queued());
    loop.turn(false);
    EXPECT_EQ(runs, 1);
}

TEST(Loop, DeferredCallPostedByADeferredCallWaitsATurn) {
    FakeHost host;
    Loop loop(host);
    struct Self : Deferred {
        Loop* loop;
        int runs = 0;
        Self() : Deferred(cb) {}
        static void cb(Deferred& d) {
            auto& s = static_cast<Self&>(d);
            if (++s.runs < 5) s.loop->defer(s);
        }
    } d;
    d.loop = &loop;
    loop.defer(d);
    for (int i = 1; i <= 5; ++i) {
        loop.turn(false);
        EXPECT_EQ(d.runs, i);
    }
}

TEST(Loop, CancelledDeferredCallDoesNotRun) {
    FakeHost host;
    Loop loop(host);
    int runs = 0;
    Deferred d([](Deferred& self) { ++*static_cast<int*>(self.context()); }, &runs);
    loop.defer(d);
    EXPECT_TRUE(loop.cancel(d));
    EXPECT_FALSE(loop.cancel(d));
    loop.turn(false);
    EXPECT_EQ(runs, 0);
}

TEST(Loop, InterruptsAreDispatchedToTheirHandlersInLoopContext) {
    FakeHost host;
    Loop loop(host);
    std::vector<u32> seen;
    loop.set_irq_handler(5, [](void* ctx, u32 src) { static_cast<std::vector<u32>*>(ctx)->push_back(src); }, &seen);
    loop.post_irq(5);
    loop.post_irq(9);  // nobody listens: counted, not fatal
    loop.post_irq(5);
    EXPECT_TRUE(loop.irq_pending());
    EXPECT_TRUE(seen.empty()) << "posting only queues";
    loop.turn(false);
    EXPECT_EQ(seen, (std::vector<u32> {5, 5}));
    LoopStats s = loop.stats();
    EXPECT_EQ(s.irqs, 3u);
    EXPECT_EQ(s.irq_unhandled, 1u);
    EXPECT_FALSE(loop.irq_pending());
}

TEST(Loop, PendingInterruptPreventsSleeping) {
    FakeHost host;
    Loop loop(host);
    loop.post_irq(1);
    EXPECT_TRUE(loop.has_ready_work());
    loop.turn();
    // The turn drained the interrupt, found nothing else and slept.
    EXPECT_EQ(host.waits.size(), 1u);
}

TEST(Loop, StopEndsRunWithoutSleeping) {
    FakeHost host;
    Loop loop(host);
    Deferred d([](Deferred& self) { static_cast<Loop*>(self.context())->stop(); }, &loop);
    loop.defer(d);
    loop.run();
    EXPECT_TRUE(loop.stopping());
    EXPECT_TRUE(host.waits.empty());
}

TEST(IrqRing, OverflowIsCountedAndEverySourceIsStillServiced) {
    IrqRing<8> ring;
    // A storm: 8 slots, 100 interrupts from 4 sources.
    for (int i = 0; i < 100; ++i) ring.post(u32(10 + i % 4));
    EXPECT_EQ(ring.overflows(), 92u);
    std::vector<int> per_source(kMaxIrqSources, 0);
    usize calls = ring.drain([&](u32 s) { ++per_source[s]; });
    EXPECT_EQ(calls, 8u + 4u) << "8 queued events, then one call per overflowed source";
    for (int s = 10; s < 14; ++s) EXPECT_GE(per_source[s], 1) << s;
    EXPECT_FALSE(ring.pending());
    EXPECT_EQ(ring.drain([](u32) {}), 0u);
}

TEST(IrqRing, OutOfRangeSourceIsClampedNotWrittenOutOfBounds) {
    IrqRing<4> ring;
    ring.post(100000);
    u32 got = 0;
    ring.drain([&](u32 s) { got = s; });
    EXPECT_EQ(got, kMaxIrqSources - 1);
}

// A real second thread as the "interrupt" producer: nothing is lost or
// duplicated beyond the documented coalescing.
TEST(IrqRing, ConcurrentProducerAndConsumer) {
    static IrqRing<64> ring;
    constexpr u32 kPosts = 200000;
    std::atomic<bool> done {false};
    std::thread producer([&] {
        for (u32 i = 0; i < kPosts; ++i) ring.post(i % 3);
        done = true;
    });
    u64 events = 0;
    u64 sources_seen[3] = {};
    while (!done.load() || ring.pending()) {
        events += ring.drain([&](u32 s) {
            ASSERT_LT(s, 3u);
            ++sources_seen[s];
        });
    }
    producer.join();
    events += ring.drain([&](u32 s) { ++sources_seen[s]; });
    // Every post either became an event or a counted overflow; overflowed
    // posts are coalesced into at most one call per source per drain.
    EXPECT_LE(events, u64(kPosts));
    EXPECT_GE(events + ring.overflows(), u64(kPosts));
    for (u64 n : sources_seen) EXPECT_GT(n, 0u);
}
