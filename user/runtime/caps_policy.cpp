#include "caps_policy.hpp"

#include "parse.hpp"

namespace mote::user {

const char* caps_fault_name(CapsFault fault) {
    switch (fault) {
    case CapsFault::None: return "None";
    case CapsFault::UnknownCapability: return "UnknownCapability";
    case CapsFault::NameTooLong: return "NameTooLong";
    case CapsFault::Duplicate: return "Duplicate";
    case CapsFault::TooManyLines: return "TooManyLines";
    case CapsFault::NulInText: return "NulInText";
    }
    return "UnknownCapsFault";
}

namespace {

constexpr const char* kCapNames[kCapCount] = {"power", "log", "audit", "dev", "net", "spawn"};

}  // namespace

u32 cap_bit(StringView name) {
    for (u32 i = 0; i < kCapCount; ++i)
        if (name == kCapNames[i]) return 1u << i;
    return 0;
}

const char* cap_name(u32 index) { return index < kCapCount ? kCapNames[index] : "?"; }

Result<CapsPolicy> CapsPolicy::parse(StringView text, CapsFault* fault_out, usize* line_out) {
    CapsPolicy policy;
    usize line_number = 0;
    auto fail = [&](CapsFault why) -> Result<CapsPolicy> {
        if (fault_out) *fault_out = why;
        if (line_out) *line_out = line_number;
        return Error::Malformed;
    };
    usize at = 0;
    while (at < text.length()) {
        ++line_number;
        StringView line = next_line(text, at);
        for (char c : line)
            if (c == '\0') return fail(CapsFault::NulInText);
        usize cursor = 0;
        StringView name = next_word(line, cursor);
        if (name.empty() || name[0] == '#') continue;
        if (name.length() > kNameMax) return fail(CapsFault::NameTooLong);
        if (policy.m_count == kMaxPrograms) return fail(CapsFault::TooManyLines);
        for (usize i = 0; i < policy.m_count; ++i)
            if (StringView(policy.m_entries[i].name, policy.m_entries[i].length) == name) return fail(CapsFault::Duplicate);
        Entry& entry = policy.m_entries[policy.m_count];
        for (;;) {
            StringView word = next_word(line, cursor);
            if (word.empty() || word[0] == '#') break;
            u32 bit = cap_bit(word);
            if (!bit) return fail(CapsFault::UnknownCapability);
            entry.caps |= bit;
        }
        for (usize i = 0; i < name.length(); ++i) entry.name[i] = name[i];
        entry.length = u8(name.length());
        ++policy.m_count;
    }
    if (fault_out) *fault_out = CapsFault::None;
    return policy;
}

u32 CapsPolicy::caps_for(StringView program) const {
    for (usize i = 0; i < m_count; ++i)
        if (StringView(m_entries[i].name, m_entries[i].length) == program) return m_entries[i].caps;
    return 0;
}

}  // namespace mote::user
