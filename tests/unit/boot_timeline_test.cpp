#include <gtest/gtest.h>

#include "core/boot_timeline.hpp"

using namespace mote;

TEST(BootTimeline, StepsRunFromOneMarkToTheNext) {
    BootTimeline t;
    EXPECT_TRUE(t.steps().empty());
    EXPECT_EQ(t.total(), 0u);
    t.mark("early", 3 * kMillisecond);
    t.mark("console", 5 * kMillisecond);
    t.mark("shell", 12 * kMillisecond);
    ASSERT_EQ(t.steps().size(), 3u);
    EXPECT_EQ(t.steps()[1].name, StringView("console"));
    // The first step starts at kernel entry, time zero.
    EXPECT_EQ(t.duration(0), 3 * kMillisecond);
    EXPECT_EQ(t.duration(1), 2 * kMillisecond);
    EXPECT_EQ(t.duration(2), 7 * kMillisecond);
    EXPECT_EQ(t.total(), 12 * kMillisecond);
    EXPECT_FALSE(t.before_kernel_known());
    t.set_before_kernel(33 * kMillisecond);
    EXPECT_TRUE(t.before_kernel_known());
    EXPECT_EQ(t.before_kernel(), 33 * kMillisecond);
}

TEST(BootTimeline, AMarkBeforeThePreviousOneIsClampedSoStepsAddUp) {
    BootTimeline t;
    t.mark("a", 10 * kMillisecond);
    t.mark("b", 4 * kMillisecond);  // e.g. read off a different clock
    EXPECT_EQ(t.duration(1), 0u);
    EXPECT_EQ(t.total(), 10 * kMillisecond);
}

TEST(BootTimeline, KeepsAtMostMaxStepsAndCountsTheRest) {
    BootTimeline t;
    for (usize i = 0; i < BootTimeline::kMaxSteps + 3; ++i) t.mark("step", (i + 1) * kMicrosecond);
    EXPECT_EQ(t.steps().size(), BootTimeline::kMaxSteps);
    EXPECT_EQ(t.dropped(), 3u);
    EXPECT_EQ(t.total(), BootTimeline::kMaxSteps * kMicrosecond);
}

TEST(BootTimelineDeathTest, DurationOfAStepThatDoesNotExistIsABug) {
    BootTimeline t;
    t.mark("only", 1);
    EXPECT_DEATH((void)t.duration(1), "");
}
