// The character classes and small lexical pieces of HTTP (RFC 9110 5.6,
// RFC 9112 2-5, RFC 3986 2-3) that the request parser, the target decoder,
// the range and date parsers all share. Pure functions over bytes; ASCII
// only, since HTTP's syntax is defined on octets, not on any locale.
#pragma once

#include "base/span.hpp"
#include "base/types.hpp"

namespace mote::httpd {

// tchar (RFC 9110 5.6.2): what a token (a method, a field name, a coding)
// is made of.
bool is_tchar(char c);
// field-vchar plus SP and HTAB (RFC 9110 5.5): what a field value may hold.
// obs-text (0x80-0xff) is allowed, every other control byte is not.
bool is_field_value_char(char c);
// A byte the request-target grammar allows (RFC 3986's pchar, '/' and
// '?'): unreserved, sub-delims, ':', '@' and '%' (checked as an escape
// later), and '[' ']' which only an absolute-form's IPv6 host may hold
// (http_target.cpp checks where they are). Whitespace, controls, '#',
// '"', '<', '>', '\\', '^', '`', '{', '|', '}' and non-ASCII bytes are not.
bool is_target_char(char c);
bool is_digit(char c);
// 0..15 for a hex digit, -1 otherwise.
int hex_value(char c);
char ascii_lower(char c);

// Case-insensitive equality, for field names, tokens and units (RFC 9110
// 5.1, 5.6.2, 14.1: these are compared without regard to case).
bool equals_ignoring_case(StringView a, StringView b);

// `text` without leading and trailing OWS (SP and HTAB).
StringView trim_ows(StringView text);

// Walks a comma-separated list (RFC 9110 5.6.1's #rule), yielding each
// element with its OWS trimmed and skipping the empty ones, which a
// recipient must accept ("a, , b" is two elements).
class ListCursor {
public:
    explicit ListCursor(StringView text) : m_text(text) {}
    // The next non-empty element; false when there are no more.
    bool next(StringView& element);

private:
    StringView m_text;
    usize m_at = 0;
};

// A run of decimal digits as a number, saturating at the largest u64
// instead of failing: "99999999999999999999" means "more than anything
// this server holds", which is what the callers need from it. Malformed
// for an empty run or any other byte.
struct Decimal {
    bool valid = false;
    u64 value = 0;
};
Decimal parse_decimal(StringView digits);

}  // namespace mote::httpd
