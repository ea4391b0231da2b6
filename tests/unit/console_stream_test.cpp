// The console stream's output backpressure (fs/console_stream.hpp): a
// program writing faster than the console's driver moves bytes gets a
// partial write, then waits (parked, "console write") instead of having its
// bytes dropped, and goes on in order as the driver makes room; a writer
// that asked not to wait gets WouldBlock.
#include <algorithm>
#include <string>

#include "fs/console_stream.hpp"
#include "support/process_fixture.hpp"

using namespace mote;
using namespace mote::test;

namespace {

// A console whose buffer holds `room` more bytes until drain() says the
// driver moved some out.
class SlowConsole final : public Console {
public:
    void write(StringView text) override {
        out.append(text.data(), text.length());
        room -= std::min<usize>(room, text.length());
    }
    bool interactive() const override { return true; }
    usize write_room() const override { return room; }
    void drain(usize bytes) {
        room += bytes;
        room_opened();
    }

    void input_room_opened() override { ++room_openings; }

    std::string out;
    usize room = 8;
    int room_openings = 0;
};

}  // namespace

// Input backpressure: the stream says how much input it takes, and tells
// the console once a reader has made room in a full buffer, so a source
// that can hold bytes back (the hosted kernel's stdin) loses none.
TEST_F(ProcessTest, ConsoleInputRoomIsReportedAndReopenedByAReader) {
    SlowConsole console;
    ConsoleStream stream(console, processes);
    EXPECT_EQ(stream.input_room(), ConsoleStream::kBufferBytes);
    const std::string full(ConsoleStream::kBufferBytes, 'a');
    stream.on_input(ReadonlyBytes(reinterpret_cast<const u8*>(full.data()), full.size()));
    EXPECT_EQ(stream.input_room(), 0u);
    EXPECT_EQ(stream.stats().dropped, 0u);
    EXPECT_EQ(console.room_openings, 0);
    Process* p = spawn_program("reader", {"reader"}).value();
    const mote::abi::Handle in = p->handles().install(stream, kStreamRights).value();
    as(p->thread(), [&](Thread& t) {
        const u64 buffer = user_map(*p, kPageSize);
        EXPECT_EQ(platform.call(t, mote::abi::Sys::Read, in, buffer, 100, mote::abi::kCurrentOffset).user_value(), 100);
        return RunExit::Loop;
    });
    EXPECT_EQ(stream.input_room(), 100u);
    EXPECT_EQ(console.room_openings, 1);
    // A byte past the room is dropped and counted (a UART cannot hold back).
    const std::string more(101, 'b');
    stream.on_input(ReadonlyBytes(reinterpret_cast<const u8*>(more.data()), more.size()));
    EXPECT_EQ(stream.stats().dropped, 1u);
    end_all();
}

TEST_F(ProcessTest, ConsoleWritersWaitForASlowConsoleInsteadOfLosingBytes) {
    SlowConsole console;
    ConsoleStream stream(console, processes);
    Process* p = spawn_program("writer", {"writer"}).value();
    const mote::abi::Handle out = p->handles().install(stream, kStreamRights).value();
    const std::string text = "0123456789abcdefghij";  // 20 bytes
    u64 buffer = 0;
    as(p->thread(), [&](Thread& t) {
        buffer = user_map(*p, kPageSize);
        poke_string(*p, buffer, text);
        // Room for 8: a partial write, as a pipe's.
        EXPECT_EQ(platform.call(t, mote::abi::Sys::Write, out, buffer, 20, mote::abi::kCurrentOffset).user_value(), 8);
        // No room: the writer parks.
        clear_result(t);
        (void)platform.call(t, mote::abi::Sys::Write, out, buffer + 8, 12, mote::abi::kCurrentOffset);
        EXPECT_EQ(t.state(), ThreadState::Parked);
        EXPECT_STREQ(t.wait_reason(), "console write");
        return RunExit::Parked;
    });
    EXPECT_EQ(console.out, text.substr(0, 8));
    EXPECT_FALSE(frame(*p).has_result);
    // The driver moves 5 bytes out: the writer goes on with what fits.
    console.drain(5);
    ASSERT_TRUE(frame(*p).has_result);
    EXPECT_EQ(frame(*p).result, 5);
    EXPECT_EQ(console.out, text.substr(0, 13));
    EXPECT_EQ(stream.stats().writes_parked, 1u);
    end_all();
}

// foreground() (abi::Sys::Foreground): the shell names its job to the
// terminal, and Ctrl-C typed there becomes Signal::Interrupt for it
// instead of a byte (the input typed before it goes too); once the job has
// ended, or the shell cleared it, Ctrl-C is a byte again. Only a terminal
// held with Write, only processes held with Signal.
TEST_F(ProcessTest, CtrlCOnTheConsoleInterruptsTheForegroundJob) {
    SlowConsole console;
    console.room = 1 << 20;
    ConsoleStream stream(console, processes);
    Process* shell = spawn_program("sh", {"sh"}).value();
    Process* job = spawn_program("cat", {"cat"}, {}, shell).value();
    Process* other = spawn_program("other", {"other"}).value();
    const mote::abi::Handle term = shell->handles().install(stream, kStreamRights).value();
    const mote::abi::Handle term_read_only = shell->handles().install(stream, mote::abi::kRightRead).value();
    const mote::abi::Handle child = shell->handles().install(*job, mote::abi::kRightsAll).value();
    const mote::abi::Handle child_wait_only = shell->handles().install(*job, mote::abi::kRightWait).value();
    const mote::abi::Handle not_terminal = shell->handles().install(*other, mote::abi::kRightsAll).value();
    auto foreground = [&](Thread& t, mote::abi::Handle terminal, u64 array, u64 count) {
        return platform.call(t, mote::abi::Sys::Foreground, terminal, array, count).user_value();
    };
    auto err = [](mote::abi::Err e) { return -i64(e); };
    as(shell->thread(), [&](Thread& t) {
        const u64 array = user_map(*shell, kPageSize);
        poke(*shell, array, child);
        poke(*shell, array + 4, child_wait_only);
        EXPECT_EQ(foreground(t, term, array, mote::abi::kMaxForeground + 1), err(mote::abi::Err::InvalidArgument));
        EXPECT_EQ(foreground(t, term_read_only, array, 1), err(mote::abi::Err::AccessDenied));
        EXPECT_EQ(foreground(t, term, array + 4, 1), err(mote::abi::Err::AccessDenied));
        EXPECT_EQ(foreground(t, not_terminal, array, 1), err(mote::abi::Err::Unsupported));
        EXPECT_EQ(foreground(t, term, 0x10, 1), err(mote::abi::Err::BadAddress));
        // None of those named anything: Ctrl-C is still a byte.
        stream.on_input(ReadonlyBytes(reinterpret_cast<const u8*>("\x03"), 1));
        mote::abi::Stat st {};
        EXPECT_TRUE(stream.stat(st).ok());
        EXPECT_EQ(st.size, 1u);
        // Cleared (count 0): still a byte.
        EXPECT_EQ(foreground(t, term, array, 0), 0);
        stream.on_input(ReadonlyBytes(reinterpret_cast<const u8*>("\x03"), 1));
        EXPECT_TRUE(stream.stat(st).ok());
        EXPECT_EQ(st.size, 2u);
        EXPECT_EQ(foreground(t, term, array, 1), 0);
        return RunExit::Loop;
    });
    EXPECT_EQ(job->state(), ProcessState::Running);
    // The job is named: Ctrl-C ends it, and what it had not read goes.
    stream.on_input(ReadonlyBytes(reinterpret_cast<const u8*>("ab\x03"), 3));
    EXPECT_EQ(job->state(), ProcessState::Exited);
    EXPECT_EQ(job->exit_info().reason, u32(mote::abi::ExitReason::Killed));
    EXPECT_EQ(job->exit_info().status, i32(mote::abi::Signal::Interrupt));
    EXPECT_EQ(other->state(), ProcessState::Running);
    EXPECT_EQ(shell->state(), ProcessState::Running);
    EXPECT_EQ(stream.stats().interrupts, 1u);
    EXPECT_EQ(stream.stats().flushed, 4u);  // the two Ctrl-C bytes and "ab"
    mote::abi::Stat st {};
    EXPECT_TRUE(stream.stat(st).ok());
    EXPECT_EQ(st.size, 0u);
    // The job has ended: the next Ctrl-C is a byte for whoever reads.
    stream.on_input(ReadonlyBytes(reinterpret_cast<const u8*>("\x03"), 1));
    EXPECT_TRUE(stream.stat(st).ok());
    EXPECT_EQ(st.size, 1u);
    EXPECT_EQ(stream.stats().interrupts, 1u);
    end_all();
}

// The boot timeline's last step: the stream tells its listener once, the
// first time a program asks for typed input, by a poll for readable or a
// read, even when bytes were typed ahead; output and a poll for writable
// are not asking.
TEST_F(ProcessTest, ConsoleTellsOnceWhenAProgramFirstAsksForInput) {
    SlowConsole console;
    ConsoleStream stream(console, processes);
    int told = 0;
    stream.on_first_input_wanted([](void* count) { ++*static_cast<int*>(count); }, &told);
    EXPECT_EQ(stream.poll_ready(mote::abi::kPollWritable), mote::abi::kPollWritable);
    EXPECT_EQ(told, 0);
    stream.on_input(ReadonlyBytes(reinterpret_cast<const u8*>("ls\r"), 3));  // typed ahead
    Process* p = spawn_program("sh", {"sh"}).value();
    const mote::abi::Handle in = p->handles().install(stream, kStreamRights).value();
    as(p->thread(), [&](Thread& t) {
        const u64 buffer = user_map(*p, kPageSize);
        EXPECT_EQ(platform.call(t, mote::abi::Sys::Write, in, buffer, 1, mote::abi::kCurrentOffset).user_value(), 1);
        EXPECT_EQ(told, 0);
        EXPECT_EQ(platform.call(t, mote::abi::Sys::Read, in, buffer, 2, mote::abi::kCurrentOffset).user_value(), 2);
        EXPECT_EQ(told, 1);
        EXPECT_EQ(platform.call(t, mote::abi::Sys::Read, in, buffer, 1, mote::abi::kCurrentOffset).user_value(), 1);
        return RunExit::Loop;
    });
    (void)stream.poll_ready(mote::abi::kPollReadable);
    EXPECT_EQ(told, 1);

    // A poll for readable asks too (the shell polls before it reads).
    ConsoleStream polled(console, processes);
    int polled_told = 0;
    polled.on_first_input_wanted([](void* count) { ++*static_cast<int*>(count); }, &polled_told);
    EXPECT_EQ(polled.poll_ready(mote::abi::kPollReadable | mote::abi::kPollWritable), mote::abi::kPollWritable);
    EXPECT_EQ(polled_told, 1);
    end_all();
}
