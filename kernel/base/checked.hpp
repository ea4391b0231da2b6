// Overflow-checked arithmetic for sizes, offsets and LBAs.
//
// Every computation of "offset + length" from untrusted input (a packet
// header, a DTB, a syscall argument, a shell number) goes through these, so
// a lie in the input becomes Error::Overflow / Error::OutOfRange instead of
// a wrapped pointer.
#pragma once

#include "base/result.hpp"
#include "base/types.hpp"

namespace mote {

template <typename T>
Result<T> checked_add(T a, T b) {
    T out;
    if (__builtin_add_overflow(a, b, &out)) return Error::Overflow;
    return out;
}

template <typename T>
Result<T> checked_sub(T a, T b) {
    T out;
    if (__builtin_sub_overflow(a, b, &out)) return Error::Overflow;
    return out;
}

template <typename T>
Result<T> checked_mul(T a, T b) {
    T out;
    if (__builtin_mul_overflow(a, b, &out)) return Error::Overflow;
    return out;
}

// Verifies that [offset, offset + length) lies within [0, limit).
template <typename T>
Result<void> check_range(T offset, T length, T limit) {
    T end = TRY(checked_add(offset, length));
    if (end > limit) return Error::OutOfRange;
    return {};
}

// Rounds `value` up to a multiple of `align` (a power of two).
template <typename T>
Result<T> align_up(T value, T align) {
    VERIFY(align != 0 && (align & (align - 1)) == 0);
    T bumped = TRY(checked_add(value, T(align - 1)));
    return bumped & ~T(align - 1);
}

template <typename T>
constexpr T align_down(T value, T align) {
    return value & ~T(align - 1);
}

}  // namespace mote
