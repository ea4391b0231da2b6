// Timers: deadline order at scale, FIFO ties, cancel and re-arm, periodic
// timers without drift, and a loop that sleeps exactly until the next one.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "support/fake_host.hpp"

using namespace mote;
using mote::test::FakeHost;

namespace {

struct Recorder {
    std::vector<std::pair<Nanoseconds, int>> fired;  // (clock at firing, timer id)
    FakeHost* host = nullptr;
};

struct IdTimer : Timer {
    int id = 0;
    Recorder* rec = nullptr;
    IdTimer() : Timer(cb) {}
    static void cb(Timer& t) {
        auto& self = static_cast<IdTimer&>(t);
        self.rec->fired.push_back({self.rec->host->time, self.id});
    }
};

}  // namespace

TEST(Timer, TenThousandTimersFireInDeadlineOrderAndNeverEarly) {
    FakeHost host;
    Loop loop(host);
    Recorder rec {{}, &host};
    constexpr int kTimers = 10000;
    std::vector<IdTimer> timers(kTimers);
    std::vector<Nanoseconds> deadline(kTimers);
    std::mt19937_64 rng(7);
    for (int i = 0; i < kTimers; ++i) {
        timers[i].id = i;
        timers[i].rec = &rec;
        deadline[i] = 1 + rng() % (10 * kSecond);
        loop.arm(timers[i], deadline[i]);
    }
    EXPECT_EQ(loop.timers().size(), usize(kTimers));
    while (!loop.timers().empty()) loop.turn();
    ASSERT_EQ(rec.fired.size(), usize(kTimers));
    for (usize k = 0; k < rec.fired.size(); ++k) {
        int id = rec.fired[k].second;
        EXPECT_GE(rec.fired[k].first, deadline[id]) << "timer fired early";
        if (k) {
            int prev = rec.fired[k - 1].second;
            EXPECT_LE(deadline[prev], deadline[id]) << "out of deadline order at " << k;
        }
    }
    // The fake clock only moves when the loop sleeps, and it sleeps exactly
    // until the next deadline: every timer fired at its own deadline.
    for (auto [when, id] : rec.fired) EXPECT_EQ(when, deadline[id]);
}

TEST(Timer, EqualDeadlinesFireInArmingOrder) {
    FakeHost host;
    Loop loop(host);
    Recorder rec {{}, &host};
    std::vector<IdTimer> timers(50);
    for (int i = 0; i < 50; ++i) {
        timers[i].id = i;
        timers[i].rec = &rec;
        loop.arm(timers[i], 100);
    }
    host.time = 100;
    loop.turn(false);
    ASSERT_EQ(rec.fired.size(), 50u);
    for (int i = 0; i < 50; ++i) EXPECT_EQ(rec.fired[i].second, i);
}

TEST(Timer, CancelledTimersNeverFireAndRandomCancelsKeepOrder) {
    FakeHost host;
    Loop loop(host);
    Recorder rec {{}, &host};
    constexpr int kTimers = 2000;
    std::vector<IdTimer> timers(kTimers);
    std::vector<bool> cancelled(kTimers, false);
    std::mt19937 rng(3);
    for (int i = 0; i < kTimers; ++i) {
        timers[i].id = i;
        timers[i].rec = &rec;
        loop.arm(timers[i], 1 + rng() % 100000);
    }
    for (int i = 0; i < kTimers; i += 3) {
        EXPECT_TRUE(loop.cancel(timers[i]));
        EXPECT_FALSE(loop.cancel(timers[i]));
        cancelled[i] = true;
    }
    // Re-arm some of the rest later: they move, they are not duplicated.
    for (int i = 1; i < kTimers; i += 7)
        if (!cancelled[i]) loop.arm(timers[i], 200000 + i);
    while (!loop.timers().empty()) loop.turn();
    std::vector<int> seen(kTimers, 0);
    for (usize k = 0; k < rec.fired.size(); ++k) {
        ++seen[rec.fired[k].second];
        if (k) EXPECT_LE(timers[rec.fired[k - 1].second].deadline(), timers[rec.fired[k].second].deadline());
    }
    for (int i = 0; i < kTimers; ++i) EXPECT_EQ(seen[i], cancelled[i] ? 0 : 1) << i;
}

TEST(Timer, PeriodicTimerDoesNotDriftWhenTheLoopIsLate) {
    FakeHost host;
    Loop loop(host);
    Recorder rec {{}, &host};
    IdTimer t;
    t.rec = &rec;
    constexpr Nanoseconds kPeriod = 10 * kMillisecond;
    loop.arm(t, kPeriod, kPeriod);
    std::mt19937 rng(5);
    // The loop wakes up to 3 ms late every time.
    for (int i = 1; i <= 1000; ++i) {
        host.time = Nanoseconds(i) * kPeriod + rng() % (3 * kMillisecond);
        loop.turn(false);
        ASSERT_EQ(t.fired(), u64(i));
        // The next deadline is on the original grid, not "now + period".
        EXPECT_EQ(t.deadline(), Nanoseconds(i + 1) * kPeriod);
    }
    EXPECT_EQ(t.overruns(), 0u);
    loop.cancel(t);
}

TEST(Timer, PeriodicTimerCountsMissedPeriodsAndFiresOnce) {
    FakeHost host;
    Loop loop(host);
    Recorder rec {{}, &host};
    IdTimer t;
    t.rec = &rec;
    loop.arm(t, 100, 100);
    host.time = 1050;  // periods at 100..1000 all passed
    loop.turn(false);
    EXPECT_EQ(t.fired(), 1u);
    EXPECT_EQ(t.overruns(), 9u);
    EXPECT_EQ(t.deadline(), 1100u);
    loop.cancel(t);
}

TEST(Timer, CallbackReArmingForNowDoesNotSpin) {
    FakeHost host;
    Loop loop(host);
    struct Greedy : Timer {
        Loop* loop;
        int calls = 0;
        Greedy() : Timer(cb) {}
        static void cb(Timer& t) {
            auto& self = static_cast<Greedy&>(t);
            ++self.calls;
            self.loop->arm(self, 0);  // always "already due"
        }
    } g;
    g.loop = &loop;
    loop.arm(g, 0);
    loop.turn(false);
    EXPECT_EQ(g.calls, 1) << "a turn must terminate";
    loop.turn(false);
    EXPECT_EQ(g.calls, 2);
    loop.cancel(g);
}

TEST(Timer, LoopSleepsUntilTheNextDeadlineOrForever) {
    FakeHost host;
    Loop loop(host);
    Recorder rec {{}, &host};
    IdTimer a, b;
    a.rec = b.rec = &rec;
    loop.arm(b, 5000);
    loop.arm(a, 2000);
    loop.turn();
    loop.turn();
    loop.turn();
    loop.turn();
    // Sleep until 2000, fire a, sleep until 5000, fire b, then sleep with no
    // deadline: tickless, no wake-ups with nothing due.
    ASSERT_GE(host.waits.size(), 3u);
    EXPECT_EQ(host.waits[0], 2000u);
    EXPECT_EQ(host.waits[1], 5000u);
    EXPECT_EQ(host.waits[2], kNoDeadline);
    EXPECT_EQ(rec.fired.size(), 2u);
}

TEST(TimerDeathTest, DestroyingAnArmedTimerIsCaught) {
    FakeHost host;
    Loop loop(host);
    EXPECT_DEATH(
        {
            auto* t = new IdTimer;
            loop.arm(*t, 10);
            delete t;
        },
        "destroyed while armed");
}
