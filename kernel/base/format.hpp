// Type-safe "{}"-style formatting into a caller-owned buffer.
//
//     char buf[64];
//     format_to(buf, "lba {} = {:#010x} ({:>6} ms)", lba, word, ms);
//
// Spec grammar inside braces: {[:[[fill]align][#][0][width][type]]}
//   align: < left, > right, ^ centre      type: d x X b o c s p
//   '#' adds 0x/0b/0o prefixes; '0' pads numbers with zeros after the sign or
//   prefix. "{{" and "}}" are literal braces.
// Arguments are converted to FormatArg at the call site, so a mismatched type
// is a compile error, never a misread stack. Output never overruns: it is
// truncated, NUL-terminated, and the truncation is reported.
#pragma once

#include "base/error.hpp"
#include "base/span.hpp"
#include "base/types.hpp"

namespace mote {

struct FormatArg {
    enum class Kind : u8 { Signed, Unsigned, String, Char, Pointer, Bool };
    Kind kind;
    union {
        i64 s;
        u64 u;
        const void* p;
        bool b;
        char c;
    };
    usize length = 0;  // for String

    constexpr FormatArg(Kind k) : kind(k), u(0) {}
};

// The conversions that make a type formattable.
inline FormatArg to_format_arg(char c) {
    FormatArg a(FormatArg::Kind::Char);
    a.c = c;
    return a;
}
inline FormatArg to_format_arg(bool b) {
    FormatArg a(FormatArg::Kind::Bool);
    a.b = b;
    return a;
}
inline FormatArg to_format_arg(StringView s) {
    FormatArg a(FormatArg::Kind::String);
    a.p = s.data();
    a.length = s.length();
    return a;
}
inline FormatArg to_format_arg(const char* s) { return to_format_arg(StringView(s ? s : "(null)")); }
inline FormatArg to_format_arg(char* s) { return to_format_arg(static_cast<const char*>(s)); }
inline FormatArg to_format_arg(Error e) { return to_format_arg(error_name(e)); }
inline FormatArg to_format_arg(const void* p) {
    FormatArg a(FormatArg::Kind::Pointer);
    a.p = p;
    return a;
}
inline FormatArg to_format_arg(void* p) { return to_format_arg(static_cast<const void*>(p)); }

#define MOTE_FORMAT_SIGNED(T)                  \
    inline FormatArg to_format_arg(T v) {      \
        FormatArg a(FormatArg::Kind::Signed);  \
        a.s = static_cast<i64>(v);             \
        return a;                              \
    }
#define MOTE_FORMAT_UNSIGNED(T)                \
    inline FormatArg to_format_arg(T v) {      \
        FormatArg a(FormatArg::Kind::Unsigned);\
        a.u = static_cast<u64>(v);             \
        return a;                              \
    }
MOTE_FORMAT_SIGNED(signed char)
MOTE_FORMAT_SIGNED(short)
MOTE_FORMAT_SIGNED(int)
MOTE_FORMAT_SIGNED(long)
MOTE_FORMAT_SIGNED(long long)
MOTE_FORMAT_UNSIGNED(unsigned char)
MOTE_FORMAT_UNSIGNED(unsigned short)
MOTE_FORMAT_UNSIGNED(unsigned int)
MOTE_FORMAT_UNSIGNED(unsigned long)
MOTE_FORMAT_UNSIGNED(unsigned long long)
#undef MOTE_FORMAT_SIGNED
#undef MOTE_FORMAT_UNSIGNED

// Appends to a caller buffer, keeping it NUL-terminated and counting what
// did not fit.
class FormatBuffer {
public:
    FormatBuffer(Span<char> storage) : m_storage(storage) {
        if (!m_storage.empty()) m_storage[0] = '\0';
    }

    void append(char c);
    void append(StringView s);
    void append_repeated(char c, usize count);

    StringView view() const { return StringView(m_storage.data(), m_length); }
    usize length() const { return m_length; }
    bool truncated() const { return m_dropped > 0; }
    void clear();

private:
    Span<char> m_storage;
    usize m_length = 0;
    usize m_dropped = 0;
};

void vformat(FormatBuffer& out, StringView fmt, Span<const FormatArg> args);

template <typename... Args>
void format_append(FormatBuffer& out, StringView fmt, const Args&... args) {
    if constexpr (sizeof...(Args) == 0) {
        vformat(out, fmt, {});
    } else {
        const FormatArg list[] = {to_format_arg(args)...};
        vformat(out, fmt, Span<const FormatArg>(list, sizeof...(Args)));
    }
}

// Formats into `buffer` from the start; returns the text written.
template <typename... Args>
StringView format_to(Span<char> buffer, StringView fmt, const Args&... args) {
    FormatBuffer out(buffer);
    format_append(out, fmt, args...);
    return out.view();
}

// A formatting buffer with inline storage, for building one line.
template <usize N>
class FixedString {
public:
    FixedString() : m_buffer(Span<char>(m_storage, N)) {}
    template <typename... Args>
    void appendf(StringView fmt, const Args&... args) { format_append(m_buffer, fmt, args...); }
    void append(StringView s) { m_buffer.append(s); }
    void append(char c) { m_buffer.append(c); }
    StringView view() const { return m_buffer.view(); }
    const char* c_str() const { return m_storage; }
    usize length() const { return m_buffer.length(); }
    bool truncated() const { return m_buffer.truncated(); }
    void clear() { m_buffer.clear(); }

private:
    char m_storage[N];
    FormatBuffer m_buffer;
};

}  // namespace mote
