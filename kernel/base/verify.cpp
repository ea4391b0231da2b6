#include "base/verify.hpp"

#include "base/format.hpp"

namespace mote {

namespace {

struct Crumb {
    const char* tag;
    u64 value;
};

// A small ring of the most recent breadcrumbs. Not atomic: an interrupt that
// drops a crumb mid-update can at worst garble one entry of a diagnostic.
constexpr usize kCrumbs = 16;
Crumb g_crumbs[kCrumbs];
usize g_crumb_next = 0;
usize g_crumb_count = 0;

bool g_failing = false;

}  // namespace

void breadcrumb(const char* tag, u64 value) {
    g_crumbs[g_crumb_next] = {tag, value};
    g_crumb_next = (g_crumb_next + 1) % kCrumbs;
    if (g_crumb_count < kCrumbs) ++g_crumb_count;
}

void breadcrumbs_dump(void (*emit)(const char* line, void* context), void* context) {
    usize start = (g_crumb_next + kCrumbs - g_crumb_count) % kCrumbs;
    for (usize i = 0; i < g_crumb_count; ++i) {
        const Crumb& c = g_crumbs[(start + i) % kCrumbs];
        FixedString<96> line;
        line.appendf("  crumb {}: {} = {:#x}", i, c.tag, c.value);
        emit(line.c_str(), context);
    }
}

void verify_failed(const char* file, int line, const char* expr, const char* message) {
    // A VERIFY failing while reporting another must not recurse forever.
    if (g_failing) platform_panic("VERIFY failed while reporting a VERIFY failure");
    g_failing = true;

    static char report[1024];
    FormatBuffer out(Span<char>(report, sizeof(report)));
    format_append(out, "VERIFY failed at {}:{}: {}", file, line, expr);
    if (message) format_append(out, " ({})", message);
    out.append('\n');
    if (g_crumb_count) {
        out.append("breadcrumbs, oldest first:\n");
        breadcrumbs_dump(
            [](const char* text, void* ctx) {
                auto* buf = static_cast<FormatBuffer*>(ctx);
                buf->append(text);
                buf->append('\n');
            },
            &out);
    }
    platform_panic(report);
}

}  // namespace mote
