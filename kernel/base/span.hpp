// Span<T>: a pointer and a length, checked on every element access.
// StringView: a Span of const char without a terminating NUL requirement.
#pragma once

#include "base/types.hpp"
#include "base/verify.hpp"

namespace mote {

template <typename T>
class Span {
public:
    constexpr Span() = default;
    constexpr Span(T* data, usize size) : m_data(data), m_size(size) {}
    template <usize N>
    constexpr Span(T (&array)[N]) : m_data(array), m_size(N) {}
    // Span<const T> from Span<T>.
    template <typename U>
    constexpr Span(Span<U> other) : m_data(other.data()), m_size(other.size()) {}

    constexpr T* data() const { return m_data; }
    constexpr usize size() const { return m_size; }
    constexpr usize size_bytes() const { return m_size * sizeof(T); }
    constexpr bool empty() const { return m_size == 0; }

    constexpr T& operator[](usize i) const {
        VERIFY(i < m_size);
        return m_data[i];
    }

    // Sub-span [offset, offset + count); both bounds are verified.
    constexpr Span slice(usize offset, usize count) const {
        VERIFY(offset <= m_size && count <= m_size - offset);
        return Span(m_data + offset, count);
    }
    constexpr Span slice(usize offset) const {
        VERIFY(offset <= m_size);
        return Span(m_data + offset, m_size - offset);
    }
    constexpr Span first(usize count) const { return slice(0, count); }

    constexpr T* begin() const { return m_data; }
    constexpr T* end() const { return m_data + m_size; }

private:
    T* m_data = nullptr;
    usize m_size = 0;
};

using Bytes = Span<u8>;
using ReadonlyBytes = Span<const u8>;

class StringView {
public:
    constexpr StringView() = default;
    constexpr StringView(const char* data, usize length) : m_data(data), m_length(length) {}
    constexpr StringView(const char* cstring) : m_data(cstring), m_length(cstring_length(cstring)) {}

    constexpr const char* data() const { return m_data; }
    constexpr usize length() const { return m_length; }
    constexpr bool empty() const { return m_length == 0; }
    constexpr char operator[](usize i) const {
        VERIFY(i < m_length);
        return m_data[i];
    }
    constexpr const char* begin() const { return m_data; }
    constexpr const char* end() const { return m_data + m_length; }

    constexpr StringView substr(usize offset, usize count) const {
        VERIFY(offset <= m_length && count <= m_length - offset);
        return StringView(m_data + offset, count);
    }
    constexpr StringView substr(usize offset) const {
        VERIFY(offset <= m_length);
        return StringView(m_data + offset, m_length - offset);
    }

    constexpr bool operator==(StringView other) const {
        if (m_length != other.m_length) return false;
        for (usize i = 0; i < m_length; ++i)
            if (m_data[i] != other.m_data[i]) return false;
        return true;
    }
    constexpr bool starts_with(StringView prefix) const {
        return prefix.m_length <= m_length && substr(0, prefix.m_length) == prefix;
    }

    static constexpr usize cstring_length(const char* s) {
        usize n = 0;
        if (s)
            while (s[n]) ++n;
        return n;
    }

private:
    const char* m_data = "";
    usize m_length = 0;
};

}  // namespace mote
