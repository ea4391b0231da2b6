// ServiceList: etc/services decoded, the services init keeps running.
//
//     # comment
//     NAME [OPTION=VALUE ...] -- PROGRAM [ARGUMENT ...]
//     httpd  check=tcp:80 -- httpd -p 80 www
//
// Options (each at most once; every one has a default):
//   restart=always|on-failure|never  start it again after it ends (always;
//                                    on-failure: not after exit status 0)
//   check=none|tcp:PORT|udp:PORT     health check on 127.0.0.1: a TCP
//                                    connect, or a UDP datagram echoed back
//   every=DURATION                   between two checks (5s)
//   timeout=DURATION                 how long one check may take (1s)
//   failures=N                       failed checks in a row that stop it (3)
//   backoff=MIN..MAX                 pause before the first restart,
//                                    doubled each time up to MAX (1s..60s)
//   stable=DURATION                  up this long and the pause starts
//                                    over at MIN (30s)
//   log=PATH|console                 its stdout and stderr (tmp/NAME.log)
// DURATION is a whole number with ms, s or m: 250ms, 5s, 2m.
//
// Unlike etc/caps, a bad line does not refuse the file: it is skipped and
// recorded (its number, a ServiceFault and the word at fault), and every
// good line still runs. Pure logic: the host tests and a fuzzer run it.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"

namespace mote::user {

enum class ServiceFault : u8 {
    None,
    NulInText,        // a NUL byte on the line
    BadName,          // not [a-z0-9_-], or starting with '-'
    NameTooLong,      // more than ServiceSpec::kNameMax
    Duplicate,        // the name is on an earlier line
    TooManyServices,  // more than ServiceList::kMaxServices
    UnknownOption,    // not one of the options above, or no '='
    RepeatedOption,   // the same option twice
    BadRestart,       // restart= not always, on-failure or never
    BadCheck,         // check= not none, tcp:PORT or udp:PORT
    BadDuration,      // every=, timeout= or stable= not a DURATION in range
    BadCount,         // failures= not 1..100
    BadBackoff,       // backoff= not MIN..MAX with MIN <= MAX
    BadLog,           // log= empty, absolute, too long or with ".."
    MissingCommand,   // no "--", or nothing after it
    CommandTooLong,   // the command's words exceed ServiceSpec::kCommandMax
    TooManyArguments  // more than ServiceSpec::kMaxWords words
};
const char* service_fault_name(ServiceFault fault);

enum class RestartPolicy : u8 { Always, OnFailure, Never };
const char* restart_policy_name(RestartPolicy policy);
enum class CheckKind : u8 { None, Tcp, Udp };
const char* check_kind_name(CheckKind kind);

inline constexpr u64 kMillisecond = 1'000'000;
inline constexpr u64 kSecondNs = 1'000'000'000;

struct ServiceSpec {
    static constexpr usize kNameMax = 15;
    static constexpr usize kCommandMax = 160;  // the words, each NUL-terminated
    static constexpr usize kMaxWords = 16;
    static constexpr usize kLogMax = 63;

    // Bounds of the durations (nanoseconds).
    static constexpr u64 kEveryMin = 100 * kMillisecond, kEveryMax = 3600 * kSecondNs;
    static constexpr u64 kTimeoutMin = 10 * kMillisecond, kTimeoutMax = 60 * kSecondNs;
    static constexpr u64 kBackoffMin = 10 * kMillisecond, kBackoffMax = 3600 * kSecondNs;
    static constexpr u64 kStableMax = 24 * 3600 * kSecondNs;
    static constexpr u32 kFailuresMax = 100;

    char name[kNameMax + 1] = {};
    RestartPolicy restart = RestartPolicy::Always;
    CheckKind check = CheckKind::None;
    u16 check_port = 0;
    u32 failures = 3;
    u64 every_ns = 5 * kSecondNs;
    u64 timeout_ns = 1 * kSecondNs;
    u64 backoff_min_ns = 1 * kSecondNs;
    u64 backoff_max_ns = 60 * kSecondNs;
    u64 stable_ns = 30 * kSecondNs;
    // Empty: tmp/NAME.log. "console": the console itself.
    char log[kLogMax + 1] = {};
    char command[kCommandMax] = {};
    u16 word_offset[kMaxWords] = {};
    u8 word_count = 0;

    StringView name_view() const { return StringView(name); }
    StringView log_view() const { return StringView(log); }
    // Word `i` of the command (0: the program).
    StringView word(usize i) const { return i < word_count ? StringView(command + word_offset[i]) : StringView(); }
};

struct ServiceProblem {
    static constexpr usize kWordMax = 31;
    usize line = 0;  // 1-based
    ServiceFault fault = ServiceFault::None;
    char word[kWordMax + 1] = {};  // the word at fault, cut to fit (may be empty)
};

class ServiceList {
public:
    static constexpr usize kMaxServices = 16;
    static constexpr usize kMaxProblems = 8;  // recorded; all are counted

    // Decodes `text`. Never fails as a whole: bad lines are skipped and
    // recorded in problems().
    static void parse(StringView text, ServiceList& out);

    usize count() const { return m_count; }
    const ServiceSpec& operator[](usize i) const { return m_services[i]; }
    const ServiceSpec* find(StringView name) const;
    // Bad lines: how many, and the first kMaxProblems of them in order.
    usize problem_count() const { return m_problem_count; }
    Span<const ServiceProblem> problems() const {
        return Span<const ServiceProblem>(m_problems, m_problem_count < kMaxProblems ? m_problem_count : kMaxProblems);
    }

private:
    ServiceSpec m_services[kMaxServices];
    usize m_count = 0;
    ServiceProblem m_problems[kMaxProblems];
    usize m_problem_count = 0;
};

// "250ms", "5s", "2m" as nanoseconds. Malformed for anything else
// (no unit, a fraction, a sign), Overflow past 2^64 ns.
Result<u64> parse_duration(StringView text);

}  // namespace mote::user
