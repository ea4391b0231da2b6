// Feeds arbitrary bytes to init's etc/services decoder
// (user/programs/init/service_list.*). Any crash or sanitizer report is a
// bug; beyond that its promises are checked: every line is either kept or
// recorded as a problem with a named fault and a line that exists; kept
// services have valid, distinct names, a command, values inside their
// bounds and words inside the command buffer; and decoding the same text
// twice gives the same result.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/verify.hpp"
#include "init/service_list.hpp"

using namespace mote;
using namespace mote::user;

namespace {
ServiceList g_first, g_second;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    StringView text(reinterpret_cast<const char*>(data), size);
    ServiceList::parse(text, g_first);
    usize lines = 1;
    for (char c : text) lines += c == '\n';
    VERIFY(g_first.count() <= ServiceList::kMaxServices);
    VERIFY(g_first.count() + g_first.problem_count() <= lines);
    usize previous = 0;
    for (const ServiceProblem& p : g_first.problems()) {
        VERIFY(p.fault != ServiceFault::None && p.fault <= ServiceFault::TooManyArguments);
        VERIFY(p.line >= 1 && p.line <= lines && p.line > previous);
        VERIFY(strlen(p.word) <= ServiceProblem::kWordMax);
        previous = p.line;
    }
    for (usize i = 0; i < g_first.count(); ++i) {
        const ServiceSpec& s = g_first[i];
        usize n = strlen(s.name);
        VERIFY(n >= 1 && n <= ServiceSpec::kNameMax && s.name[0] != '-');
        VERIFY(g_first.find(s.name_view()) == &s);
        VERIFY(s.word_count >= 1 && s.word_count <= ServiceSpec::kMaxWords);
        for (usize w = 0; w < s.word_count; ++w) {
            VERIFY(s.word_offset[w] < ServiceSpec::kCommandMax);
            VERIFY(!s.word(w).empty());
            VERIFY(s.word_offset[w] + s.word(w).length() < ServiceSpec::kCommandMax);
        }
        VERIFY(s.check == CheckKind::None ? s.check_port == 0 : s.check_port != 0);
        VERIFY(s.every_ns >= ServiceSpec::kEveryMin && s.every_ns <= ServiceSpec::kEveryMax);
        VERIFY(s.timeout_ns >= ServiceSpec::kTimeoutMin && s.timeout_ns <= ServiceSpec::kTimeoutMax);
        VERIFY(s.backoff_min_ns >= ServiceSpec::kBackoffMin && s.backoff_min_ns <= s.backoff_max_ns &&
               s.backoff_max_ns <= ServiceSpec::kBackoffMax);
        VERIFY(s.stable_ns <= ServiceSpec::kStableMax);
        VERIFY(s.failures >= 1 && s.failures <= ServiceSpec::kFailuresMax);
        VERIFY(strlen(s.log) <= ServiceSpec::kLogMax && s.log[0] != '/');
    }
    ServiceList::parse(text, g_second);
    VERIFY(g_second.count() == g_first.count() && g_second.problem_count() == g_first.problem_count());
    for (usize i = 0; i < g_first.count(); ++i) {
        const ServiceSpec& a = g_first[i];
        const ServiceSpec& b = g_second[i];
        VERIFY(a.name_view() == b.name_view() && a.word_count == b.word_count && a.log_view() == b.log_view());
        for (usize w = 0; w < a.word_count; ++w) VERIFY(a.word(w) == b.word(w));
        VERIFY(a.restart == b.restart && a.check == b.check && a.check_port == b.check_port &&
               a.every_ns == b.every_ns && a.timeout_ns == b.timeout_ns && a.failures == b.failures &&
               a.backoff_min_ns == b.backoff_min_ns && a.backoff_max_ns == b.backoff_max_ns &&
               a.stable_ns == b.stable_ns);
    }
    return 0;
}
