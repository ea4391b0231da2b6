#include "wall_clock.hpp"

#include "base/parse_number.hpp"
#include "base/span.hpp"
#include "sys.hpp"

namespace mote::httpd {

using namespace mote::user;

namespace {

// The value of the "key value" line of `text`, or an empty view.
StringView line_value(StringView text, StringView key) {
    usize at = 0;
    while (at < text.length()) {
        usize end = at;
        while (end < text.length() && text[end] != '\n') ++end;
        StringView line = text.substr(at, end - at);
        if (line.length() > key.length() && line.starts_with(key) && line[key.length()] == ' ')
            return line.substr(key.length() + 1);
        at = end + 1;
    }
    return {};
}

}  // namespace

WallClock WallClock::read(abi::Handle root) {
    WallClock clock;
    auto file = sys::open(root, "sys/clock", abi::kOpenRead);
    if (file.is_error()) return clock;
    char text[512];
    auto got = sys::read(file.value(), text, sizeof(text), 0);
    (void)sys::close(file.value());
    if (got.is_error()) return clock;
    StringView clock_text(text, got.value());
    auto ns = parse_u64(line_value(clock_text, "ns"));
    auto uptime = parse_u64(line_value(clock_text, "uptime_ns"));
    if (ns.is_error() || uptime.is_error()) return clock;
    clock.m_wall_ns = i64(ns.value());
    clock.m_at_monotonic_ns = uptime.value();
    clock.m_known = line_value(clock_text, "known") == "yes";
    return clock;
}

i64 WallClock::unix_seconds(u64 monotonic_ns) const {
    // Both clocks run at the same rate; the monotonic one may only be
    // behind the reading if it came from another boot, which it cannot.
    const i64 since = monotonic_ns >= m_at_monotonic_ns ? i64(monotonic_ns - m_at_monotonic_ns)
                                                        : -i64(m_at_monotonic_ns - monotonic_ns);
    return (m_wall_ns + since) / 1'000'000'000;
}

}  // namespace mote::httpd
