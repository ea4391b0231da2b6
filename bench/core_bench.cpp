// The async core's costs: a no-op request's full round trip, timer arm and
// cancel among many armed timers, and an idle loop turn.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "core/loop.hpp"

using namespace mote;

namespace {

// A host whose wait() never sleeps: these benchmarks measure the core, not
// the platform.
class SpinHost final : public LoopHost {
public:
    Nanoseconds now() override { return ++time; }
    void wait(Loop&, Nanoseconds) override {}
    Nanoseconds time = 0;
};

// Completes every request at once, the cheapest possible provider.
class NullProvider final : public RequestProvider {
public:
    explicit NullProvider(Loop& l) : loop(l) {}
    void submit(Request& r) {
        r.accept(*this, loop);
        loop.complete(r);
    }
    void cancel_request(Request&) override {}
    Loop& loop;
};

// submit -> complete -> loop delivers -> callback, one request at a time.
void BM_RequestRoundTrip(benchmark::State& state) {
    SpinHost host;
    Loop loop(host);
    NullProvider provider(loop);
    u64 completions = 0;
    Request r([](Request& req) { ++*static_cast<u64*>(req.context()); }, &completions);
    for (auto _ : state) {
        provider.submit(r);
        loop.turn(false);
    }
    if (completions != u64(state.iterations())) state.SkipWithError("lost completions");
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RequestRoundTrip);

// Arm then cancel one timer while `range(0)` others stay armed.
void BM_TimerArmCancel(benchmark::State& state) {
    SpinHost host;
    Loop loop(host);
    auto noop = [](Timer&) {};
    std::vector<Timer> armed(usize(state.range(0)));
    std::mt19937_64 rng(1);
    for (auto& t : armed) {
        t.set_callback(noop);
        loop.arm(t, 1'000'000'000 + rng() % 1'000'000'000);
    }
    Timer t(noop);
    Nanoseconds deadline = 1'000'000'000;
    for (auto _ : state) {
        loop.arm(t, deadline + (rng() & 0xffffff));
        loop.cancel(t);
    }
    for (auto& a : armed) loop.cancel(a);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TimerArmCancel)->Arg(0)->Arg(10000);

// The less friendly case: move a random one of 10,000 armed timers (cancel
// from wherever it sits in the heap, re-arm at a new random deadline), with
// an expiry every 64 operations so the heap keeps being consolidated.
void BM_TimerRearmRandom(benchmark::State& state) {
    SpinHost host;
    Loop loop(host);
    auto noop = [](Timer&) {};
    std::vector<Timer> armed(10000);
    std::mt19937_64 rng(2);
    Nanoseconds now = 0;
    for (auto& t : armed) {
        t.set_callback(noop);
        // Periodic, so a timer that expires re-arms itself and all 10,000
        // stay armed.
        loop.arm(t, 1000 + rng() % 1'000'000'000, 1'000'000'000);
    }
    TimerQueue& q = const_cast<TimerQueue&>(loop.timers());
    u64 i = 0;
    for (auto _ : state) {
        Timer& t = armed[rng() % armed.size()];
        loop.cancel(t);
        loop.arm(t, now + 1000 + rng() % 1'000'000'000, 1'000'000'000);
        if ((++i & 63) == 0) benchmark::DoNotOptimize(q.run_due(now += 100'000));
    }
    for (auto& a : armed) loop.cancel(a);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TimerRearmRandom);

// One timer firing per iteration with 10,000 armed: expiry (pop + re-arm).
void BM_TimerExpiry(benchmark::State& state) {
    SpinHost host;
    Loop loop(host);
    std::vector<Timer> armed(10000);
    auto noop = [](Timer&) {};
    Nanoseconds next = 0;
    for (auto& t : armed) {
        t.set_callback(noop);
        loop.arm(t, next += 1000, 10000 * 1000);
    }
    TimerQueue& q = const_cast<TimerQueue&>(loop.timers());
    Nanoseconds now = 0;
    for (auto _ : state) benchmark::DoNotOptimize(q.run_due(now += 1000));
    for (auto& a : armed) loop.cancel(a);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TimerExpiry);

// A turn with nothing to do (the fixed cost every event pays once).
void BM_LoopIdleTurn(benchmark::State& state) {
    SpinHost host;
    Loop loop(host);
    for (auto _ : state) loop.turn(false);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LoopIdleTurn);

// Interrupt hand-off: post from "interrupt context" and dispatch in the loop.
void BM_IrqPostDispatch(benchmark::State& state) {
    SpinHost host;
    Loop loop(host);
    u64 seen = 0;
    loop.set_irq_handler(3, [](void* c, u32) { ++*static_cast<u64*>(c); }, &seen);
    for (auto _ : state) {
        loop.post_irq(3);
        loop.turn(false);
    }
    if (seen != u64(state.iterations())) state.SkipWithError("lost interrupts");
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_IrqPostDispatch);

}  // namespace
