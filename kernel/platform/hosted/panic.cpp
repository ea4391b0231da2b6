// The hosted kernel's panic: the report goes to stderr, followed by the
// MOTE-PANIC line test harnesses look for, then abort() so a core dump or a
// GoogleTest death test can observe it.
#include <stdlib.h>
#include <unistd.h>

#include "base/span.hpp"
#include "base/verify.hpp"
#include "platform/hosted/terminal.hpp"

namespace mote {

void platform_panic(const char* report) {
    terminal_restore();
    auto put = [](const char* s) {
        usize n = StringView::cstring_length(s);
        while (n) {
            ssize_t w = ::write(2, s, n);
            if (w <= 0) return;
            s += w;
            n -= usize(w);
        }
    };
    put("\n");
    put(report);
    put("\nMOTE-PANIC: ");
    // The first line of the report is the cause.
    const char* end = report;
    while (*end && *end != '\n') ++end;
    (void)::write(2, report, usize(end - report));
    put("\n");
    abort();
}

}  // namespace mote
