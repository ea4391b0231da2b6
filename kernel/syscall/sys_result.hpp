// SysResult: what a syscall handler returns, in the ABI's terms. The
// kernel's own Error (base/error.hpp) is translated once, here; the names
// only the boundary can give (BadAddress, BadHandle, WrongType, ...) are
// returned by the handlers directly.
#pragma once

#include "abi/syscalls.hpp"
#include "proc/abi_error.hpp"
#include "proc/kernel_object.hpp"

namespace mote {


// 16 bytes, so every handler returns it in two registers (a0/a1, x0/x1,
// rax/rdx) rather than through memory: it is on every syscall's path.
class [[nodiscard]] SysResult {
public:
    SysResult(Outcome outcome) : m_value(i64(outcome.value)), m_parked(outcome.parked) {}
    SysResult(abi::Err error) : m_value(-i64(error)), m_failed(true) {}
    SysResult(Error error) : SysResult(to_abi(error)) {}

    bool failed() const { return m_failed; }
    // Meaningful only when failed().
    abi::Err error() const { return abi::Err(-m_value); }
    Outcome outcome() const { return {u64(m_value), m_parked}; }
    // The value the user sees in its result register.
    i64 user_value() const { return m_value; }

private:
    i64 m_value = 0;  // the outcome's value, or -error
    bool m_parked = false;
    bool m_failed = false;
};
static_assert(sizeof(SysResult) == 16);

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
