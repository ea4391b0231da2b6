// init: the first program. It opens nothing itself: the kernel gives it the
// console as stdin/stdout/stderr, the root directory (as working dir and
// root, with every right) and the privileged capabilities (power, log,
// audit, dev). It hands on only part of that: sh gets the root without the
// privileged right (so sys/power, sys/log, sys/audit and dev/vda are
// closed to it and to everything it runs) and the capabilities etc/caps
// lists for sh. It runs bin/sh on the console, reaps it when it ends,
// reports how, and starts a new one. The first shell is `sh -rc`: it runs
// etc/rc (the services started at boot) before its prompt; later ones do
// not, so a restart does not start the services twice. A shell that
// ends within a second of starting is restarted after a pause, so a broken
// sh cannot turn init into a spawn loop. When the console itself has ended
// (the hosted kernel's stdin was a pipe that closed) there is nobody to
// start a shell for: init exits, and the kernel powers off.
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

namespace {
constexpr u64 kSecond = 1'000'000'000;
}  // namespace

int main(int, char**) {
    Handle root = root_dir() != kNoHandle ? root_dir() : working_dir();
    if (root == kNoHandle) {
        print_err("init: no root directory handle\n");
        return 1;
    }
    // The root everyone below init sees: every right but the privileged one.
    Handle shared_root = root;
    if (auto reduced = sys::dup(root, abi::kRightsAll & ~abi::kRightPrivileged); reduced.ok()) shared_root = reduced.value();
    else print_err("init: cannot make the shared root: {}\n", reduced.error());
    u32 caps = 0;
    if (auto policy = load_caps_policy(root); policy.ok()) caps = policy.value().caps_for("sh");
    else print_err("init: etc/caps: {}; sh gets no capabilities\n", policy.error());
    Handle handles[abi::kStartHandleCount] = {std_in(), std_out(), std_err(), shared_root, shared_root};
    pass_caps(caps, handles);
    const StringView first_argv[] = {"sh", "-rc"};
    const StringView argv[] = {"sh"};
    bool first = true;
    for (;;) {
        u64 started = sys::clock();
        auto child = first ? spawn(root, "bin/sh", first_argv, handles) : spawn(root, "bin/sh", argv, handles);
        first = false;
        if (child.is_error()) {
            print_err("init: cannot start bin/sh: {}\n", child.error());
            (void)sys::sleep(kSecond);
            continue;
        }
        abi::ExitInfo info {};
        auto waited = sys::wait(child.value(), info, kForever);
        (void)sys::close(child.value());
        abi::PollItem console {std_in(), abi::kPollReadable, 0, 0};
        auto polled = sys::poll(&console, 1, 0);
        if (polled.ok() && (console.ready & abi::kPollHangup)) {
            print_err("init: the console has ended; exiting\n");
            return 0;
        }
        if (waited.is_error()) {
            print_err("init: wait: {}\n", waited.error());
        } else {
            char text[128];
            FormatBuffer out(Span<char>(text, sizeof(text)));
            if (describe_exit(info, out)) out.append("[exit 0]");
            print_err("init: sh ended {}; starting a new one\n", out.view());
        }
        if (sys::clock() - started < kSecond) (void)sys::sleep(kSecond);
    }
}
