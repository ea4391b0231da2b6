#include "service_list.hpp"

#include "base/checked.hpp"
#include "base/parse_number.hpp"
#include "parse.hpp"

namespace mote::user {

const char* service_fault_name(ServiceFault fault) {
    switch (fault) {
    case ServiceFault::None: return "None";
    case ServiceFault::NulInText: return "NulInText";
    case ServiceFault::BadName: return "BadName";
    case ServiceFault::NameTooLong: return "NameTooLong";
    case ServiceFault::Duplicate: return "Duplicate";
    case ServiceFault::TooManyServices: return "TooManyServices";
    case ServiceFault::UnknownOption: return "UnknownOption";
    case ServiceFault::RepeatedOption: return "RepeatedOption";
    case ServiceFault::BadRestart: return "BadRestart";
    case ServiceFault::BadCheck: return "BadCheck";
    case ServiceFault::BadDuration: return "BadDuration";
    case ServiceFault::BadCount: return "BadCount";
    case ServiceFault::BadBackoff: return "BadBackoff";
    case ServiceFault::BadLog: return "BadLog";
    case ServiceFault::MissingCommand: return "MissingCommand";
    case ServiceFault::CommandTooLong: return "CommandTooLong";
    case ServiceFault::TooManyArguments: return "TooManyArguments";
    }
    return "UnknownServiceFault";
}

const char* restart_policy_name(RestartPolicy policy) {
    switch (policy) {
    case RestartPolicy::Always: return "always";
    case RestartPolicy::OnFailure: return "on-failure";
    case RestartPolicy::Never: return "never";
    }
    return "?";
}

const char* check_kind_name(CheckKind kind) {
    switch (kind) {
    case CheckKind::None: return "none";
    case CheckKind::Tcp: return "tcp";
    case CheckKind::Udp: return "udp";
    }
    return "?";
}

Result<u64> parse_duration(StringView text) {
    u64 unit = 0;
    usize digits = 0;
    while (digits < text.length() && text[digits] >= '0' && text[digits] <= '9') ++digits;
    StringView suffix = text.substr(digits);
    if (suffix == "ms") unit = kMillisecond;
    else if (suffix == "s") unit = kSecondNs;
    else if (suffix == "m") unit = 60 * kSecondNs;
    else return Error::Malformed;
    if (digits == 0) return Error::Malformed;
    u64 count = TRY(parse_u64(text.substr(0, digits)));
    return checked_mul(count, unit);
}

namespace {

bool valid_name(StringView name) {
    if (name.empty() || name[0] == '-') return false;
    for (char c : name)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
    return true;
}

void copy_into(char* out, usize capacity, StringView text) {
    usize n = text.length() < capacity - 1 ? text.length() : capacity - 1;
    for (usize i = 0; i < n; ++i) out[i] = text[i];
    out[n] = 0;
}

Result<u64> duration_in(StringView text, u64 low, u64 high) {
    auto value = parse_duration(text);
    if (value.is_error() || value.value() < low || value.value() > high) return Error::Malformed;
    return value.value();
}

// A log path: relative (the root's), no "..", no empty part, fits.
bool valid_log(StringView path) {
    if (path.empty() || path.length() > ServiceSpec::kLogMax || path[0] == '/') return false;
    if (path == "console") return true;
    usize start = 0;
    for (usize i = 0; i <= path.length(); ++i) {
        if (i < path.length() && path[i] != '/') continue;
        StringView part = path.substr(start, i - start);
        if (part.empty() || part == "..") return false;
        start = i + 1;
    }
    return true;
}

// The options in the order a line's bits record them (RepeatedOption).
enum Option : u32 {
    kOptRestart = 1,
    kOptCheck = 2,
    kOptEvery = 4,
    kOptTimeout = 8,
    kOptFailures = 16,
    kOptBackoff = 32,
    kOptStable = 64,
    kOptLog = 128
};

// One option word into `spec`; None, or the fault.
ServiceFault apply_option(StringView word, ServiceSpec& spec, u32& seen) {
    usize equals = 0;
    while (equals < word.length() && word[equals] != '=') ++equals;
    if (equals == word.length()) return ServiceFault::UnknownOption;
    StringView key = word.substr(0, equals);
    StringView value = word.substr(equals + 1);
    u32 bit = 0;
    if (key == "restart") bit = kOptRestart;
    else if (key == "check") bit = kOptCheck;
    else if (key == "every") bit = kOptEvery;
    else if (key == "timeout") bit = kOptTimeout;
    else if (key == "failures") bit = kOptFailures;
    else if (key == "backoff") bit = kOptBackoff;
    else if (key == "stable") bit = kOptStable;
    else if (key == "log") bit = kOptLog;
    else return ServiceFault::UnknownOption;
    if (seen & bit) return ServiceFault::RepeatedOption;
    seen |= bit;
    switch (bit) {
    case kOptRestart:
        if (value == "always") spec.restart = RestartPolicy::Always;
        else if (value == "on-failure") spec.restart = RestartPolicy::OnFailure;
        else if (value == "never") spec.restart = RestartPolicy::Never;
        else return ServiceFault::BadRestart;
        return ServiceFault::None;
    case kOptCheck: {
        if (value == "none") {
            spec.check = CheckKind::None;
            spec.check_port = 0;
            return ServiceFault::None;
        }
        CheckKind kind = CheckKind::None;
        if (value.starts_with("tcp:")) kind = CheckKind::Tcp;
        else if (value.starts_with("udp:")) kind = CheckKind::Udp;
        else return ServiceFault::BadCheck;
        auto port = parse_port(value.substr(4));
        if (port.is_error()) return ServiceFault::BadCheck;
        spec.check = kind;
        spec.check_port = port.value();
        return ServiceFault::None;
    }
    case kOptEvery: {
        auto d = duration_in(value, ServiceSpec::kEveryMin, ServiceSpec::kEveryMax);
        if (d.is_error()) return ServiceFault::BadDuration;
        spec.every_ns = d.value();
        return ServiceFault::None;
    }
    case kOptTimeout: {
        auto d = duration_in(value, ServiceSpec::kTimeoutMin, ServiceSpec::kTimeoutMax);
        if (d.is_error()) return ServiceFault::BadDuration;
        spec.timeout_ns = d.value();
        return ServiceFault::None;
    }
    case kOptStable: {
        auto d = duration_in(value, 0, ServiceSpec::kStableMax);
        if (d.is_error()) return ServiceFault::BadDuration;
        spec.stable_ns = d.value();
        return ServiceFault::None;
    }
    case kOptFailures: {
        auto n = parse_u64(value);
        if (n.is_error() || n.value() == 0 || n.value() > ServiceSpec::kFailuresMax) return ServiceFault::BadCount;
        spec.failures = u32(n.value());
        return ServiceFault::None;
    }
    case kOptBackoff: {
        usize dots = 0;
        while (dots + 1 < value.length() && !(value[dots] == '.' && value[dots + 1] == '.')) ++dots;
        if (dots + 1 >= value.length()) return ServiceFault::BadBackoff;
        auto low = duration_in(value.substr(0, dots), ServiceSpec::kBackoffMin, ServiceSpec::kBackoffMax);
        auto high = duration_in(value.substr(dots + 2), ServiceSpec::kBackoffMin, ServiceSpec::kBackoffMax);
        if (low.is_error() || high.is_error() || low.value() > high.value()) return ServiceFault::BadBackoff;
        spec.backoff_min_ns = low.value();
        spec.backoff_max_ns = high.value();
        return ServiceFault::None;
    }
    case kOptLog:
        if (!valid_log(value)) return ServiceFault::BadLog;
        copy_into(spec.log, sizeof(spec.log), value);
        return ServiceFault::None;
    }
    return ServiceFault::UnknownOption;
}

}  // namespace

const ServiceSpec* ServiceList::find(StringView name) const {
    for (usize i = 0; i < m_count; ++i)
        if (m_services[i].name_view() == name) return &m_services[i];
    return nullptr;
}

void ServiceList::parse(StringView text, ServiceList& list) {
    list.m_count = 0;
    list.m_problem_count = 0;
    usize line_number = 0;
    usize at = 0;
    while (at < text.length()) {
        ++line_number;
        StringView line = next_line(text, at);
        auto problem = [&](ServiceFault fault, StringView word) {
            if (list.m_problem_count < kMaxProblems) {
                ServiceProblem& p = list.m_problems[list.m_problem_count];
                p.line = line_number;
                p.fault = fault;
                copy_into(p.word, sizeof(p.word), word);
            }
            ++list.m_problem_count;
        };
        bool nul = false;
        for (char c : line) nul |= c == '\0';
        if (nul) {
            problem(ServiceFault::NulInText, {});
            continue;
        }
        usize cursor = 0;
        StringView name = next_word(line, cursor);
        if (name.empty() || name[0] == '#') continue;
        // Decode the whole line into a scratch spec; only a good line is kept.
        ServiceSpec spec;
        if (name.length() > ServiceSpec::kNameMax) {
            problem(ServiceFault::NameTooLong, name);
            continue;
        }
        if (!valid_name(name)) {
            problem(ServiceFault::BadName, name);
            continue;
        }
        if (list.find(name)) {
            problem(ServiceFault::Duplicate, name);
            continue;
        }
        copy_into(spec.name, sizeof(spec.name), name);
        ServiceFault fault = ServiceFault::None;
        StringView culprit;
        u32 seen = 0;
        bool separator = false;
        for (;;) {
            StringView word = next_word(line, cursor);
            if (word.empty()) break;
            if (word == "--") {
                separator = true;
                break;
            }
            fault = apply_option(word, spec, seen);
            if (fault != ServiceFault::None) {
                culprit = word;
                break;
            }
        }
        if (fault == ServiceFault::None && !separator) fault = ServiceFault::MissingCommand;
        usize used = 0;
        while (fault == ServiceFault::None) {
            StringView word = next_word(line, cursor);
            if (word.empty()) break;
            if (spec.word_count == ServiceSpec::kMaxWords) {
                fault = ServiceFault::TooManyArguments;
                culprit = word;
                break;
            }
            if (word.length() + 1 > ServiceSpec::kCommandMax - used) {
                fault = ServiceFault::CommandTooLong;
                culprit = word;
                break;
            }
            spec.word_offset[spec.word_count++] = u16(used);
            for (char c : word) spec.command[used++] = c;
            spec.command[used++] = 0;
        }
        if (fault == ServiceFault::None && spec.word_count == 0) fault = ServiceFault::MissingCommand;
        if (fault == ServiceFault::None && list.m_count == kMaxServices) {
            fault = ServiceFault::TooManyServices;
            culprit = name;
        }
        if (fault != ServiceFault::None) {
            problem(fault, culprit);
            continue;
        }
        list.m_services[list.m_count++] = spec;
    }
}

}  // namespace mote::user
