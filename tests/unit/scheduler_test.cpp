// The scheduler (proc/scheduler) on the host, through the process
// fixture's fake platform: round-robin with timeslices, the direct switch
// from a thread that parks to the next, and the interactive band first.
#include <gtest/gtest.h>

#include <functional>
#include <vector>

#include "support/process_fixture.hpp"

using namespace mote;
using mote::test::ProcessTest;

// --- scheduler -------------------------------------------------------------------

TEST_F(ProcessTest, TwoHogsShareTheCpuRoundRobin) {
    Process* a = spawn_program("a", {"a"}).value();
    Process* b = spawn_program("b", {"b"}).value();
    a->thread().set_band(Band::Batch);
    b->thread().set_band(Band::Batch);
    // A hog runs until the deadline it was given (its timeslice).
    platform.step = [&](Thread&, Nanoseconds deadline) {
        EXPECT_NE(deadline, kNoDeadline) << "two runnable threads need a timeslice";
        host.time = deadline;
        return RunExit::Loop;
    };
    for (int i = 0; i < 200; ++i) loop.turn(true);
    platform.step = nullptr;
    Nanoseconds ta = a->thread().stats().cpu_time, tb = b->thread().stats().cpu_time;
    EXPECT_GT(ta, 0u);
    EXPECT_NEAR(double(ta) / double(ta + tb), 0.5, 0.05);
    // They alternate: never the same one twice in a row.
    for (usize i = 1; i < platform.ran.size(); ++i) EXPECT_NE(platform.ran[i], platform.ran[i - 1]);
    EXPECT_GE(processes.scheduler().stats().preemptions, 100u);
}

// A thread that parks hands the CPU straight to the next runnable one in
// the same run_user (a direct switch: no loop turn between them), unless
// the loop has something to do first, such as a posted interrupt.
TEST_F(ProcessTest, AParkedThreadHandsTheCpuStraightToTheNextUnlessTheLoopHasWork) {
    Process* a = spawn_program("a", {"a"}).value();
    Process* b = spawn_program("b", {"b"}).value();
    bool post_first = false;
    platform.step = [&](Thread& t, Nanoseconds deadline) {
        if (&t == &a->thread()) {
            if (post_first) loop.post_irq(3);
            (void)platform.call(t, mote::abi::Sys::Sleep, kSecond);
            return RunExit::Parked;
        }
        // b runs out its slice (or until the next timer) and stays runnable.
        host.time = deadline == kNoDeadline ? host.time + kMillisecond : deadline;
        return RunExit::Loop;
    };
    // The runs of the turn in which a parked.
    auto turn_a_parks_in = [&] {
        for (int i = 0; i < 10; ++i) {
            platform.ran.clear();
            loop.turn(true);
            if (a->thread().state() == ThreadState::Parked) return platform.ran;
        }
        return std::vector<Thread*> {};
    };
    std::vector<Thread*> ran = turn_a_parks_in();
    ASSERT_FALSE(ran.empty()) << "a never parked";
    EXPECT_EQ(ran.back(), &b->thread()) << "b did not run in the turn a parked in";
    EXPECT_EQ(ran.end()[-2], &a->thread());
    EXPECT_EQ(processes.scheduler().stats().direct_switches, 1u);

    a->thread().wake(0);
    post_first = true;
    ran = turn_a_parks_in();
    ASSERT_FALSE(ran.empty()) << "a never parked";
    EXPECT_EQ(ran.back(), &a->thread()) << "b ran before the loop saw the interrupt";
    EXPECT_EQ(processes.scheduler().stats().direct_switches, 1u);
    platform.step = nullptr;
    end_all();
}

TEST_F(ProcessTest, InteractiveRunsBeforeBatch) {
    Process* hog = spawn_program("hog", {"hog"}).value();
    hog->thread().set_band(Band::Batch);
    Process* shell = spawn_program("sh", {"sh"}).value();
    as(shell->thread(), [&](Thread& t) {
        (void)platform.call(t, mote::abi::Sys::Sleep, 3 * kMillisecond);
        return RunExit::Parked;
    });
    Nanoseconds woke_at = 0, ran_at = 0;
    platform.step = [&](Thread& t, Nanoseconds deadline) {
        if (&t == &shell->thread()) {
            ran_at = host.time;
            (void)platform.call(t, mote::abi::Sys::Sleep, 1000 * kSecond);
            return RunExit::Parked;
        }
        // The hog alone has no timeslice; it runs until the loop's next timer.
        host.time = deadline == kNoDeadline ? host.time + 50 * kMillisecond : deadline;
        if (!woke_at && shell->thread().timer().deadline() <= host.time) woke_at = shell->thread().timer().deadline();
        return RunExit::Loop;
    };
    for (int i = 0; i < 20 && !ran_at; ++i) loop.turn(true);
    platform.step = nullptr;
    ASSERT_NE(ran_at, 0u);
    EXPECT_LE(ran_at - woke_at, 2 * Scheduler::kDefaultTimeslice);
}
