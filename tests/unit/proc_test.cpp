// Processes and the syscall layer on the host (address spaces, handle
// tables and the scheduler have their own files): a fake platform stands
// in for user mode (its threads' "instructions" are syscalls the test
// issues), everything else is the kernel's own code over a page allocator
// on fake RAM.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "support/process_fixture.hpp"
#include "support/test_object.hpp"

using namespace mote;
using mote::test::TestObject;
using mote::test::FakeHost;
using mote::test::FakeRam;
using mote::test::FakeMmu;
using mote::test::FakeUserPlatform;
using mote::test::ProcessTest;
using mote::test::err;

// --- processes and syscalls --------------------------------------------------

TEST_F(ProcessTest, SpawnLaysOutSegmentsStackAndStartInfo) {
    TestObject stream;
    stream.retain();
    Process* p = spawn_program("prog", {"prog", "hello", ""}, {&stream, &stream}).value();
    const auto& frame = platform.frames[&p->thread()];
    EXPECT_EQ(frame.entry, 0x401100u);
    EXPECT_EQ(frame.sp, frame.argument);
    EXPECT_EQ(frame.sp % 16, 0u);
    EXPECT_GT(frame.sp, mote::abi::kStackTop - mote::abi::kStackSize);
    // Segments with their permissions, the file bytes where they belong.
    FakeMmu& mmu = static_cast<FakeMmu&>(p->mmu());
    EXPECT_EQ(mmu.translate(0x400000).value().access, u32(kUserRead));
    EXPECT_EQ(mmu.translate(0x401000).value().access, u32(kUserRead | kUserExecute));
    EXPECT_EQ(mmu.translate(0x404000).value().access, u32(kUserRead | kUserWrite));
    u8 byte = 0;
    ASSERT_TRUE(p->space().copy_in(Span<u8>(&byte, 1), 0x401000 + 5).ok());
    EXPECT_EQ(byte, test_elf::content_byte(0x1000 + 5));
    ASSERT_TRUE(p->space().copy_in(Span<u8>(&byte, 1), 0x403010 + 0x20).ok());
    EXPECT_EQ(byte, 0) << ".bss is zero";
    // StartInfo, argv and the handles, as the program sees them.
    mote::abi::StartInfo info {};
    ASSERT_TRUE(p->space().copy_in(Span<u8>(reinterpret_cast<u8*>(&info), sizeof(info)), frame.sp).ok());
    ASSERT_EQ(info.argc, 3u);
    ASSERT_EQ(info.handle_count, 2u);
    EXPECT_EQ(p->handles().lookup(info.handles[0], 0).value(), &stream);
    EXPECT_EQ(p->handles().lookup(info.handles[1], 0).value(), &stream);
    std::vector<std::string> args;
    for (u64 i = 0; i <= info.argc; ++i) {
        u64 pointer = 0;
        ASSERT_TRUE(p->space().copy_in(Span<u8>(reinterpret_cast<u8*>(&pointer), 8), info.argv + i * 8).ok());
        if (i == info.argc) {
            EXPECT_EQ(pointer, 0u);
            break;
        }
        std::string s;
        for (char c = 1; c;) {
            ASSERT_TRUE(p->space().copy_in(Span<u8>(reinterpret_cast<u8*>(&c), 1), pointer + s.size()).ok());
            if (c) s += c;
        }
        args.push_back(s);
    }
    EXPECT_EQ(args, (std::vector<std::string> {"prog", "hello", ""}));
    end_all();
    EXPECT_EQ(stream.references(), 1u) << "the process's handles were closed";
}

TEST_F(ProcessTest, BadProgramsAreRefusedAndLeaveNothing) {
    image = program_bytes();
    image[0] = 0;  // bad magic
    SpawnPlan plan;
    plan.name = "bad";
    plan.image = ReadonlyBytes(image.data(), image.size());
    EXPECT_EQ(loader.spawn(plan).error(), Error::Malformed);
    // argv that does not hold argc strings.
    image = program_bytes();
    u8 argv[] = {'a', 0, 'b'};
    plan.image = ReadonlyBytes(image.data(), image.size());
    plan.argv = ReadonlyBytes(argv, 3);
    plan.argc = 2;
    EXPECT_EQ(loader.spawn(plan).error(), Error::InvalidArgument);
    // Out of memory half-way: the half-built process goes away whole.
    platform.refuse_mmu = true;
    plan.argv = {};
    plan.argc = 0;
    EXPECT_EQ(loader.spawn(plan).error(), Error::NoMemory);
    platform.refuse_mmu = false;
    EXPECT_EQ(processes.count(), 0u);
    EXPECT_EQ(platform.live_mmus, 0);
    EXPECT_TRUE(same_free_state(pages.stats(), before));
}

TEST_F(ProcessTest, SpawnAndExitGiveAllMemoryBack) {
    for (int round = 0; round < 50; ++round) {
        Process* p = spawn_program("p", {"p"}).value();
        as(p->thread(), [&](Thread& t) {
            EXPECT_GT(platform.call(t, mote::abi::Sys::Map, 1 << 20, mote::abi::kMapRead | mote::abi::kMapWrite).user_value(), 0);
            (void)platform.call(t, mote::abi::Sys::Exit, 7);
            return RunExit::Ended;
        });
        loop.turn(false);
    }
    EXPECT_EQ(processes.count(), 0u);
    EXPECT_EQ(platform.live_mmus, 0);
    EXPECT_TRUE(same_free_state(pages.stats(), before));
}

TEST_F(ProcessTest, SyscallArgumentsAreValidated) {
    Process* p = spawn_program("p", {"p"}).value();
    as(p->thread(), [&](Thread& t) {
        auto call = [&](mote::abi::Sys n, u64 a0 = 0, u64 a1 = 0, u64 a2 = 0, u64 a3 = 0) {
            return platform.call(t, n, a0, a1, a2, a3).user_value();
        };
        EXPECT_EQ(platform.call(t, mote::abi::Sys(99)).user_value(), err(mote::abi::Err::NoSyscall));
        EXPECT_EQ(call(mote::abi::Sys::Write, 0x1234, 0x400000, 1, mote::abi::kCurrentOffset), err(mote::abi::Err::BadHandle));
        EXPECT_EQ(call(mote::abi::Sys::Close, 0), err(mote::abi::Err::BadHandle));
        EXPECT_EQ(call(mote::abi::Sys::Close, ~u64(0)), err(mote::abi::Err::BadHandle));
        EXPECT_EQ(call(mote::abi::Sys::Map, 4096, mote::abi::kMapWrite | mote::abi::kMapExecute), err(mote::abi::Err::InvalidArgument));
        EXPECT_EQ(call(mote::abi::Sys::Map, 4096, 0x80), err(mote::abi::Err::InvalidArgument));
        EXPECT_EQ(call(mote::abi::Sys::Map, 0, mote::abi::kMapRead), err(mote::abi::Err::InvalidArgument));
        EXPECT_EQ(call(mote::abi::Sys::Map, ~u64(0), mote::abi::kMapRead), err(mote::abi::Err::Overflow));
        EXPECT_EQ(call(mote::abi::Sys::Unmap, 0x400000, 4096), err(mote::abi::Err::InvalidArgument));
        EXPECT_EQ(call(mote::abi::Sys::Unmap, 0xffffffc000000000ull, 4096), err(mote::abi::Err::BadAddress));
        EXPECT_EQ(call(mote::abi::Sys::Stat, 0x1234, 0), err(mote::abi::Err::BadHandle));
        EXPECT_EQ(call(mote::abi::Sys::Spawn, 0), err(mote::abi::Err::BadAddress));
        EXPECT_EQ(call(mote::abi::Sys::Spawn, 0xffffffc000000000ull), err(mote::abi::Err::BadAddress));
        EXPECT_EQ(call(mote::abi::Sys::Wait, 0x777, 0, 0), err(mote::abi::Err::BadHandle));
        EXPECT_EQ(call(mote::abi::Sys::Poll, 0, mote::abi::kPollMaxItems + 1, 0), err(mote::abi::Err::InvalidArgument));
        EXPECT_EQ(call(mote::abi::Sys::Poll, 0x10, 1, 0), err(mote::abi::Err::BadAddress));
        u64 address = u64(call(mote::abi::Sys::Map, 8192, mote::abi::kMapRead | mote::abi::kMapWrite));
        EXPECT_EQ(address, mote::abi::kMapBase);
        EXPECT_EQ(call(mote::abi::Sys::Unmap, address, 4096), err(mote::abi::Err::InvalidArgument));
        EXPECT_EQ(call(mote::abi::Sys::Unmap, address, 8192), 0);
        EXPECT_EQ(call(mote::abi::Sys::Unmap, address, 8192), err(mote::abi::Err::InvalidArgument));
        // A handle to itself is not something it holds: signal needs one.
        EXPECT_EQ(call(mote::abi::Sys::Signal, 1, 1), err(mote::abi::Err::BadHandle));
        EXPECT_EQ(syscalls.stats().unknown, 1u);
        return RunExit::Loop;
    });
}

TEST_F(ProcessTest, SleepParksUntilTheDeadline) {
    Process* p = spawn_program("sleeper", {"sleeper"}).value();
    host.time = 1000;
    as(p->thread(), [&](Thread& t) {
        (void)platform.call(t, mote::abi::Sys::Sleep, 5 * kMillisecond);
        EXPECT_EQ(t.state(), ThreadState::Parked);
        EXPECT_STREQ(t.wait_reason(), "sleep");
        return RunExit::Parked;
    });
    // Nothing runnable: the loop waits until the timer, which wakes it.
    platform.frames[&p->thread()].has_result = false;
    loop.turn(true);  // waits: the fake clock jumps to the deadline
    loop.turn(false);
    EXPECT_EQ(p->thread().state(), ThreadState::Runnable);
    EXPECT_TRUE(platform.frames[&p->thread()].has_result);
    EXPECT_EQ(platform.frames[&p->thread()].result, 0);
    EXPECT_GE(host.time, 1000 + 5 * kMillisecond);
}

TEST_F(ProcessTest, WaitDeliversTheChildsExit) {
    Process* parent = spawn_program("parent", {"parent"}).value();
    Process* child = spawn_program("child", {"child"}, {}, parent).value();
    mote::abi::Handle handle = parent->handles().install(*child, mote::abi::kRightsAll).value();
    u64 info_address = 0;
    as(parent->thread(), [&](Thread& t) {
        info_address = u64(platform.call(t, mote::abi::Sys::Map, 4096, mote::abi::kMapRead | mote::abi::kMapWrite).user_value());
        EXPECT_EQ(platform.call(t, mote::abi::Sys::Wait, handle, info_address, 0).user_value(), err(mote::abi::Err::WouldBlock));
        (void)platform.call(t, mote::abi::Sys::Wait, handle, info_address, kNoDeadline);
        EXPECT_EQ(t.state(), ThreadState::Parked);
        return RunExit::Parked;
    });
    as(child->thread(), [&](Thread& t) {
        (void)platform.call(t, mote::abi::Sys::Exit, u64(-3));
        return RunExit::Ended;
    });
    EXPECT_EQ(parent->thread().state(), ThreadState::Runnable);
    EXPECT_EQ(platform.frames[&parent->thread()].result, 0);
    mote::abi::ExitInfo info {};
    ASSERT_TRUE(parent->space().copy_in(Span<u8>(reinterpret_cast<u8*>(&info), sizeof(info)), info_address).ok());
    EXPECT_EQ(info.reason, u32(mote::abi::ExitReason::Exited));
    EXPECT_EQ(info.status, -3);
    // The child is gone from the table, but its handle still answers.
    EXPECT_EQ(processes.find(child->pid()), nullptr);
    as(parent->thread(), [&](Thread& t) {
        EXPECT_EQ(platform.call(t, mote::abi::Sys::Wait, handle, 0, 0).user_value(), 0);
        EXPECT_EQ(platform.call(t, mote::abi::Sys::Signal, handle, u64(mote::abi::Signal::Terminate)).user_value(),
                  err(mote::abi::Err::BadState));
        EXPECT_EQ(platform.call(t, mote::abi::Sys::Close, handle).user_value(), 0);
        return RunExit::Loop;
    });
}

TEST_F(ProcessTest, SignalEndsAParkedChild) {
    Process* parent = spawn_program("parent", {"parent"}).value();
    Process* child = spawn_program("child", {"child"}, {}, parent).value();
    mote::abi::Handle handle = parent->handles().install(*child, mote::abi::kRightsAll).value();
    as(child->thread(), [&](Thread& t) {
        (void)platform.call(t, mote::abi::Sys::Sleep, 1000 * kSecond);
        return RunExit::Parked;
    });
    as(parent->thread(), [&](Thread& t) {
        EXPECT_EQ(platform.call(t, mote::abi::Sys::Signal, handle, 99).user_value(), err(mote::abi::Err::InvalidArgument));
        EXPECT_EQ(platform.call(t, mote::abi::Sys::Signal, handle, u64(mote::abi::Signal::Interrupt)).user_value(), 0);
        return RunExit::Loop;
    });
    EXPECT_EQ(child->state(), ProcessState::Exited);
    EXPECT_EQ(child->exit_info().reason, u32(mote::abi::ExitReason::Killed));
    EXPECT_EQ(child->exit_info().status, i32(mote::abi::Signal::Interrupt));
    EXPECT_FALSE(child->thread().timer().armed()) << "the sleep's timer was cancelled";
}

TEST_F(ProcessTest, SignalsWaitForAProcessThatPollsForThem) {
    namespace abi = mote::abi;
    Process* parent = spawn_program("parent", {"parent"}).value();
    Process* child = spawn_program("child", {"child"}, {}, parent).value();
    abi::Handle handle = parent->handles().install(*child, abi::kRightsAll).value();
    u64 items = 0;
    auto poll_self = [&](Thread& t, u32 events, Nanoseconds timeout) {
        abi::PollItem item {abi::kNoHandle, events, 0, 0};
        EXPECT_TRUE(child->space().copy_out(items, Span<const u8>(reinterpret_cast<const u8*>(&item), sizeof(item))).ok());
        return platform.call(t, abi::Sys::Poll, items, 1, timeout).user_value();
    };
    auto reported = [&] {
        abi::PollItem item {};
        EXPECT_TRUE(child->space().copy_in(Span<u8>(reinterpret_cast<u8*>(&item), sizeof(item)), items).ok());
        return item.ready;
    };
    as(child->thread(), [&](Thread& t) {
        items = u64(platform.call(t, abi::Sys::Map, 4096, abi::kMapRead | abi::kMapWrite).user_value());
        // Only the signals may be asked of the process itself, and only of it.
        EXPECT_EQ(poll_self(t, abi::kPollReadable, 0), err(abi::Err::InvalidArgument));
        EXPECT_EQ(poll_self(t, 0, 0), err(abi::Err::InvalidArgument));
        // Nothing pending: not ready.
        EXPECT_EQ(poll_self(t, abi::kPollNotify, 0), 0);
        (void)poll_self(t, abi::kPollNotify, 1000 * kSecond);
        EXPECT_EQ(t.state(), ThreadState::Parked);
        return RunExit::Parked;
    });
    as(parent->thread(), [&](Thread& t) {
        abi::PollItem asks_child {handle, abi::kPollNotify, 0, 0};
        u64 address = u64(platform.call(t, abi::Sys::Map, 4096, abi::kMapRead | abi::kMapWrite).user_value());
        EXPECT_TRUE(parent->space().copy_out(address, Span<const u8>(reinterpret_cast<const u8*>(&asks_child), sizeof(asks_child))).ok());
        EXPECT_EQ(platform.call(t, abi::Sys::Poll, address, 1, 0).user_value(), err(abi::Err::InvalidArgument))
            << "another process's signals are its own";
        // A notification wakes the polling child and is reported once.
        EXPECT_EQ(platform.call(t, abi::Sys::Signal, handle, u64(abi::Signal::Notify)).user_value(), 0);
        return RunExit::Loop;
    });
    EXPECT_EQ(child->thread().state(), ThreadState::Runnable);
    EXPECT_EQ(platform.frames[&child->thread()].result, 1);
    EXPECT_EQ(reported(), u32(abi::kPollNotify));
    as(child->thread(), [&](Thread& t) {
        EXPECT_EQ(poll_self(t, abi::kPollNotify, 0), 0) << "taken by the poll that reported it";
        return RunExit::Loop;
    });
    // Two notifications before a look count as one.
    as(parent->thread(), [&](Thread& t) {
        EXPECT_EQ(platform.call(t, abi::Sys::Signal, handle, u64(abi::Signal::Notify)).user_value(), 0);
        EXPECT_EQ(platform.call(t, abi::Sys::Signal, handle, u64(abi::Signal::Notify)).user_value(), 0);
        return RunExit::Loop;
    });
    as(child->thread(), [&](Thread& t) {
        EXPECT_EQ(poll_self(t, abi::kPollNotify | abi::kPollInterrupt, 0), 1);
        EXPECT_EQ(reported(), u32(abi::kPollNotify));
        EXPECT_EQ(poll_self(t, abi::kPollNotify | abi::kPollInterrupt, 0), 0);
        return RunExit::Loop;
    });
    // Having asked for interrupts, the child is not ended by one.
    as(parent->thread(), [&](Thread& t) {
        EXPECT_EQ(platform.call(t, abi::Sys::Signal, handle, u64(abi::Signal::Interrupt)).user_value(), 0);
        return RunExit::Loop;
    });
    EXPECT_EQ(child->state(), ProcessState::Running);
    as(child->thread(), [&](Thread& t) {
        EXPECT_EQ(poll_self(t, abi::kPollInterrupt, 0), 1);
        EXPECT_EQ(reported(), u32(abi::kPollInterrupt));
        return RunExit::Loop;
    });
    // Terminate still ends it, and an ended process takes no signal.
    as(parent->thread(), [&](Thread& t) {
        EXPECT_EQ(platform.call(t, abi::Sys::Signal, handle, u64(abi::Signal::Terminate)).user_value(), 0);
        EXPECT_EQ(platform.call(t, abi::Sys::Signal, handle, u64(abi::Signal::Notify)).user_value(),
                  err(abi::Err::BadState));
        return RunExit::Loop;
    });
    EXPECT_EQ(child->state(), ProcessState::Exited);
}

TEST_F(ProcessTest, WithoutTheSpawnCapabilityATreeHoldsSixteen) {
    namespace abi = mote::abi;
    constexpr u32 kTree = SpawnCapability::kLimitedTree;
    const abi::ExitInfo killed {u32(abi::ExitReason::Killed), 0, 0, 0};
    // The shell: started with the capability, and holding it.
    Process* shell = processes.create("sh", nullptr, true).value();
    ASSERT_TRUE(shell->handles().install(processes.spawn_capability(), abi::kRightTransfer).ok());
    EXPECT_EQ(shell->charged_to(), nullptr);
    EXPECT_TRUE(processes.may_spawn(shell));
    // A program it starts without the capability roots a tree ...
    Process* program = processes.create("prog", shell).value();
    EXPECT_EQ(program->charged_to(), program);
    EXPECT_EQ(program->charged_live(), 1u);
    // ... which its children and grandchildren fill.
    std::vector<Process*> tree = {program};
    for (u32 i = 1; i < kTree; ++i) tree.push_back(processes.create("kid", tree[i / 2]).value());
    EXPECT_EQ(program->charged_live(), kTree);
    for (Process* p : tree) EXPECT_FALSE(processes.may_spawn(p)) << p->pid();
    EXPECT_EQ(processes.create("one-more", tree.back()).error(), Error::Busy);
    EXPECT_EQ(processes.stats().limited, 1u);
    // The shell itself is not limited by its program's tree.
    EXPECT_TRUE(processes.may_spawn(shell));
    Process* other = processes.create("other", shell).value();
    EXPECT_EQ(other->charged_to(), other) << "a tree of its own";
    // An ended member frees a slot; the root ending does not free its
    // children's (orphans stay charged, the root's object stays).
    processes.end(*tree[kTree - 1], killed);
    EXPECT_EQ(program->charged_live(), kTree - 1);
    EXPECT_TRUE(processes.may_spawn(tree[3]));
    processes.end(*program, killed);
    EXPECT_EQ(program->charged_live(), kTree - 2);
    Process* late = processes.create("late", tree[3]).value();
    EXPECT_EQ(late->charged_to(), program);
    EXPECT_EQ(program->charged_live(), kTree - 1);
    // A child passed the capability is unlimited.
    Process* helper = processes.create("helper", shell, true).value();
    EXPECT_EQ(helper->charged_to(), nullptr);
    // One that was, but closed its handle, roots a tree from then on.
    EXPECT_TRUE(processes.may_spawn(helper));
    Process* helper_kid = processes.create("helper-kid", helper).value();
    EXPECT_EQ(helper_kid->charged_to(), helper);
    EXPECT_EQ(helper->charged_live(), 2u);
    processes.end_all();
}

TEST_F(ProcessTest, FaultEndsTheProcessWithItsCause) {
    Process* p = spawn_program("faulty", {"faulty"}).value();
    Process* watcher = spawn_program("watcher", {"watcher"}).value();
    mote::abi::Handle handle = watcher->handles().install(*p, mote::abi::kRightsAll).value();
    as(p->thread(), [&](Thread&) {
        processes.fault(*p, {13, 0xdead, 0x401234, "load page fault"});
        return RunExit::Ended;
    });
    EXPECT_EQ(processes.stats().faulted, 1u);
    EXPECT_EQ(p->exit_info().reason, u32(mote::abi::ExitReason::Fault));
    EXPECT_EQ(p->exit_info().fault_address, 0xdeadu);
    EXPECT_EQ(p->exit_info().fault_pc, 0x401234u);
    EXPECT_EQ(p->poll_ready(mote::abi::kPollExited), u32(mote::abi::kPollExited));
    (void)handle;
}
