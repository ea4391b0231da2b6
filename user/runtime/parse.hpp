// Parsing of command-line numbers for the programs, strict like the
// kernel's parse_u64 (base/parse_number.hpp): the whole word or an error.
#pragma once

#include "base/parse_number.hpp"
#include "base/result.hpp"
#include "base/span.hpp"

namespace mote::user {

// "2", "0.5", "1.25" seconds as nanoseconds; at most nine decimals.
// Malformed for anything else, Overflow past 2^64 ns.
Result<u64> parse_seconds(StringView text);

// A byte count with an optional binary suffix: 512, 4k, 1M, 2G (k/K, m/M,
// g/G are powers of 1024). Malformed or Overflow like parse_u64.
Result<u64> parse_size(StringView text);

// "key=value" words (dd's operands): the value if `word` starts with
// `key` and '=', otherwise an empty view and false.
bool match_option(StringView word, StringView key, StringView& value);

// "10.0.2.2" as an address in host byte order (abi::SocketAddress): four
// decimal parts 0..255, no leading zeros beyond "0" itself. Malformed else.
Result<u32> parse_ipv4(StringView text);
// A port: 1..65535. Malformed or OutOfRange.
Result<u16> parse_port(StringView text);

// Config files (etc/caps, etc/services, tmp/services), a piece at a time.
// The next line of `text` from `at` (without its '\n'); `at` moves past it.
inline StringView next_line(StringView text, usize& at) {
    usize end = at;
    while (end < text.length() && text[end] != '\n') ++end;
    StringView line = text.substr(at, end - at);
    at = end + 1;
    return line;
}
// The next word of `line` from `at` (split at spaces, tabs and '\r'), or
// empty at the end; `at` moves past it.
inline StringView next_word(StringView line, usize& at) {
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
    while (at < line.length() && space(line[at])) ++at;
    usize start = at;
    while (at < line.length() && !space(line[at])) ++at;
    return line.substr(start, at - start);
}

}  // namespace mote::user
