// Task<T> (core/task.hpp): lazy start, results and errors through awaits,
// suspension on requests and wait lists, frames returned, allocation failure
// reported, and long chains that do not grow the stack.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "core/request_awaiter.hpp"
#include "core/task_wait_list.hpp"
#include "support/task_fixture.hpp"

using namespace mote;
using mote::test::FakeProvider;
using mote::test::TaskFixture;

namespace {

// Not inlined: an optimizer that inlines a coroutine's ramp may put its
// frame on the caller's stack (heap allocation elision), and the tests of
// allocation failure need the frame to come from the frame source.
[[gnu::noinline]] Task<int> constant(int value, bool* ran = nullptr) {
    if (ran) *ran = true;
    co_return value;
}

Task<int> failing() { co_return Error::NotFound; }

Task<int> sum_of_two(int a, int b) {
    int x = CO_TRY(co_await constant(a));
    int y = CO_TRY(co_await constant(b));
    co_return x + y;
}

Task<int> propagates() {
    int x = CO_TRY(co_await constant(1));
    int y = CO_TRY(co_await failing());
    ADD_FAILURE() << "CO_TRY did not return";
    co_return x + y;
}

// Waits for `request`, which the test's provider completes later.
Task<u64> waits_for(FakeProvider& provider, Request& request, bool refuse = false) {
    CO_TRY(co_await submit_and_wait(request, [&]() -> Result<void> {
        if (refuse) return Error::Busy;
        provider.submit(request);
        return {};
    }));
    co_return request.value();
}

Task<void> waits_on_list(TaskWaitList& list, std::vector<int>& order, int id) {
    order.push_back(id);
    co_await list.wait();
    order.push_back(100 + id);
    co_return {};
}

Task<std::unique_ptr<int>> move_only(int value) { co_return std::make_unique<int>(value); }

}  // namespace

TEST(Task, IsLazyAndRunsWhenAwaitedOrStarted) {
    TaskFixture f;
    bool ran = false;
    {
        Task<int> task = constant(7, &ran);
        EXPECT_TRUE(task.valid());
        EXPECT_FALSE(ran);  // destroyed without running: its frame is freed
    }
    EXPECT_FALSE(ran);
    EXPECT_EQ(f.frames->stats().in_use, 0u);
    auto result = f.run(constant(7, &ran));
    ASSERT_TRUE(result);
    EXPECT_TRUE(ran);
    EXPECT_EQ(result->value(), 7);
}

TEST(Task, RootThatNeverSuspendsReportsBeforeStartReturns) {
    TaskFixture f;
    int seen = 0;
    sum_of_two(2, 3).start([](void* context, Result<int>& r) { *static_cast<int*>(context) = r.value(); }, &seen);
    EXPECT_EQ(seen, 5);
    EXPECT_EQ(f.frames->stats().in_use, 0u);
    EXPECT_EQ(f.frames->stats().allocations, 3u);  // the root and its two children
}

TEST(Task, CoTryPropagatesTheFirstError) {
    TaskFixture f;
    auto result = f.run(propagates());
    ASSERT_TRUE(result);
    ASSERT_TRUE(result->is_error());
    EXPECT_EQ(result->error(), Error::NotFound);
    EXPECT_EQ(f.frames->stats().in_use, 0u);
}

TEST(Task, SuspendsOnARequestUntilTheLoopDeliversItsCompletion) {
    TaskFixture f;
    FakeProvider provider(f.loop);
    Request request;
    std::optional<Result<u64>> result;
    waits_for(provider, request).start(
        [](void* context, Result<u64>& r) { static_cast<std::optional<Result<u64>>*>(context)->emplace(std::move(r)); },
        &result);
    EXPECT_FALSE(result);
    ASSERT_EQ(provider.held.size(), 1u);
    EXPECT_EQ(f.frames->stats().in_use, 1u);  // the frame holds the task's state while it waits
    f.loop.turn(false);
    EXPECT_FALSE(result);  // nothing completed yet
    request.set_value(42);
    provider.forget(request);
    f.loop.complete(request);
    EXPECT_FALSE(result);  // completions run in the loop, not inside complete()
    f.loop.turn(false);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->value(), 42u);
    EXPECT_EQ(f.frames->stats().in_use, 0u);
}

TEST(Task, ARequestErrorReachesTheTask) {
    TaskFixture f;
    FakeProvider provider(f.loop);
    Request request;
    std::optional<Result<u64>> result;
    waits_for(provider, request).start(
        [](void* context, Result<u64>& r) { static_cast<std::optional<Result<u64>>*>(context)->emplace(std::move(r)); },
        &result);
    provider.forget(request);
    f.loop.complete(request, Error::Io);
    f.loop.turn(false);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->error(), Error::Io);
}

TEST(Task, ARefusedSubmitIsTheResultWithoutSuspending) {
    TaskFixture f;
    FakeProvider provider(f.loop);
    Request request;
    std::optional<Result<u64>> result;
    waits_for(provider, request, true).start(
        [](void* context, Result<u64>& r) { static_cast<std::optional<Result<u64>>*>(context)->emplace(std::move(r)); },
        &result);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->error(), Error::Busy);
    EXPECT_TRUE(provider.held.empty());
}

TEST(Task, AFrameThatCannotBeAllocatedIsNoMemoryForWhoeverAwaits) {
    TaskFixture f;
    this_cpu().frames = nullptr;
    std::optional<Result<int>> result;
    constant(1).start([](void* context, Result<int>& r) { static_cast<std::optional<Result<int>>*>(context)->emplace(std::move(r)); },
                      &result);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->error(), Error::NoMemory);
    this_cpu().frames = &*f.frames;
}

TEST(Task, AChildWhoseFrameCannotBeAllocatedFailsItsParentCleanly) {
    TaskFixture f;
    // Exhaust the 128-byte class and everything else: a tiny memory.
    TaskFixture small(1 * test::kMiB);
    std::vector<Task<int>> hoard;
    while (true) {
        Task<int> t = constant(0);
        if (!t.valid()) break;
        hoard.push_back(std::move(t));
    }
    EXPECT_GT(small.frames->stats().failures, 0u);
    // The parent needs a frame too; free one so the parent fits but not the children.
    hoard.pop_back();
    auto result = small.run(sum_of_two(1, 2));
    ASSERT_TRUE(result);
    EXPECT_EQ(result->error(), Error::NoMemory);
    hoard.clear();
    EXPECT_EQ(small.frames->stats().in_use, 0u);
}

TEST(Task, LongChainsOfAwaitsDoNotGrowTheStack) {
    TaskFixture f;
    auto many = []() -> Task<int> {
        int total = 0;
        for (int i = 0; i < 200000; ++i) total += CO_TRY(co_await constant(1));
        co_return total;
    };
    auto result = f.run(many());
    ASSERT_TRUE(result);
    EXPECT_EQ(result->value(), 200000);
}

TEST(Task, MoveOnlyResults) {
    TaskFixture f;
    auto result = f.run(move_only(9));
    ASSERT_TRUE(result);
    EXPECT_EQ(*result->value(), 9);
}

// An interface whose implementations sometimes suspend: the one that
// answers from memory returns a ready Task and allocates nothing.
struct Source {
    virtual Task<int> get(int x) = 0;
};
struct MemorySource final : Source {
    Task<int> get(int x) override {
        if (x < 0) return Error::OutOfRange;
        return x * 2;
    }
};

TEST(Task, AReadyTaskNeedsNoFrame) {
    TaskFixture f;
    MemorySource memory;
    Source& source = memory;
    auto user = [](Source& s) -> Task<int> {
        int a = CO_TRY(co_await s.get(4));
        int b = CO_TRY(co_await s.get(5));
        co_return a + b;
    };
    auto result = f.run(user(source));
    EXPECT_EQ(result->value(), 18);
    EXPECT_EQ(f.frames->stats().allocations, 1u);  // the caller's frame only
    auto failed = f.run(source.get(-1));
    EXPECT_EQ(failed->error(), Error::OutOfRange);
    EXPECT_EQ(f.frames->stats().allocations, 1u);
}

TEST(TaskWaitList, WakeResumesWaitersOnTheNextTurnInOrder) {
    TaskFixture f;
    TaskWaitList list;
    std::vector<int> order;
    int finished = 0;
    auto done = [](void* context, Result<void>&) { ++*static_cast<int*>(context); };
    waits_on_list(list, order, 1).start(done, &finished);
    waits_on_list(list, order, 2).start(done, &finished);
    EXPECT_EQ(list.size(), 2u);
    EXPECT_EQ(order, (std::vector<int> {1, 2}));
    list.wake_all(f.loop);
    EXPECT_EQ(order, (std::vector<int> {1, 2}));  // not on the waker's stack
    EXPECT_TRUE(list.empty());
    f.loop.turn(false);
    EXPECT_EQ(order, (std::vector<int> {1, 2, 101, 102}));
    EXPECT_EQ(finished, 2);
}

TEST(TaskWaitList, WakeOneTakesTheLongestWaiter) {
    TaskFixture f;
    TaskWaitList list;
    std::vector<int> order;
    int finished = 0;
    auto done = [](void* context, Result<void>&) { ++*static_cast<int*>(context); };
    waits_on_list(list, order, 1).start(done, &finished);
    waits_on_list(list, order, 2).start(done, &finished);
    EXPECT_TRUE(list.wake_one(f.loop));
    f.loop.turn(false);
    EXPECT_EQ(finished, 1);
    EXPECT_EQ(order.back(), 101);
    EXPECT_TRUE(list.wake_one(f.loop));
    f.loop.turn(false);
    EXPECT_EQ(finished, 2);
    EXPECT_FALSE(list.wake_one(f.loop));
}
