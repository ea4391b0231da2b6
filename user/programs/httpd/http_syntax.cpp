#include "http_syntax.hpp"

namespace mote::httpd {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool is_tchar(char c) {
    if (is_alpha(c) || is_digit(c)) return true;
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
        return true;
    default:
        return false;
    }
}

bool is_field_value_char(char c) {
    auto byte = u8(c);
    if (byte == '\t' || byte == ' ') return true;
    if (byte < 0x20 || byte == 0x7f) return false;
    return true;  // VCHAR or obs-text
}

bool is_target_char(char c) {
    if (is_alpha(c) || is_digit(c)) return true;
    switch (c) {
    // unreserved (less alnum)
    case '-': case '.': case '_': case '~':
    // sub-delims
    case '!': case '$': case '&': case '\'': case '(': case ')': case '*': case '+': case ',': case ';': case '=':
    // the rest of pchar, the path and query separators, and pct-encoded's '%'
    case ':': case '@': case '/': case '?': case '%':
    // an IP literal's brackets, in absolute-form's authority only
    case '[': case ']':
        return true;
    default:
        return false;
    }
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

bool equals_ignoring_case(StringView a, StringView b) {
    if (a.length() != b.length()) return false;
    for (usize i = 0; i < a.length(); ++i)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}

StringView trim_ows(StringView text) {
    usize start = 0;
    usize end = text.length();
    while (start < end && (text[start] == ' ' || text[start] == '\t')) ++start;
    while (end > start && (text[end - 1] == ' ' || text[end - 1] == '\t')) --end;
    return text.substr(start, end - start);
}

bool ListCursor::next(StringView& element) {
    while (m_at <= m_text.length()) {
        usize end = m_at;
        while (end < m_text.length() && m_text[end] != ',') ++end;
        StringView candidate = trim_ows(m_text.substr(m_at, end - m_at));
        m_at = end + 1;
        if (!candidate.empty()) {
            element = candidate;
            return true;
        }
    }
    return false;
}

Decimal parse_decimal(StringView digits) {
    Decimal result;
    if (digits.empty()) return result;
    constexpr u64 kMax = ~u64(0);
    for (char c : digits) {
        if (!is_digit(c)) return Decimal {};
        u64 d = u64(c - '0');
        result.value = result.value > (kMax - d) / 10 ? kMax : result.value * 10 + d;
    }
    result.valid = true;
    return result;
}

}  // namespace mote::httpd
