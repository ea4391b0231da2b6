// SysOr<T>: a system call's value or the abi::Err it failed with.
//
// The user-side twin of the kernel's Result<T>: the kernel's Error set is
// closed and smaller than the ABI's (no BadHandle, BadAddress, ...), so user
// code carries abi::Err instead. It has the same interface (is_error,
// error, release_value), so base/result.hpp's TRY works on it unchanged:
//
//     SysOr<usize> copy(Handle from, Handle to) {
//         usize n = TRY(sys::read(from, buf, sizeof(buf)));
//         TRY(sys::write(to, buf, n));
//         return n;
//     }
#pragma once

#include "abi/syscalls.hpp"
#include "base/result.hpp"  // TRY works on SysOr too
#include "base/types.hpp"

namespace mote::user {

template <typename T>
class [[nodiscard]] SysOr {
public:
    SysOr(T value) : m_value(value) {}
    SysOr(abi::Err error) : m_error(error), m_failed(true) {}

    bool is_error() const { return m_failed; }
    bool ok() const { return !m_failed; }
    abi::Err error() const { return m_error; }
    T value() const { return m_value; }
    T release_value() { return m_value; }
    T value_or(T fallback) const { return m_failed ? fallback : m_value; }

private:
    T m_value {};
    abi::Err m_error {};
    bool m_failed = false;
};

template <>
class [[nodiscard]] SysOr<void> {
public:
    SysOr() = default;
    SysOr(abi::Err error) : m_error(error), m_failed(true) {}

    bool is_error() const { return m_failed; }
    bool ok() const { return !m_failed; }
    abi::Err error() const { return m_error; }
    void release_value() const {}

private:
    abi::Err m_error {};
    bool m_failed = false;
};

// A raw result register as the ABI defines it: >= 0 a value, in
// [-kErrorLimit, -1] a negated Err. Anything below -kErrorLimit cannot come
// from a correct kernel; it is treated as a value (it would be an address
// in the top of the address space, which user space never sees anyway).
inline bool raw_is_error(i64 raw) { return raw < 0 && raw >= -abi::kErrorLimit; }
inline abi::Err raw_error(i64 raw) { return abi::Err(-raw); }

template <typename T>
SysOr<T> sys_or(i64 raw) {
    if (raw_is_error(raw)) return raw_error(raw);
    return T(raw);
}

// The name of an ABI error ("BadHandle"), or "UnknownErr" for a number
// the runtime does not know.
const char* error_name(abi::Err error);

}  // namespace mote::user

// ADL finds this for format/print ("{}" of an abi::Err prints its name).
#include "base/format.hpp"
namespace mote::abi {
inline FormatArg to_format_arg(Err e) { return mote::to_format_arg(user::error_name(e)); }
}  // namespace mote::abi
