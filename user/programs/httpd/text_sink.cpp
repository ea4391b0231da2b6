#include "text_sink.hpp"

namespace mote::httpd {

void TextSink::append(char c) {
    if (m_length < m_storage.size()) m_storage[m_length] = c;
    ++m_length;
}

void TextSink::append(StringView text) {
    for (char c : text) append(c);
}

void TextSink::append_decimal(u64 value) {
    char digits[20];
    usize count = 0;
    do {
        digits[count++] = char('0' + value % 10);
        value /= 10;
    } while (value != 0);
    while (count > 0) append(digits[--count]);
}

void TextSink::rewind(usize mark) {
    VERIFY(mark <= m_length);
    m_length = mark;
}

}  // namespace mote::httpd
