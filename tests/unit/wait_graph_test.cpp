// The wait graph: who waits on whom through channel endpoints and child
// processes, cycles found from any member, and the process table's
// deadlock check logging each cycle once.
#include <gtest/gtest.h>

#include <string>

#include "proc/wait_graph.hpp"
#include "support/channel_fixture.hpp"

namespace mote::test {

using abi::Err;
using abi::Sys;

class WaitGraphTest : public ChannelTest {
protected:
    // Two processes, two channels: A holds x1 and y2, B holds y1 and x2.
    // A receiving on x1 waits for B (holder of y1); B receiving on x2
    // waits for A (holder of y2).
    void SetUp() override {
        ChannelTest::SetUp();
        A = spawn_program("alpha", {"alpha"}).value();
        B = spawn_program("beta", {"beta"}).value();
        as(A->thread(), [&](Thread& t) {
            Ends one = create_channel(t);
            Ends two = create_channel(t);
            x1 = one.a;
            y1 = give(*A, one.b, *B);
            x2 = give(*A, two.a, *B);
            y2 = two.b;
            return RunExit::Loop;
        });
    }

    void park_receiving(Process& p, abi::Handle end) {
        as(p.thread(), [&](Thread& t) {
            (void)recv(t, end, kForever);
            EXPECT_EQ(t.state(), ThreadState::Parked);
            return RunExit::Parked;
        });
    }

    std::string cycles_text() {
        char text[512];
        FormatBuffer out(Span<char>(text, sizeof(text)));
        WaitGraph graph(processes);
        graph.write_cycles(out);
        return std::string(out.view().data(), out.view().length());
    }

    Process* A = nullptr;
    Process* B = nullptr;
    abi::Handle x1 = 0, y1 = 0, x2 = 0, y2 = 0;
};

TEST_F(WaitGraphTest, TargetsAreTheHoldersOfThePeer) {
    WaitGraph graph(processes);
    Process* out[WaitGraph::kMaxTargets];
    EXPECT_EQ(graph.targets(*A, out, WaitGraph::kMaxTargets), 0u) << "not waiting";
    park_receiving(*A, x1);
    ASSERT_EQ(graph.targets(*A, out, WaitGraph::kMaxTargets), 1u);
    EXPECT_EQ(out[0], B);
    Process* cycle[WaitGraph::kMaxCycle];
    EXPECT_EQ(graph.cycle_from(*A, cycle, WaitGraph::kMaxCycle), 0u) << "B is not waiting: no cycle";
    EXPECT_EQ(cycles_text(), "");
}

TEST_F(WaitGraphTest, TwoReceiversWaitingOnEachOtherAreACycle) {
    park_receiving(*A, x1);
    park_receiving(*B, x2);
    WaitGraph graph(processes);
    Process* cycle[WaitGraph::kMaxCycle];
    ASSERT_EQ(graph.cycle_from(*A, cycle, WaitGraph::kMaxCycle), 2u);
    EXPECT_EQ(cycle[0], A);
    EXPECT_EQ(cycle[1], B);
    ASSERT_EQ(graph.cycle_from(*B, cycle, WaitGraph::kMaxCycle), 2u);
    EXPECT_EQ(cycle[0], B);
    EXPECT_EQ(cycle[1], A);
    std::string expected = "cycle: pid " + std::to_string(A->pid()) + " (alpha) -> pid " + std::to_string(B->pid()) +
                           " (beta) -> pid " + std::to_string(A->pid()) + " (alpha)\n";
    EXPECT_EQ(cycles_text(), expected) << "printed once, from its lowest pid";
}

TEST_F(WaitGraphTest, TheDeadlockIsLoggedOnceAfterTheCheckInterval) {
    park_receiving(*A, x1);
    park_receiving(*B, x2);
    Nanoseconds parked_at = host.time;
    EXPECT_EQ(processes.deadlocks_logged(), 0u);
    // Nothing is runnable: each turn waits for the next timer (the check).
    run_until([&] { return processes.deadlocks_logged() > 0; }, 5);
    EXPECT_EQ(processes.deadlocks_logged(), 1u);
    EXPECT_GE(host.time, parked_at + ProcessTable::kDeadlockCheck);
    // It stays deadlocked; the check keeps running but says it only once.
    Nanoseconds later = host.time + 5 * ProcessTable::kDeadlockCheck;
    run_until([&] { return host.time >= later; }, 20);
    EXPECT_GE(host.time, later) << "the check re-arms while threads wait";
    EXPECT_EQ(processes.deadlocks_logged(), 1u);
}

TEST_F(WaitGraphTest, ABrokenCycleIsNotLogged) {
    park_receiving(*A, x1);
    park_receiving(*B, x2);
    // Before the check runs, B's wait is cancelled by ... a third process
    // holding a handle to B, which is the only way in from outside.
    Process* parent = spawn_program("parent", {"parent"}).value();
    abi::Handle handle = parent->handles().install(*B, kProcessRights).value();
    as(parent->thread(), [&](Thread& t) {
        EXPECT_EQ(call(t, Sys::Signal, handle, u64(abi::Signal::Cancel)), 0);
        (void)call(t, Sys::Sleep, 10 * ProcessTable::kDeadlockCheck);
        return RunExit::Parked;
    });
    EXPECT_EQ(frame(*B).result, err(Err::Cancelled));
    // B runs on (it does nothing); time passes the check.
    Nanoseconds later = host.time + 3 * ProcessTable::kDeadlockCheck;
    run_until([&] { return host.time >= later; }, 50);
    EXPECT_EQ(processes.deadlocks_logged(), 0u);
}

TEST_F(WaitGraphTest, AParentWaitingForAChildWaitsOnIt) {
    Process* parent = spawn_program("parent", {"parent"}).value();
    Process* child = spawn_program("child", {"child"}, {}, parent).value();
    abi::Handle handle = parent->handles().install(*child, kProcessRights).value();
    as(parent->thread(), [&](Thread& t) {
        (void)call(t, Sys::Wait, handle, 0, kForever);
        return RunExit::Parked;
    });
    WaitGraph graph(processes);
    Process* out[WaitGraph::kMaxTargets];
    ASSERT_EQ(graph.targets(*parent, out, WaitGraph::kMaxTargets), 1u);
    EXPECT_EQ(out[0], child);
}

}  // namespace mote::test
