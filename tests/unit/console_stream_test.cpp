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

    std::string out;
    usize room = 8;
};

}  // namespace

TEST_F(ProcessTest, ConsoleWritersWaitForASlowConsoleInsteadOfLosingBytes) {
    SlowConsole console;
    ConsoleStream stream(console);
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
