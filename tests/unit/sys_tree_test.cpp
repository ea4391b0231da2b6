// The /sys tree (boot/sys_tree.hpp) over a real UserSpace on fake RAM and a
// fake user platform: sys/console and sys/process_table read as a program
// reads them (lookup, then read from offset 0), before and after real
// activity: a program writing to the console, reading from it and exiting
// through the syscall layer, input typed at the keyboard, processes
// created, killed and faulting. The rest of the tree is exercised by the
// hosted and QEMU integration tests.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "boot/kernel.hpp"
#include "boot/sys_tree.hpp"
#include "boot/user_space.hpp"
#include "support/fake_ram.hpp"
#include "support/fake_user_platform.hpp"
#include "support/fs_sync.hpp"

using namespace mote;
using namespace mote::test;

namespace {

class TextConsole final : public Console {
public:
    void write(StringView text) override { out.append(text.data(), text.length()); }
    bool interactive() const override { return true; }
    std::string out;
};

// A machine that only keeps time; UserSpace gets its memory and platform
// from the test, not through the machine (Kernel::run is never called).
class ClockMachine final : public Machine {
public:
    Nanoseconds now() override { return time; }
    void wait(Loop&, Nanoseconds deadline) override {
        if (deadline != kNoDeadline && deadline > time) time = deadline;
    }
    StringView name() const override { return "sys-tree-test"; }
    StringView command_line() const override { return ""; }
    Console& console() override { return text; }
    void attach_devices(Kernel&) override {}

    Nanoseconds time = kSecond;
    TextConsole text;
};

class SysTreeTest : public ::testing::Test {
protected:
    void SetUp() override {
        PhysRange range = ram.range(0, ram.size());
        ASSERT_TRUE(pages.initialize(Span<const PhysRange>(&range, 1), ram.offset()).ok());
        user.emplace(kernel.loop(), pages, platform, machine.console());
        sys.emplace(kernel, *user);
    }
    void TearDown() override {
        sys.reset();
        user.reset();  // ends every process
    }

    // The whole text of sys/<name>, as a program reads it.
    std::string read(const char* name) {
        auto node = lookup_now(sys->root(), name);
        EXPECT_TRUE(node.ok()) << name;
        if (!node.ok()) return "";
        std::string out;
        char chunk[100];
        for (;;) {
            auto n = read_now(*node.value(), out.size(), Span<u8>(reinterpret_cast<u8*>(chunk), sizeof chunk));
            EXPECT_TRUE(n.ok()) << name;
            if (!n.ok() || n.value() == 0) break;
            out.append(chunk, n.value());
        }
        return out;
    }
    // The number on the line "<key> <number>" of sys/<name>; -1 if none.
    i64 counter(const char* name, const std::string& key) {
        const std::string text = "\n" + read(name);
        const auto at = text.find("\n" + key + " ");
        if (at == std::string::npos) return -1;
        return std::stoll(text.substr(at + key.size() + 2));
    }

    // Runs the loop until `process`'s thread has been on the CPU once,
    // doing `body` as its instructions (the others idle).
    void as(Process& process, const std::function<RunExit(Thread&)>& body) {
        bool done = false;
        platform.step = [&](Thread& t, Nanoseconds deadline) {
            if (&t != &process.thread() || done) {
                machine.time = deadline == kNoDeadline ? machine.time + kMillisecond : deadline;
                return RunExit::Loop;
            }
            done = true;
            return body(t);
        };
        for (int i = 0; i < 20 && !done; ++i) kernel.loop().turn(true);
        platform.step = nullptr;
        ASSERT_TRUE(done) << "the thread never ran";
    }
    // A started process with the console as a handle, and a page of user
    // memory at `buffer`.
    Process* program(const char* name, mote::abi::Handle& console, u64& buffer) {
        Process* p = user->processes().create(name, nullptr).value();
        console = p->handles().install(user->console(), kStreamRights).value();
        buffer = p->space().map_anywhere(kPageSize, kUserRead | kUserWrite).value();
        user->processes().start(*p, 0x400000, mote::abi::kStackTop, 0);
        return p;
    }

    FakeRam ram {4 << 20};
    PageAllocator pages;
    ClockMachine machine;
    Kernel kernel {machine};
    FakeUserPlatform platform;
    std::optional<UserSpace> user;
    std::optional<SysTree> sys;
};

TEST_F(SysTreeTest, BothNodesAreListed) {
    std::vector<std::string> names;
    fs::DirEntry entry;
    for (u64 i = 0; read_dir_now(sys->root(), i, entry).value(); ++i)
        names.emplace_back(entry.name().data(), entry.name().length());
    EXPECT_NE(std::find(names.begin(), names.end(), "console"), names.end());
    EXPECT_NE(std::find(names.begin(), names.end(), "process_table"), names.end());
    EXPECT_NE(std::find(names.begin(), names.end(), "processes"), names.end()) << "the listing stays";
}

TEST_F(SysTreeTest, ConsoleCountsWhatProgramsWriteAndReadAndWhatIsTyped) {
    EXPECT_EQ(read("console"),
              "bytes_in 0\nbytes_out 0\ndropped 0\nreads_parked 0\nwrites_parked 0\ninterrupts 0\nflushed 0\n");
    mote::abi::Handle console;
    u64 buffer;
    Process* p = program("cat", console, buffer);
    const std::string hello = "hello, console\n";
    as(*p, [&](Thread& t) {
        EXPECT_TRUE(p->space().copy_out(buffer, ReadonlyBytes(reinterpret_cast<const u8*>(hello.data()), hello.size())).ok());
        EXPECT_EQ(platform.call(t, mote::abi::Sys::Write, console, buffer, hello.size(), mote::abi::kCurrentOffset).user_value(),
                  i64(hello.size()));
        // Nothing typed yet: the read waits.
        (void)platform.call(t, mote::abi::Sys::Read, console, buffer, 64, mote::abi::kCurrentOffset);
        EXPECT_EQ(t.state(), ThreadState::Parked);
        return RunExit::Parked;
    });
    EXPECT_EQ(machine.text.out, hello);
    EXPECT_EQ(counter("console", "bytes_out"), i64(hello.size()));
    EXPECT_EQ(counter("console", "reads_parked"), 1);
    EXPECT_EQ(counter("console", "bytes_in"), 0);
    // Typed: the waiting read takes it.
    user->console().on_input(ReadonlyBytes(reinterpret_cast<const u8*>("ls\n"), 3));
    EXPECT_EQ(platform.frames[&p->thread()].result, 3);
    EXPECT_EQ(counter("console", "bytes_in"), 3);
    // Typed with nobody reading: the buffer fills, the rest is dropped.
    const std::string flood(ConsoleStream::kBufferBytes + 100, 'x');
    user->console().on_input(ReadonlyBytes(reinterpret_cast<const u8*>(flood.data()), flood.size()));
    EXPECT_EQ(counter("console", "bytes_in"), i64(3 + ConsoleStream::kBufferBytes));
    EXPECT_EQ(counter("console", "dropped"), 100);
}

TEST_F(SysTreeTest, ProcessTableCountsProcessesComingAndGoing) {
    EXPECT_EQ(read("process_table"), "created 0\nexited 0\nfaulted 0\nkilled 0\ncreate_failures 0\nlimited 0\n");
    ProcessTable& processes = user->processes();
    Process* victim = processes.create("victim", nullptr).value();
    Process* faulty = processes.create("faulty", nullptr).value();
    mote::abi::Handle console;
    u64 buffer;
    Process* leaver = program("leaver", console, buffer);
    EXPECT_EQ(counter("process_table", "created"), 3);
    EXPECT_EQ(counter("process_table", "exited"), 0);
    // Killed: counted as killed and as exited.
    ASSERT_TRUE(processes.signal(*victim, mote::abi::Signal::Terminate).ok());
    EXPECT_EQ(counter("process_table", "killed"), 1);
    EXPECT_EQ(counter("process_table", "exited"), 1);
    // A fault ends one too.
    processes.fault(*faulty, {13, 0xdead, 0x401234, "load page fault"});
    EXPECT_EQ(counter("process_table", "faulted"), 1);
    EXPECT_EQ(counter("process_table", "exited"), 2);
    // exit() through the syscall layer.
    as(*leaver, [&](Thread& t) {
        (void)platform.call(t, mote::abi::Sys::Exit, 0);
        return RunExit::Ended;
    });
    EXPECT_EQ(counter("process_table", "exited"), 3);
    EXPECT_EQ(counter("process_table", "killed"), 1);
    // A process the platform cannot give an address space.
    platform.refuse_mmu = true;
    EXPECT_TRUE(processes.create("refused", nullptr).is_error());
    EXPECT_EQ(counter("process_table", "create_failures"), 1);
    EXPECT_EQ(counter("process_table", "created"), 3);
    EXPECT_EQ(counter("process_table", "limited"), 0);
}

}  // namespace
