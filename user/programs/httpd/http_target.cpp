#include "http_target.hpp"

#include "http_syntax.hpp"

namespace mote::httpd {

namespace {

// Splits "scheme://authority[/path...]" for the http and https schemes
// (RFC 9110 4.2.1, 4.2.2; schemes compare without case). `rest` gets the
// path and query, which may be empty.
bool split_absolute_form(StringView raw, StringView& authority, StringView& rest) {
    usize colon = 0;
    while (colon < raw.length() && raw[colon] != ':') ++colon;
    if (colon == raw.length()) return false;
    StringView scheme = raw.substr(0, colon);
    if (!equals_ignoring_case(scheme, "http") && !equals_ignoring_case(scheme, "https")) return false;
    StringView after = raw.substr(colon + 1);
    if (!after.starts_with("//")) return false;
    after = after.substr(2);
    usize end = 0;
    while (end < after.length() && after[end] != '/' && after[end] != '?') ++end;
    authority = after.substr(0, end);
    rest = after.substr(end);
    return true;
}

bool is_control(u8 byte) { return byte < 0x20 || byte == 0x7f; }

}  // namespace

Result<Target> decode_target(StringView raw, Span<char> storage, TargetFault* fault) {
    auto fail = [&](TargetFault why) -> Result<Target> {
        if (fault) *fault = why;
        return Error::Malformed;
    };
    if (fault) *fault = TargetFault::None;
    if (raw.empty()) return fail(TargetFault::Empty);
    for (char c : raw)
        if (!is_target_char(c)) return fail(TargetFault::BadChar);

    Target target;
    StringView rest = raw;
    if (raw[0] != '/') {
        if (!split_absolute_form(raw, target.authority, rest)) return fail(TargetFault::BadForm);
        // An http URI must have a host, and userinfo in one is an error
        // (RFC 9110 4.2.1, 4.2.4): a "user@" there hides the real host.
        if (target.authority.empty() || target.authority[0] == ':') return fail(TargetFault::BadAuthority);
        for (char c : target.authority)
            if (c == '@') return fail(TargetFault::BadAuthority);
    }

    // Brackets belong to an IP literal in the authority, nowhere else.
    for (char c : rest)
        if (c == '[' || c == ']') return fail(TargetFault::BadChar);

    usize question = 0;
    while (question < rest.length() && rest[question] != '?') ++question;
    StringView raw_path = rest.substr(0, question);
    if (question < rest.length()) {
        target.has_query = true;
        target.query = rest.substr(question + 1);
    }

    // Percent-decode into storage. An absolute-form's empty path is "/"
    // (RFC 9112 3.2.1: the origin-form of an empty path is "/").
    usize length = 0;
    auto put = [&](char c) {
        if (length == storage.size()) return false;
        storage[length++] = c;
        return true;
    };
    if (raw_path.empty() && !put('/')) return fail(TargetFault::TooLong);
    for (usize i = 0; i < raw_path.length(); ++i) {
        char c = raw_path[i];
        if (c == '%') {
            if (raw_path.length() - i < 3) return fail(TargetFault::BadEscape);
            int high = hex_value(raw_path[i + 1]);
            int low = hex_value(raw_path[i + 2]);
            if (high < 0 || low < 0) return fail(TargetFault::BadEscape);
            c = char(high * 16 + low);
            // %00 would end the name early for anything that takes C
            // strings; other control bytes are never in a name httpd
            // serves, and keeping them out keeps them out of logs and
            // of any header that echoes the path.
            if (is_control(u8(c))) return fail(TargetFault::ControlByte);
            i += 2;
        }
        if (!put(c)) return fail(TargetFault::TooLong);
    }

    // Normalise in place, keeping "/a/b" with no '/' at the end while
    // working. A kept segment is written with the '/' before it, so
    // after each segment that ends at `end`, w <= end: the writer never
    // overtakes the reader, and copying forwards is safe. A '/' goes back
    // on at the end when the last segment named a directory (it was
    // empty, "." or ".."), where the input has a byte to spare for it.
    char* path = storage.data();
    usize w = 1;  // path[0] is the leading '/', kept
    bool names_directory = false;
    usize r = 1;
    while (r <= length) {
        usize end = r;
        while (end < length && path[end] != '/') ++end;
        usize segment = end - r;
        bool dot = segment == 1 && path[r] == '.';
        bool dot_dot = segment == 2 && path[r] == '.' && path[r + 1] == '.';
        if (segment == 0 || dot) {
            names_directory = true;
        } else if (dot_dot) {
            if (w == 1) {
                target.escapes_root = true;
                return target;
            }
            // Back to the '/' before the last kept segment, and that '/'
            // too unless it is the root's.
            while (w > 1 && path[w - 1] != '/') --w;
            if (w > 1) --w;
            names_directory = true;
        } else {
            if (w > 1) path[w++] = '/';
            for (usize k = 0; k < segment; ++k) path[w + k] = path[r + k];
            w += segment;
            names_directory = false;
        }
        r = end + 1;
    }
    if (names_directory && w > 1) path[w++] = '/';
    target.path = StringView(path, w);
    return target;
}

}  // namespace mote::httpd

namespace mote::httpd {

const char* target_fault_name(TargetFault fault) {
    switch (fault) {
    case TargetFault::None: return "None";
    case TargetFault::Empty: return "Empty";
    case TargetFault::BadForm: return "BadForm";
    case TargetFault::BadChar: return "BadChar";
    case TargetFault::BadEscape: return "BadEscape";
    case TargetFault::ControlByte: return "ControlByte";
    case TargetFault::BadAuthority: return "BadAuthority";
    case TargetFault::TooLong: return "TooLong";
    }
    return "UnknownTargetFault";
}

}  // namespace mote::httpd
