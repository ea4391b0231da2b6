// ProcessTest: a process table, the syscall layer and a channel table over a
// page allocator on fake RAM, with a fake platform standing in for user
// mode (a thread's "instructions" are the syscalls the test issues through
// platform.call). Shared by the process, channel, rights and ring tests.
//
//   spawn_program(name, argv, handles, parent)   a real ELF through the loader
//   as(thread, body)                             runs the loop until `thread` is
//                                                on the CPU once, doing `body`
//   user_map / poke / peek                       user memory, set up and read
//                                                directly (not under test)
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "exec/program_loader.hpp"
#include "ipc/channel.hpp"
#include "elf_builder.hpp"
#include "fake_host.hpp"
#include "fake_ram.hpp"
#include "fake_user_platform.hpp"

namespace mote::test {

// The value a failed syscall leaves in the result register.
inline i64 err(abi::Err e) { return -i64(e); }

class ProcessTest : public ::testing::Test {
protected:
    void SetUp() override {
        PhysRange range = ram.range(0, ram.size());
        ASSERT_TRUE(pages.initialize(Span<const PhysRange>(&range, 1), ram.offset()).ok());
        platform.attach(processes, syscalls);
        syscalls.set_loader(&loader);
        syscalls.set_channels(&channels);
        // Warm the slab caches so that "memory back to where it was" is not
        // confused by a cache keeping its first slab: a process, and a
        // channel with a message in it.
        Process* warm = spawn_program("warmup", {}).value();
        as(warm->thread(), [&](Thread& t) {
            u64 buffer = user_map(*warm, kPageSize);
            EXPECT_EQ(platform.call(t, abi::Sys::ChannelCreate, buffer).user_value(), 0);
            abi::Handle ends[2];
            peek_into(*warm, buffer, ends, sizeof(ends));
            EXPECT_EQ(platform.call(t, abi::Sys::Write, ends[0], buffer, 8, abi::kCurrentOffset).user_value(), 8);
            return RunExit::Loop;
        });
        end_all();
        platform.ran.clear();
        before = pages.stats();
    }
    void TearDown() override { end_all(); }

    void end_all() {
        processes.end_all();
        for (int i = 0; i < 4; ++i) loop.turn(false);
    }

    std::vector<u8> program_bytes() {
        test_elf::ElfFile file = test_elf::good_program(test_elf::kEmX86_64);
        return file.build();
    }

    std::vector<HandleRef> refs;
    Result<Process*> spawn_program(StringView name, std::vector<std::string> argv,
                                   std::vector<KernelObject*> handles = {}, Process* parent = nullptr) {
        image = program_bytes();
        packed.clear();
        for (auto& a : argv) packed.insert(packed.end(), a.c_str(), a.c_str() + a.size() + 1);
        SpawnPlan plan;
        plan.name = name;
        plan.image = ReadonlyBytes(image.data(), image.size());
        plan.argv = ReadonlyBytes(packed.data(), packed.size());
        plan.argc = u32(argv.size());
        refs.clear();
        for (KernelObject* object : handles) refs.push_back({object, abi::kRightsAll});
        plan.handles = Span<const HandleRef>(refs.data(), refs.size());
        plan.parent = parent;
        return loader.spawn(plan);
    }

    // Runs the loop until `thread` has been on the CPU once, doing `body`
    // as its instructions.
    void as(Thread& thread, std::function<RunExit(Thread&)> body) {
        bool done = false;
        platform.step = [&](Thread& t, Nanoseconds deadline) {
            if (done) return RunExit::Loop;  // a direct switch after the body: nothing more this turn
            if (&t != &thread) {
                // Another thread runs until its timeslice (or the loop's next
                // timer) ends.
                host.time = deadline == kNoDeadline ? host.time + kMillisecond : deadline;
                return RunExit::Loop;
            }
            done = true;
            return body(t);
        };
        for (int i = 0; i < 20 && !done; ++i) loop.turn(true);
        platform.step = nullptr;
        ASSERT_TRUE(done) << "the thread never ran";
    }

    // Turns the loop until `done` (at most `turns` times); runnable threads
    // idle until their timeslice or the next timer, so time moves on.
    void run_until(std::function<bool()> done, int turns = 50) {
        platform.step = [&](Thread&, Nanoseconds deadline) {
            host.time = deadline == kNoDeadline ? host.time + kMillisecond : deadline;
            return RunExit::Loop;
        };
        for (int i = 0; i < turns && !done(); ++i) loop.turn(true);
        platform.step = nullptr;
    }

    // --- user memory, set up and inspected behind the syscall layer's back.

    // `bytes` of fresh read-write user memory in `process`.
    u64 user_map(Process& process, u64 bytes) {
        auto address = process.space().map_anywhere(bytes, kUserRead | kUserWrite);
        EXPECT_TRUE(address.ok());
        return address.ok() ? address.value() : 0;
    }
    void poke_from(Process& process, u64 address, const void* data, usize size) {
        ASSERT_TRUE(process.space().copy_out(address, ReadonlyBytes(static_cast<const u8*>(data), size)).ok());
    }
    void peek_into(Process& process, u64 address, void* data, usize size) {
        ASSERT_TRUE(process.space().copy_in(Span<u8>(static_cast<u8*>(data), size), address).ok());
    }
    template <typename T>
    void poke(Process& process, u64 address, const T& value) {
        poke_from(process, address, &value, sizeof(T));
    }
    template <typename T>
    T peek(Process& process, u64 address) {
        T value {};
        peek_into(process, address, &value, sizeof(T));
        return value;
    }
    void poke_string(Process& process, u64 address, const std::string& text) {
        poke_from(process, address, text.data(), text.size());
    }
    std::string peek_string(Process& process, u64 address, usize size) {
        std::string text(size, '\0');
        peek_into(process, address, text.data(), size);
        return text;
    }

    // The result a parked thread's syscall was finished with (nullopt-like:
    // has_result false until a wake delivered one).
    FakeFrame& frame(Process& process) { return platform.frames[&process.thread()]; }
    // Forgets the results of earlier calls: call before a syscall that parks.
    void clear_result(Thread& thread) { platform.frames[&thread].has_result = false; }

    FakeRam ram {4 << 20};
    PageAllocator pages;
    FakeHost host;
    Loop loop {host};
    FakeUserPlatform platform;
    // Before the process table: handles closed at its teardown free channels.
    ChannelTable channels {pages};
    ProcessTable processes {loop, pages, platform};
    Syscalls syscalls {processes};
    // The loader's tests spawn ELF images with no file behind them; the
    // signed manifest has its own tests (program_trust_test.cpp).
    struct AdmitEverything final : ProgramGate {
        Result<void> admit(fs::FsNode*, ReadonlyBytes, StringView) override { return {}; }
    } admit_everything;
    ProgramLoader loader {processes, admit_everything};
    PageAllocatorStats before;
    std::vector<u8> image;
    std::vector<u8> packed;
};

}  // namespace mote::test
