#include "platform/hosted/terminal.hpp"

#include <signal.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

namespace mote {

namespace {
termios g_saved;
bool g_raw = false;

void restore_on_signal(int sig) {
    terminal_restore();
    signal(sig, SIG_DFL);
    raise(sig);
}
}  // namespace

bool terminal_enter_raw() {
    if (!isatty(0) || tcgetattr(0, &g_saved) != 0) return false;
    termios raw = g_saved;
    cfmakeraw(&raw);
    // Keep output post-processing off too: the console driver writes CR LF
    // itself, exactly as a serial console must.
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    if (tcsetattr(0, TCSANOW, &raw) != 0) return false;
    g_raw = true;
    atexit(terminal_restore);
    const int signals[] = {SIGTERM, SIGHUP, SIGQUIT};
    for (int sig : signals) signal(sig, restore_on_signal);
    return true;
}

void terminal_restore() {
    if (g_raw) {
        tcsetattr(0, TCSANOW, &g_saved);
        g_raw = false;
    }
}

}  // namespace mote
