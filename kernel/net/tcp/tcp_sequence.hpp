// TCP sequence numbers: 32-bit counters compared modulo 2^32 (RFC 9293
// 3.4). "a before b" means b - a, taken as a signed 32-bit number, is
// positive; this holds while the two are less than 2^31 apart, which the
// window sizes TCP allows guarantee.
#pragma once

#include "base/types.hpp"

namespace mote {

struct Seq {
    u32 value = 0;

    constexpr Seq() = default;
    constexpr explicit Seq(u32 v) : value(v) {}

    constexpr Seq operator+(u32 n) const { return Seq(value + n); }
    constexpr Seq operator-(u32 n) const { return Seq(value - n); }
    constexpr Seq& operator+=(u32 n) {
        value += n;
        return *this;
    }
    // The distance from `other` to this one (this - other), as unsigned:
    // meaningful when other is not after this.
    constexpr u32 operator-(Seq other) const { return value - other.value; }
    constexpr bool operator==(const Seq&) const = default;

    constexpr bool before(Seq other) const { return i32(value - other.value) < 0; }
    constexpr bool at_or_before(Seq other) const { return i32(value - other.value) <= 0; }
    constexpr bool after(Seq other) const { return i32(value - other.value) > 0; }
    constexpr bool at_or_after(Seq other) const { return i32(value - other.value) >= 0; }
};

// Whether `s` lies in [low, high) modulo 2^32.
constexpr bool seq_in(Seq s, Seq low, Seq high) { return s.at_or_after(low) && s.before(high); }
constexpr Seq seq_max(Seq a, Seq b) { return a.after(b) ? a : b; }
constexpr Seq seq_min(Seq a, Seq b) { return a.before(b) ? a : b; }

}  // namespace mote
