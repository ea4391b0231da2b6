// CapsPolicy: etc/caps decoded. One line per program:
//
//     # comment
//     sh        power log audit dev
//     poweroff  power
//
// A program's name, then the privileged capabilities it is handed (power,
// log, audit, dev, net, spawn: abi::kPowerCap ... kSpawnCap). Decoding is strict (decode,
// then perform): an unknown capability, a name too long, a program listed
// twice or too many lines refuse the whole file with a CapsFault and the
// line it was on, and whoever reads it hands out nothing beyond the
// standard handles. Pure logic: the host tests and a fuzzer run it.
#pragma once

#include "abi/syscalls.hpp"
#include "base/result.hpp"
#include "base/span.hpp"

namespace mote::user {

enum class CapsFault : u8 { None, UnknownCapability, NameTooLong, Duplicate, TooManyLines, NulInText };
const char* caps_fault_name(CapsFault fault);

// The capabilities as bits: 1 << (StartHandle - kPowerCap).
enum CapBits : u32 { kCapPower = 1, kCapLog = 2, kCapAudit = 4, kCapDev = 8, kCapNet = 16, kCapSpawn = 32 };
inline constexpr u32 kCapCount = 6;
// "power" -> kCapPower ...; 0 if unknown.
u32 cap_bit(StringView name);
const char* cap_name(u32 index);  // index 0..kCapCount-1

class CapsPolicy {
public:
    static constexpr usize kMaxPrograms = 32;
    static constexpr usize kNameMax = 31;

    // Decodes `text`; on failure `fault` and `line` (1-based) say why and where.
    static Result<CapsPolicy> parse(StringView text, CapsFault* fault = nullptr, usize* line = nullptr);

    // The capabilities `program` is to be given (0 if it is not listed).
    u32 caps_for(StringView program) const;
    usize count() const { return m_count; }

private:
    struct Entry {
        char name[kNameMax + 1] {};
        u8 length = 0;
        u32 caps = 0;
    };
    Entry m_entries[kMaxPrograms];
    usize m_count = 0;
};

}  // namespace mote::user
