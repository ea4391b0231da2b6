// A UserPlatform for host tests: address spaces are maps from page to
// frame, and "running" a thread calls a test-supplied step function that
// issues syscalls directly, as the thread's trap path would.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "proc/process.hpp"
#include "proc/user_platform.hpp"
#include "syscall/syscalls.hpp"

namespace mote::test {

class FakeMmu final : public UserMmu {
public:
    Result<void> map(u64 va, PhysAddr frame, u32 access) override {
        if (fail_map_after >= 0 && maps_done++ >= fail_map_after) return Error::NoMemory;
        if (pages.count(va)) return Error::BadState;
        pages[va] = {frame, access};
        return {};
    }
    Result<PhysAddr> unmap(u64 va) override {
        auto it = pages.find(va);
        if (it == pages.end()) return Error::NotFound;
        PhysAddr frame = it->second.frame;
        pages.erase(it);
        return frame;
    }
    Result<void> protect(u64 va, u32 access) override {
        auto it = pages.find(va);
        if (it == pages.end()) return Error::NotFound;
        it->second.access = access;
        return {};
    }
    Result<UserPage> translate(u64 va) const override {
        auto it = pages.find(va);
        if (it == pages.end()) return Error::NotFound;
        return it->second;
    }
    u64 table_pages() const override { return 0; }

    std::map<u64, UserPage> pages;
    int fail_map_after = -1;
    int maps_done = 0;
};

struct FakeFrame {
    u64 entry = 0, sp = 0, argument = 0;
    i64 result = 0;
    bool has_result = false;
};

class FakeUserPlatform final : public UserPlatform {
public:
    using Step = std::function<RunExit(Thread&, Nanoseconds deadline)>;

    void attach(ProcessTable& table, Syscalls& calls) override {
        processes = &table;
        syscalls = &calls;
    }
    Result<UserMmu*> create_mmu() override {
        if (refuse_mmu) return Error::NoMemory;
        mmus.push_back(std::make_unique<FakeMmu>());
        ++live_mmus;
        return static_cast<UserMmu*>(mmus.back().get());
    }
    void destroy_mmu(UserMmu& mmu) override {
        EXPECT_TRUE(static_cast<FakeMmu&>(mmu).pages.empty()) << "frames still mapped at teardown";
        --live_mmus;
    }
    void start_frame(Thread& thread, u64 entry, u64 sp, u64 argument) override {
        frames[&thread] = {entry, sp, argument, 0, false};
    }
    void set_result(Thread& thread, i64 result) override {
        frames[&thread].result = result;
        frames[&thread].has_result = true;
    }
    RunExit run(Thread& thread, Nanoseconds deadline) override {
        ++runs;
        ran.push_back(&thread);
        if (step) return step(thread, deadline);
        return RunExit::Loop;
    }

    // What the trap path does with one syscall: dispatch, then the result
    // goes into the frame if it finished at once.
    SysResult call(Thread& thread, abi::Sys number, u64 a0 = 0, u64 a1 = 0, u64 a2 = 0, u64 a3 = 0, u64 a4 = 0,
                   u64 a5 = 0) {
        SyscallArgs args {{a0, a1, a2, a3, a4, a5}};
        SysResult result = syscalls->dispatch(thread, u64(number), args);
        if (thread.state() == ThreadState::Running) set_result(thread, result.user_value());
        return result;
    }

    ProcessTable* processes = nullptr;
    Syscalls* syscalls = nullptr;
    std::vector<std::unique_ptr<FakeMmu>> mmus;
    std::map<Thread*, FakeFrame> frames;
    std::vector<Thread*> ran;
    Step step;
    int live_mmus = 0;
    int runs = 0;
    bool refuse_mmu = false;
};

}  // namespace mote::test
