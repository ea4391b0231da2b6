// services: lists the services init supervises (etc/services): each one's
// state (running, backoff, stopped), pid, how many times it was restarted,
// how long it has been up or when it starts again, and why it last ended.
//
//   SERVICE          STATE    PID    RESTARTS  UP/NEXT     LAST END
//   httpd            running  7      0         up 42 s     -
//   crashy           backoff  -      3         in 1500 ms  [fault cause=0xd pc=0x401dc4 address=0x0]
//
// init rewrites tmp/services at every change (supervisor.cpp's
// write_status: NAME STATE PID RESTARTS CLOCK LAST-END, with clock times);
// this reads it and measures the times against the clock now.
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

namespace {

constexpr u64 kMillisecond = 1'000'000;
constexpr u64 kSecond = 1'000'000'000;

char g_text[4096];

void column(FormatBuffer& out, StringView text, usize width) {
    out.append(text);
    out.append_repeated(' ', text.length() < width ? width - text.length() : 1);
}

// "up 42 s" / "in 250 ms": whole seconds from ten seconds on, else ms.
void append_span(FormatBuffer& out, const char* prefix, u64 ns) {
    out.append(prefix);
    if (ns >= 10 * kSecond) format_append(out, " {} s", ns / kSecond);
    else format_append(out, " {} ms", ns / kMillisecond);
}

}  // namespace

int main(int, char**) {
    auto file = sys::open(root_dir(), "tmp/services", abi::kOpenRead);
    if (file.is_error()) {
        print_err("services: tmp/services: {} (init writes it when it starts services)\n", file.error());
        return 1;
    }
    usize length = 0;
    while (length < sizeof(g_text)) {
        auto n = sys::read(file.value(), g_text + length, sizeof(g_text) - length);
        if (n.is_error() || n.value() == 0) break;
        length += n.value();
    }
    (void)sys::close(file.value());
    const u64 now = sys::clock();
    print_out("SERVICE          STATE    PID    RESTARTS  UP/NEXT     LAST END\n");
    StringView text(g_text, length);
    usize at = 0;
    while (at < text.length()) {
        StringView line = next_line(text, at);
        usize cursor = 0;
        StringView name = next_word(line, cursor), state = next_word(line, cursor);
        StringView pid = next_word(line, cursor), restarts = next_word(line, cursor);
        auto clock = parse_u64(next_word(line, cursor));
        while (cursor < line.length() && line[cursor] == ' ') ++cursor;  // LAST-END may have spaces
        StringView last = line.substr(cursor);
        if (name.empty() || clock.is_error()) continue;
        char row[256];
        FormatBuffer out(Span<char>(row, sizeof(row)));
        column(out, name, 17);
        column(out, state, 9);
        column(out, pid == "0" ? StringView("-") : pid, 7);
        column(out, restarts, 10);
        char when[32];
        FormatBuffer w(Span<char>(when, sizeof(when)));
        if (state == "running") append_span(w, "up", now > clock.value() ? now - clock.value() : 0);
        else if (state == "backoff") append_span(w, "in", clock.value() > now ? clock.value() - now : 0);
        else w.append("-");
        column(out, w.view(), 12);
        format_append(out, "{}\n", last);
        print_out("{}", out.view());
    }
    return 0;
}
