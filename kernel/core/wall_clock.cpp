#include "core/wall_clock.hpp"

#include "base/civil_time.hpp"
#include "core/log.hpp"

namespace mote {

namespace {

struct WallClockState {
    MonotonicClock clock = nullptr;
    i64 epoch_ns = 0;          // the wall clock at monotonic time `read_at`
    Nanoseconds read_at = 0;
    bool known = false;
    StringView source = "none";
    char why[64] = {};
    usize why_length = 0;
};
WallClockState g_wall;

constexpr i64 kI64Max = i64(~u64(0) >> 1);

}  // namespace

i64 wall_clock_at(Nanoseconds at) {
    // The monotonic clock never runs backwards, but a report may hold a
    // time taken before the reading: count back from the epoch then.
    if (at >= g_wall.read_at) {
        u64 since = at - g_wall.read_at;
        if (since > u64(kI64Max - g_wall.epoch_ns)) return kI64Max;
        return g_wall.epoch_ns + i64(since);
    }
    u64 before = g_wall.read_at - at;
    return before > u64(g_wall.epoch_ns) ? 0 : g_wall.epoch_ns - i64(before);
}

i64 wall_clock_ns() { return g_wall.clock ? wall_clock_at(g_wall.clock()) : g_wall.epoch_ns; }

u32 wall_clock_seconds() {
    i64 seconds = wall_clock_ns() / i64(kSecond);
    return seconds > i64(~u32(0)) ? ~u32(0) : u32(seconds);
}

bool wall_clock_known() { return g_wall.known; }

StringView wall_clock_source() { return g_wall.source; }

void wall_clock_set(MonotonicClock clock, i64 unix_ns, Nanoseconds read_at, StringView source) {
    g_wall = {};
    g_wall.clock = clock;
    g_wall.epoch_ns = unix_ns < 0 ? 0 : unix_ns;
    g_wall.read_at = read_at;
    g_wall.known = true;
    g_wall.source = source;
}

void wall_clock_set_unknown(MonotonicClock clock, StringView why) {
    g_wall = {};
    g_wall.clock = clock;
    g_wall.why_length = why.length() < sizeof(g_wall.why) ? why.length() : sizeof(g_wall.why) - 1;
    for (usize i = 0; i < g_wall.why_length; ++i) g_wall.why[i] = why[i];
}

void wall_clock_log() {
    if (!g_wall.known) {
        log_warn("clock", "no real-time clock ({}): the wall clock counts from 1970-01-01 at boot",
                 StringView(g_wall.why, g_wall.why_length));
        return;
    }
    char storage[32];
    FormatBuffer text(Span<char>(storage, sizeof(storage)));
    auto civil = civil_from_unix(g_wall.epoch_ns / i64(kSecond));
    if (civil.ok()) format_iso8601(text, civil.value());
    log_info("clock", "wall clock {} from {}, read {} ms after kernel entry", text.view(), g_wall.source,
             g_wall.read_at / kMillisecond);
}

void wall_clock_reset() { g_wall = {}; }

}  // namespace mote
