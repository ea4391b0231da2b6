// Text appended to a caller's buffer, counting every byte asked for even
// when it does not fit. The count lets one writer serve twice: with an
// empty buffer it measures (a response's Content-Length must be known
// before its body is sent), with a real one it writes. mark()/rewind()
// let a caller write a piece whole or not at all, and flush between.
#pragma once

#include "base/span.hpp"
#include "base/types.hpp"

namespace mote::httpd {

class TextSink {
public:
    // A sink that only counts.
    TextSink() = default;
    explicit TextSink(Span<char> storage) : m_storage(storage) {}

    void append(StringView text);
    void append(char c);
    void append_decimal(u64 value);

    // Bytes asked for so far, whether or not they fit.
    usize length() const { return m_length; }
    bool overflowed() const { return m_length > m_storage.size(); }
    // What was written (all of it when !overflowed()).
    StringView text() const { return StringView(m_storage.data(), min(m_length, m_storage.size())); }

    usize mark() const { return m_length; }
    // Back to a mark(): forgets everything appended since.
    void rewind(usize mark);

private:
    Span<char> m_storage;
    usize m_length = 0;
};

}  // namespace mote::httpd
