// date: prints the wall clock, "2026-12-05 10:11:12 UTC" (always UTC: Mote
// has no time zones). The kernel's sys/clock is the source (its `seconds`
// line); the calendar arithmetic is kernel/base/civil_time's. If no
// real-time clock set the kernel's clock (sys/clock says `known no`) the
// time is 1970-01-01 plus the uptime, and a note on stderr says so.
#include "base/civil_time.hpp"
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

namespace {

// The value of the `key value` line of `text`, or an empty view.
StringView field(StringView text, StringView key) {
    usize at = 0;
    while (at < text.length()) {
        usize end = at;
        while (end < text.length() && text[end] != '\n') ++end;
        StringView line = text.substr(at, end - at);
        if (line.length() > key.length() && line.substr(0, key.length()) == key && line[key.length()] == ' ')
            return line.substr(key.length() + 1);
        at = end + 1;
    }
    return {};
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 1 && !(argc == 2 && StringView(argv[1]) == "-u")) {
        print_err("usage: date [-u]\n");
        return 2;
    }
    auto file = sys::open(root_dir(), "sys/clock", abi::kOpenRead);
    if (file.is_error()) {
        print_err("date: sys/clock: {}\n", file.error());
        return 1;
    }
    char text[512];
    auto n = sys::read(file.value(), text, sizeof(text), 0);
    (void)sys::close(file.value());
    if (n.is_error()) {
        print_err("date: sys/clock: {}\n", n.error());
        return 1;
    }
    StringView clock(text, n.value());
    auto seconds = parse_u64(field(clock, "seconds"));
    auto civil = seconds.is_error() ? Result<CivilTime>(Error::Malformed) : civil_from_unix(i64(seconds.value()));
    if (civil.is_error()) {
        print_err("date: sys/clock has no usable `seconds` line\n");
        return 1;
    }
    char line[64];
    FormatBuffer out(Span<char>(line, sizeof(line)));
    format_civil(out, civil.value());
    out.append('\n');
    (void)write_all(std_out(), out.view());
    if (field(clock, "known") != "yes") print_err("date: no real-time clock: this is the time since boot\n");
    return 0;
}
