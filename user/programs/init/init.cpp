// init: the first program. It opens nothing itself: the kernel gives it the
// console as stdin/stdout/stderr, the root directory (as working dir and
// root, with every right) and the privileged capabilities (power, log,
// audit, dev, net). It hands on only part of that: everything it starts
// gets the root without the privileged right (so sys/power, sys/log,
// sys/audit and dev/vda are closed to it and to everything it runs) and
// the capabilities etc/caps lists for its program.
//
// `init [SERVICES]` first starts the services SERVICES lists (default
// etc/services; supervisor.hpp) and keeps them running, then runs bin/sh
// on the console, reaps it when it ends, reports how, and starts a new one.
// The first shell is `sh -rc`: it runs etc/rc before its prompt; later ones
// do not. A shell that ends within a second of starting is restarted after
// a pause, so a broken sh cannot turn init into a spawn loop. When the
// console itself has ended (the hosted kernel's stdin was a pipe that
// closed) there is nobody to start a shell for: init exits, and the kernel
// powers off.
#include "runtime.hpp"
#include "supervisor.hpp"

using namespace mote;
using namespace mote::user;

namespace {

constexpr u64 kSecond = 1'000'000'000;
CapsPolicy g_policy;

}  // namespace

int main(int argc, char** argv) {
    Handle root = root_dir() != kNoHandle ? root_dir() : working_dir();
    if (root == kNoHandle) {
        print_err("init: no root directory handle\n");
        return 1;
    }
    // The root everyone below init sees: every right but the privileged one.
    Handle shared_root = root;
    if (auto reduced = sys::dup(root, abi::kRightsAll & ~abi::kRightPrivileged); reduced.ok()) shared_root = reduced.value();
    else print_err("init: cannot make the shared root: {}\n", reduced.error());
    if (auto policy = load_caps_policy(root); policy.ok()) g_policy = policy.value();
    else print_err("init: etc/caps: {}; nobody gets capabilities\n", policy.error());

    // Services first, so they are up (and their start lines are on the
    // console) before the shell's prompt.
    static Supervisor services(root, shared_root, g_policy);
    const bool named = argc > 1;
    services.load(named ? StringView(argv[1]) : StringView("etc/services"), !named);
    services.start_all();

    Handle handles[abi::kStartHandleCount] = {std_in(), std_out(), std_err(), shared_root, shared_root};
    pass_caps(g_policy.caps_for("sh"), handles);
    const StringView first_argv[] = {"sh", "-rc"};
    const StringView argv_sh[] = {"sh"};
    bool first = true;
    Handle shell = kNoHandle;
    u64 shell_started = 0;
    u64 shell_due = 0;  // when to start the next shell (shell == kNoHandle)
    for (;;) {
        if (shell == kNoHandle && sys::clock() >= shell_due) {
            shell_started = sys::clock();
            auto child = first ? spawn(root, "bin/sh", first_argv, handles) : spawn(root, "bin/sh", argv_sh, handles);
            first = false;
            if (child.is_error()) {
                print_err("init: cannot start bin/sh: {}\n", child.error());
                shell_due = sys::clock() + kSecond;
            } else {
                shell = child.value();
            }
        }
        abi::PollItem items[1 + ServiceList::kMaxServices] {};
        usize count = 0;
        if (shell != kNoHandle) items[count++] = {shell, abi::kPollExited, 0, 0};
        count += services.watch(items + count, ServiceList::kMaxServices);
        u64 deadline = services.next_deadline();
        if (shell == kNoHandle && shell_due < deadline) deadline = shell_due;
        const u64 now = sys::clock();
        const u64 timeout = deadline == kForever ? kForever : (deadline > now ? deadline - now : 0);
        auto polled = sys::poll(items, count, timeout);
        if (polled.is_error()) {
            print_err("init: poll: {}\n", polled.error());
            (void)sys::sleep(kSecond);
            continue;
        }
        for (usize i = 0; i < count; ++i) {
            if (!(items[i].ready & abi::kPollExited)) continue;
            if (items[i].handle != shell) {
                services.on_exit(items[i].handle);
                continue;
            }
            abi::ExitInfo info {};
            auto waited = sys::wait(shell, info, 0);
            (void)sys::close(shell);
            shell = kNoHandle;
            abi::PollItem console {std_in(), abi::kPollReadable, 0, 0};
            auto ready = sys::poll(&console, 1, 0);
            if (ready.ok() && (console.ready & abi::kPollHangup)) {
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
            shell_due = sys::clock() - shell_started < kSecond ? sys::clock() + kSecond : 0;
        }
        services.run_due();
    }
}
