// SysResult: what a syscall handler returns, in the ABI's terms. The
// kernel's own Error (base/error.hpp) is translated once, here; the names
// only the boundary can give (BadAddress, BadHandle, WrongType, ...) are
// returned by the handlers directly.
#pragma once

#include "abi/syscalls.hpp"
#include "proc/abi_error.hpp"
#include "proc/kernel_object.hpp"

namespace mote {


class [[nodiscard]] SysResult {
public:
    SysResult(Outcome outcome) : m_outcome(outcome) {}
    SysResult(abi::Err error) : m_error(error), m_failed(true) {}
    SysResult(Error error) : m_error(to_abi(error)), m_failed(true) {}

    bool failed() const { return m_failed; }
    abi::Err error() const { return m_error; }
    const Outcome& outcome() const { return m_outcome; }
    // The value the user sees in its result register.
    i64 user_value() const { return m_failed ? -i64(m_error) : i64(m_outcome.value); }

private:
    Outcome m_outcome {};
    abi::Err m_error {};
    bool m_failed = false;
};

// A value or an ABI error: what the argument decoders return.
template <typename T>
class [[nodiscard]] SysOr {
public:
    SysOr(T value) : m_value(value) {}
    SysOr(abi::Err error) : m_error(error), m_failed(true) {}
    SysOr(Error error) : m_error(to_abi(error)), m_failed(true) {}
    bool is_error() const { return m_failed; }
    abi::Err error() const { return m_error; }
    T release_value() { return m_value; }

private:
    T m_value {};
    abi::Err m_error {};
    bool m_failed = false;
};

}  // namespace mote

// Like TRY, inside a function that itself returns SysOr<U>.
#define SYS_TRY_VALUE(expr)                         \
    ({                                              \
        auto _mote_sys_value = (expr);              \
        if (_mote_sys_value.is_error())             \
            return _mote_sys_value.error();         \
        _mote_sys_value.release_value();            \
    })

// Like TRY, for handlers: a failed Result<T> or SysOr<T> returns its error
// (translated to the ABI) from the handler.
#define SYS_TRY(expr)                               \
    ({                                              \
        auto _mote_sys_result = (expr);             \
        if (_mote_sys_result.is_error())            \
            return ::mote::SysResult(_mote_sys_result.error()); \
        _mote_sys_result.release_value();           \
    })
