// The request-target (RFC 9112 3.2) turned into the path httpd looks up:
// origin-form ("/docs/a%20b.txt?x=1") or absolute-form
// ("http://host/docs/"), the query split off, the path percent-decoded and
// then normalised: empty and "." segments dropped, ".." removing the
// segment before it. Decoding comes first so "%2e%2e" is a ".." too: the
// file system sees decoded names, so the check must as well.
//
// A ".." with nothing left to remove would climb above the served root;
// that is reported (the server answers 403), never clamped, so a probe
// like "/../etc/passwd" is seen for what it is.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"

namespace mote::httpd {

enum class TargetFault : u8 {
    None,
    Empty,           // no target at all
    BadForm,         // neither "/..." nor "http(s)://authority...": "*", "a/b", "ftp://x/"
    BadChar,         // a byte the target grammar does not allow (space, '#', '"', non-ASCII, ...)
    BadEscape,       // '%' not followed by two hex digits
    ControlByte,     // %00 (a C string's end) or another control byte once decoded
    BadAuthority,    // absolute-form with an empty host or with userinfo ("user@")
    TooLong,         // the path does not fit the caller's storage
};
const char* target_fault_name(TargetFault fault);

struct Target {
    // Decoded and normalised, in the caller's storage: starts with '/',
    // has no empty, "." or ".." segments and no NUL; ends with '/' when the
    // target named a directory ("/a/", "/a/.", "/a/b/.."). Empty when
    // escapes_root.
    StringView path;
    StringView query;       // raw (still percent-encoded), without its '?'
    bool has_query = false;  // "/?" has an empty query; "/" has none
    StringView authority;   // absolute-form's host[:port], raw; empty for origin-form
    bool escapes_root = false;
};

// Malformed (with `fault` set) for a target that is not a valid
// origin-form or http/https absolute-form. `storage` must hold the decoded
// path: raw.length() bytes always suffice.
Result<Target> decode_target(StringView raw, Span<char> storage, TargetFault* fault = nullptr);

}  // namespace mote::httpd
