// Result<T>: either a value or an Error, and TRY to propagate the error.
//
//     Result<u32> parse(...);
//     Result<void> f() { u32 v = TRY(parse(...)); ...; return {}; }
//
// Results are [[nodiscard]]: ignoring a failure is a compile error. MUST(expr)
// asserts success for calls that cannot fail by construction.
#pragma once

#include "base/error.hpp"
#include "base/types.hpp"
#include "base/verify.hpp"

namespace mote {

template <typename T>
class [[nodiscard]] Result {
public:
    Result(const T& value) : m_has_value(true) { new (&m_value) T(value); }
    Result(T&& value) : m_has_value(true) { new (&m_value) T(mote::move(value)); }
    Result(Error error) : m_error(error), m_has_value(false) {}

    Result(const Result& other) : m_has_value(other.m_has_value) {
        if (m_has_value) new (&m_value) T(other.m_value);
        else m_error = other.m_error;
    }
    Result(Result&& other) : m_has_value(other.m_has_value) {
        if (m_has_value) new (&m_value) T(mote::move(other.m_value));
        else m_error = other.m_error;
    }
    Result& operator=(const Result&) = delete;
    Result& operator=(Result&&) = delete;
    ~Result() {
        if (m_has_value) m_value.~T();
    }

    bool is_error() const { return !m_has_value; }
    bool ok() const { return m_has_value; }
    Error error() const {
        VERIFY(!m_has_value);
        return m_error;
    }
    T& value() {
        VERIFY(m_has_value);
        return m_value;
    }
    const T& value() const {
        VERIFY(m_has_value);
        return m_value;
    }
    T release_value() {
        VERIFY(m_has_value);
        return mote::move(m_value);
    }
    T value_or(T fallback) const { return m_has_value ? m_value : fallback; }

private:
    union {
        T m_value;
        Error m_error;
    };
    bool m_has_value;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : m_error(error), m_has_error(true) {}

    bool is_error() const { return m_has_error; }
    bool ok() const { return !m_has_error; }
    Error error() const {
        VERIFY(m_has_error);
        return m_error;
    }
    void release_value() const { VERIFY(!m_has_error); }

private:
    Error m_error {};
    bool m_has_error = false;
};

}  // namespace mote

// Evaluate `expr` (a Result); on error return the error from the enclosing
// function, otherwise yield the value. Uses a GNU statement expression, which
// clang supports in every target.
#define TRY(expr)                                   \
    ({                                              \
        auto _mote_try_result = (expr);             \
        if (_mote_try_result.is_error())            \
            return _mote_try_result.error();        \
        _mote_try_result.release_value();           \
    })

// Evaluate `expr`; a failure is a kernel bug and stops with a VERIFY report.
#define MUST(expr)                                                     \
    ({                                                                 \
        auto _mote_must_result = (expr);                               \
        VERIFY_MSG(!_mote_must_result.is_error(), "MUST failed");      \
        _mote_must_result.release_value();                             \
    })
