#include <gtest/gtest.h>

#include "core/tick_clock.hpp"

using namespace mote;

// The counters the ports really have: riscv virt 10 MHz, arm generic timer
// 62.5 MHz, x86 TSCs of a few GHz (and an odd one).
class TickClockTest : public ::testing::TestWithParam<u64> {};

TEST_P(TickClockTest, ConvertsWithoutOverflowOrEarlyDeadlines) {
    u64 hz = GetParam();
    TickClock clock;
    u64 start = 0xfffffff000000000ull;  // near the top: subtraction must wrap correctly
    clock.start(hz, start);
    EXPECT_EQ(clock.to_ns(start), 0u);
    // One second of ticks is one second, to within a nanosecond per second.
    Nanoseconds one_s = clock.to_ns(start + hz);
    EXPECT_NEAR(double(one_s), 1e9, 2.0);
    // A day later still converts without overflow.
    Nanoseconds day = clock.to_ns(start + hz * 86400);
    EXPECT_NEAR(double(day), 86400e9, 86400 * 2.0);
    for (Nanoseconds deadline : {Nanoseconds(1), Nanoseconds(999), kMillisecond, 3 * kSecond + 17, 86400 * kSecond}) {
        u64 at = clock.counter_at(deadline);
        EXPECT_GE(clock.to_ns(at), deadline) << "the timer would fire early";
        // ...and not much later than one tick after it.
        EXPECT_LE(clock.to_ns(at), deadline + 2 * (kSecond / hz + 1));
    }
}

INSTANTIATE_TEST_SUITE_P(Counters, TickClockTest,
                         ::testing::Values(10'000'000ull, 62'500'000ull, 1'000'000'000ull, 2'994'373'123ull,
                                           4'300'000'000ull));
