// watch FILE [SECONDS]: prints FILE, then again each time its text changes,
// for SECONDS (default: until Ctrl-C). Made for /sys, whose files poll()
// reports kPollChanged when they changed since this handle last read them
// (kernel/fs/sys_node.hpp); a plain file changes only when written, and is
// shown once. Each version starts with "--- FILE at SECONDS" (since watch
// began); at most ten a second. Ctrl-C stops it cleanly.
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

namespace {

// The whole file from offset 0, onto stdout.
SysOr<void> show(Handle file) {
    char buffer[1024];
    for (u64 offset = 0;;) {
        usize n = TRY(sys::read(file, buffer, sizeof(buffer), offset));
        if (n == 0) return {};
        TRY(write_all(std_out(), StringView(buffer, n)));
        offset += n;
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2 && argc != 3) {
        print_err("usage: watch FILE [SECONDS]\n");
        return 2;
    }
    u64 duration = kForever;
    if (argc == 3) {
        auto seconds = parse_seconds(argv[2]);
        if (seconds.is_error()) {
            print_err("watch: {}: {}\n", argv[2], seconds.error());
            return 2;
        }
        duration = seconds.value();
    }
    auto file = open_path(argv[1], abi::kOpenRead);
    if (file.is_error()) {
        print_err("watch: {}: {}\n", argv[1], file.error());
        return 1;
    }
    const u64 start = sys::clock();
    const u64 deadline = duration == kForever ? kForever : start + duration;
    constexpr u64 kMinGap = 100'000'000;  // ten versions a second at most
    for (;;) {
        const u64 shown_at = sys::clock();
        const u64 ms = (shown_at - start) / 1'000'000;
        print_out("--- {} at {}.{:03}s\n", argv[1], ms / 1000, ms % 1000);
        if (auto shown = show(file.value()); shown.is_error()) {
            print_err("watch: {}: {}\n", argv[1], shown.error());
            return 1;
        }
        abi::PollItem items[2] {};
        items[0].handle = file.value();
        items[0].events = abi::kPollChanged;
        items[1].handle = abi::kNoHandle;
        items[1].events = abi::kPollInterrupt;
        const u64 now = sys::clock();
        if (now >= deadline) break;
        auto ready = sys::poll(items, 2, deadline == kForever ? kForever : deadline - now);
        if (ready.is_error()) {
            print_err("watch: poll: {}\n", ready.error());
            return 1;
        }
        if (items[1].ready & abi::kPollInterrupt) break;
        if (!(items[0].ready & abi::kPollChanged)) break;  // the time is up
        // A file that changes all the time (uptime) is not shown more often.
        const u64 since = sys::clock() - shown_at;
        if (since < kMinGap) (void)sys::sleep(min(kMinGap - since, deadline - sys::clock()));
    }
    (void)sys::close(file.value());
    return 0;
}
