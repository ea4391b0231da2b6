// sigwait [-i] SECONDS: waits up to SECONDS for the signals sent to it and
// says what came: each notification (kill -notify) as "sigwait:
// notified", and with -i an interrupt (Ctrl-C, kill -int), after which it
// stops cleanly, "sigwait: interrupted; stopping" and status 0. Without
// -i it never asks for interrupts, so Ctrl-C ends it as any program. At
// the end: "sigwait: N notifications". A small example of a program that
// takes its signals with poll() on kNoHandle (kernel/proc/signal_box.hpp).
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

int main(int argc, char** argv) {
    int at = 1;
    bool interrupts = false;
    if (argc > 1 && StringView(argv[1]) == "-i") {
        interrupts = true;
        ++at;
    }
    if (argc != at + 1) {
        print_err("usage: sigwait [-i] SECONDS\n");
        return 2;
    }
    auto seconds = parse_seconds(argv[at]);
    if (seconds.is_error()) {
        print_err("sigwait: {}: {}\n", argv[at], seconds.error());
        return 2;
    }
    const u64 deadline = sys::clock() + seconds.value();
    u64 notifications = 0;
    // The first poll does not wait: asking once is what makes an interrupt
    // wait for us, so "waiting" is printed only after it.
    bool first = true;
    for (u64 now = sys::clock(); now < deadline; now = sys::clock()) {
        abi::PollItem self {};
        self.handle = abi::kNoHandle;
        self.events = abi::kPollNotify | (interrupts ? u32(abi::kPollInterrupt) : 0u);
        auto ready = sys::poll(&self, 1, first ? 0 : deadline - now);
        if (first) print_out("sigwait: waiting{}\n", interrupts ? " (Ctrl-C stops me cleanly)" : "");
        first = false;
        if (ready.is_error()) {
            print_err("sigwait: poll: {}\n", ready.error());
            return 1;
        }
        if (self.ready & abi::kPollNotify) {
            ++notifications;
            print_out("sigwait: notified\n");
        }
        if (self.ready & abi::kPollInterrupt) {
            print_out("sigwait: interrupted; stopping\n");
            break;
        }
    }
    print_out("sigwait: {} notifications\n", notifications);
    return 0;
}
