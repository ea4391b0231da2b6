// crash panic|hang|hang-irqoff|secret HEX: stops the kernel on purpose, for
// the tests of what a crash leaves behind (the report, the epitaph, the
// watchdogs). It writes its argument to the power capability (sys/power,
// kernel/boot/crash_requests.hpp), so only a program handed that
// capability can: etc/caps lists no line for it, so from the shell it takes
// `+power crash panic`.
//   panic        a kernel panic inside the write (this process is current)
//   hang         a kernel handler that never returns: the kernel watchdog
//                reports it and resets the machine
//   hang-irqoff  the same with interrupts off: only a watchdog device (the
//                i6300esb on x86_64 q35) resets that
//   secret HEX   the 32 bytes HEX (64 hex digits) become the CSPRNG's key
//                and the kernel panics holding them; this program keeps
//                them in a buffer of its own too. Neither the report nor
//                the epitaph may show them.
// Returns only if the kernel refused (exit 1) or for a bad argument (2).
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

namespace {

// The secret as bytes, in this process's memory (a user buffer the kernel
// must never print), kept alive until the kernel stops.
u8 g_secret[32];

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

}  // namespace

int main(int argc, char** argv) {
    char text[80];
    usize length = 0;
    auto usage = [] {
        print_err("usage: crash panic|hang|hang-irqoff|secret HEX (64 lowercase hex digits)\n");
        return 2;
    };
    if (argc == 2 && (StringView(argv[1]) == "panic" || StringView(argv[1]) == "hang" ||
                      StringView(argv[1]) == "hang-irqoff")) {
        StringView kind(argv[1]);
        for (char c : kind) text[length++] = c;
    } else if (argc == 3 && StringView(argv[1]) == "secret") {
        StringView hex(argv[2]);
        if (hex.length() != 2 * sizeof(g_secret)) return usage();
        for (usize i = 0; i < sizeof(g_secret); ++i) {
            int high = hex_digit(hex[2 * i]);
            int low = hex_digit(hex[2 * i + 1]);
            if (high < 0 || low < 0) return usage();
            g_secret[i] = u8(high << 4 | low);
        }
        for (char c : StringView("secret ")) text[length++] = c;
        for (char c : hex) text[length++] = c;
    } else {
        return usage();
    }
    if (power_cap() == kNoHandle) {
        print_err("crash: not given the power capability (+power crash ...)\n");
        return 1;
    }
    asm volatile("" : : "r"(g_secret) : "memory");
    auto written = sys::write(power_cap(), text, length, 0);
    if (written.is_error()) {
        print_err("crash: {}\n", written.error());
        return 1;
    }
    // "hang" wedges the kernel on its next turn; this process waits for it.
    for (;;) (void)sys::sleep(1000000000);
}
