// Feeds arbitrary bytes to the real shell (line editor, word splitter,
// number parsing, every command) as if typed on the console of a machine
// with no devices. Any crash, sanitizer report or VERIFY failure is a bug:
// bad input must only ever produce error lines.
#include <stddef.h>
#include <stdint.h>

#include "boot/kernel.hpp"

using namespace mote;

namespace {

class NullConsole final : public Console {
public:
    void write(StringView text) override { bytes += text.length(); }
    bool interactive() const override { return true; }  // exercise echo and redraw too
    usize bytes = 0;
};

class FuzzMachine final : public Machine {
public:
    Nanoseconds now() override { return time += 1000; }
    void wait(Loop&, Nanoseconds) override {}
    StringView name() const override { return "fuzz"; }
    StringView command_line() const override { return ""; }
    Console& console() override { return m_console; }
    void attach_devices(Kernel&) override {}
    // `panic` is a legitimate command; surviving it is this machine's job.
    void crash_on_request(const char*) override { ++crash_requests; }
    u64 crash_requests = 0;

private:
    Nanoseconds time = 0;
    NullConsole m_console;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // A fresh kernel per input: `poweroff` leaves the shell held for good,
    // which would make every later input a no-op.
    static FuzzMachine machine;
    Kernel kernel(machine);
    machine.console().set_input(&kernel.shell());
    kernel.shell().start();
    kernel.shell().on_input(ReadonlyBytes(data, size));
    // Deliver whatever the commands queued; `poweroff` only stops the loop.
    for (int i = 0; i < 16 && kernel.loop().has_ready_work(); ++i) kernel.loop().turn(false);
    machine.console().set_input(nullptr);
    return 0;
}
