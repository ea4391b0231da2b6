#include "url.hpp"

#include "base/format.hpp"
#include "base/memory.hpp"
#include "httpd/http_syntax.hpp"
#include "parse.hpp"

namespace mote::wget {

using httpd::equals_ignoring_case;
using httpd::hex_value;
using httpd::is_digit;

namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_hex(char c) { return hex_value(c) >= 0; }
bool is_control(char c) { return u8(c) < 0x20 || u8(c) == 0x7f; }

// What a path or query may hold as it is (RFC 3986 3.3, 3.4): unreserved,
// sub-delims, ':', '@', and the separators '/' and '?'. '%' is handled
// apart (an escape, or a byte to encode).
bool is_plain_target_char(char c) {
    if (is_alpha(c) || is_digit(c)) return true;
    switch (c) {
    case '-': case '.': case '_': case '~':
    case '!': case '$': case '&': case '\'': case '(': case ')': case '*': case '+': case ',': case ';': case '=':
    case ':': case '@': case '/': case '?':
        return true;
    default:
        return false;
    }
}

usize find(StringView text, char c) {
    for (usize i = 0; i < text.length(); ++i)
        if (text[i] == c) return i;
    return text.length();
}

// The length of `text`'s scheme (RFC 3986 3.1: ALPHA *( ALPHA / DIGIT /
// "+" / "-" / "." ) before a ':'), or 0 when it starts with none.
usize scheme_length(StringView text) {
    if (text.empty() || !is_alpha(text[0])) return 0;
    for (usize i = 1; i < text.length(); ++i) {
        const char c = text[i];
        if (c == ':') return i;
        if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') return 0;
    }
    return 0;
}

UrlFault check_scheme(StringView scheme) {
    if (equals_ignoring_case(scheme, "http")) return UrlFault::None;
    if (equals_ignoring_case(scheme, "https")) return UrlFault::Https;
    return UrlFault::UnsupportedScheme;
}

// Drops the last segment of `out[0..n)` and the '/' before it (RFC 3986
// 5.2.4 step C).
void drop_last_segment(const char* out, usize& n) {
    while (n > 0 && out[n - 1] != '/') --n;
    if (n > 0) --n;
}

// RFC 3986 5.2.4: `in` with its "." and ".." segments taken out, into
// `out` (which needs no more room than `in` has bytes).
usize remove_dot_segments(StringView in, char* out) {
    usize n = 0;
    usize at = 0;
    while (at < in.length()) {
        const StringView rest = in.substr(at);
        if (rest.starts_with("../")) {
            at += 3;
        } else if (rest.starts_with("./")) {
            at += 2;
        } else if (rest.starts_with("/./")) {
            at += 2;  // "/./x" becomes "/x"
        } else if (rest == "/.") {
            out[n++] = '/';
            break;
        } else if (rest.starts_with("/../")) {
            at += 3;  // "/../x" becomes "/x", and the output loses a segment
            drop_last_segment(out, n);
        } else if (rest == "/..") {
            drop_last_segment(out, n);
            out[n++] = '/';
            break;
        } else if (rest == "." || rest == "..") {
            break;
        } else {
            usize end = rest[0] == '/' ? 1 : 0;
            while (end < rest.length() && rest[end] != '/') ++end;
            mem_copy(out + n, rest.data(), end);
            n += end;
            at += end;
        }
    }
    return n;
}

// Appends `text` to the target, encoding what may not go as it is.
UrlFault append_encoded(Url& out, StringView text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (usize i = 0; i < text.length(); ++i) {
        const char c = text[i];
        if (is_control(c)) return UrlFault::ControlCharacter;
        const bool escape = c == '%' && i + 2 < text.length() && is_hex(text[i + 1]) && is_hex(text[i + 2]);
        const bool plain = escape || is_plain_target_char(c);
        const usize need = plain ? 1 : 3;
        if (out.target_length + need > kMaxTargetBytes) return UrlFault::TargetTooLong;
        if (plain) {
            out.target[out.target_length++] = c;
        } else {
            out.target[out.target_length++] = '%';
            out.target[out.target_length++] = kHex[u8(c) >> 4];
            out.target[out.target_length++] = kHex[u8(c) & 15];
        }
    }
    return UrlFault::None;
}

// The target from a path (not yet free of dot segments; empty means "/")
// and an optional query.
UrlFault set_target(Url& out, StringView path, bool has_query, StringView query) {
    // Room for the longest merged path (resolve_reference) and a '/'.
    char normal[kMaxTargetBytes + kMaxUrlBytes + 1];
    usize length = 0;
    if (path.empty()) {
        normal[length++] = '/';
    } else {
        VERIFY(path.length() < sizeof(normal));
        length = remove_dot_segments(path, normal);
        // "a/.." leaves nothing, and a relative path's first segment has
        // no '/' before it: the target is always absolute.
        if (length == 0 || normal[0] != '/') {
            mem_move(normal + 1, normal, length);
            normal[0] = '/';
            ++length;
        }
    }
    out.target_length = 0;
    if (UrlFault f = append_encoded(out, StringView(normal, length)); f != UrlFault::None) return f;
    if (has_query) {
        if (out.target_length + 1 > kMaxTargetBytes) return UrlFault::TargetTooLong;
        out.target[out.target_length++] = '?';
        if (UrlFault f = append_encoded(out, query); f != UrlFault::None) return f;
    }
    return UrlFault::None;
}

UrlFault parse_authority(StringView text, Url& out) {
    if (text.empty()) return UrlFault::MissingHost;
    if (find(text, '@') < text.length()) return UrlFault::UserInfo;
    if (text[0] == '[') return UrlFault::Ipv6;
    const usize colon = find(text, ':');
    const StringView host = text.substr(0, colon);
    if (host.empty()) return UrlFault::MissingHost;
    auto address = user::parse_ipv4(host);
    if (address.is_error()) {
        for (char c : host)
            if (!is_digit(c) && c != '.') return UrlFault::HostName;
        return UrlFault::BadAddress;
    }
    out.address = address.value();
    out.port = 80;
    if (colon < text.length() && colon + 1 < text.length()) {
        // An empty port is the scheme's default (RFC 3986 3.2.3).
        auto port = user::parse_port(text.substr(colon + 1));
        if (port.is_error()) return UrlFault::BadPort;
        out.port = port.value();
    }
    FormatBuffer b(Span<char>(out.authority, sizeof(out.authority)));
    const u32 a = out.address;
    format_append(b, "{}.{}.{}.{}", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
    if (out.port != 80) format_append(b, ":{}", out.port);
    VERIFY(!b.truncated());
    out.authority_length = b.length();
    return UrlFault::None;
}

// The path-abempty, query and fragment after an authority (or the whole
// reference): splits off the fragment, then the query.
struct PathQuery {
    StringView path;
    StringView query;
    bool has_query = false;
};
PathQuery split_path(StringView text) {
    text = text.substr(0, find(text, '#'));
    PathQuery parts;
    const usize question = find(text, '?');
    parts.path = text.substr(0, question);
    if (question < text.length()) {
        parts.has_query = true;
        parts.query = text.substr(question + 1);
    }
    return parts;
}

// "//"-less rest of an http URL: authority, then path and query.
UrlFault parse_after_scheme(StringView rest, Url& out) {
    usize end = 0;
    while (end < rest.length() && rest[end] != '/' && rest[end] != '?' && rest[end] != '#') ++end;
    if (UrlFault f = parse_authority(rest.substr(0, end), out); f != UrlFault::None) return f;
    const PathQuery parts = split_path(rest.substr(end));
    return set_target(out, parts.path, parts.has_query, parts.query);
}

UrlFault check_text(StringView text) {
    if (text.empty()) return UrlFault::Empty;
    if (text.length() > kMaxUrlBytes) return UrlFault::TooLong;
    for (char c : text)
        if (is_control(c)) return UrlFault::ControlCharacter;
    return UrlFault::None;
}

}  // namespace

StringView Url::path() const { return request_target().substr(0, find(request_target(), '?')); }

UrlFault parse_url(StringView text, Url& out) {
    if (UrlFault f = check_text(text); f != UrlFault::None) return f;
    const usize scheme = scheme_length(text);
    if (scheme > 0 && text.substr(scheme).starts_with("://")) {
        if (UrlFault f = check_scheme(text.substr(0, scheme)); f != UrlFault::None) return f;
        return parse_after_scheme(text.substr(scheme + 3), out);
    }
    // No scheme: http, as wget assumes ("10.0.2.2:8000/x").
    if (text.starts_with("//")) text = text.substr(2);
    return parse_after_scheme(text, out);
}

UrlFault resolve_reference(const Url& base, StringView reference, Url& out) {
    VERIFY(&base != &out);
    if (reference.length() > kMaxUrlBytes) return UrlFault::TooLong;
    for (char c : reference)
        if (is_control(c)) return UrlFault::ControlCharacter;
    // RFC 3986 5.2.2, with the base's scheme always http.
    const usize scheme = scheme_length(reference);
    if (scheme > 0) {
        if (UrlFault f = check_scheme(reference.substr(0, scheme)); f != UrlFault::None) return f;
        const StringView rest = reference.substr(scheme + 1);
        // "http:/x" or "http:x" name no host, which http needs.
        if (!rest.starts_with("//")) return UrlFault::MissingHost;
        return parse_after_scheme(rest.substr(2), out);
    }
    if (reference.starts_with("//")) return parse_after_scheme(reference.substr(2), out);

    out.address = base.address;
    out.port = base.port;
    mem_copy(out.authority, base.authority, base.authority_length);
    out.authority_length = base.authority_length;
    const PathQuery parts = split_path(reference);
    if (parts.path.empty()) {
        // "" and "#f" are the base itself; "?q" its path with a new query.
        if (!parts.has_query) {
            mem_copy(out.target, base.target, base.target_length);
            out.target_length = base.target_length;
            return UrlFault::None;
        }
        return set_target(out, base.path(), true, parts.query);
    }
    if (parts.path[0] == '/') return set_target(out, parts.path, parts.has_query, parts.query);
    // RFC 3986 5.2.3: the base's path up to its last '/', then the reference.
    char merged[kMaxTargetBytes + kMaxUrlBytes];
    const StringView base_path = base.path();
    usize directory = base_path.length();
    while (directory > 0 && base_path[directory - 1] != '/') --directory;
    mem_copy(merged, base_path.data(), directory);
    mem_copy(merged + directory, parts.path.data(), parts.path.length());
    return set_target(out, StringView(merged, directory + parts.path.length()), parts.has_query, parts.query);
}

StringView default_file_name(const Url& url) {
    const StringView path = url.path();
    usize start = path.length();
    while (start > 0 && path[start - 1] != '/') --start;
    const StringView name = path.substr(start);
    if (name.empty() || name == "." || name == "..") return "index.html";
    return name;
}

const char* url_fault_name(UrlFault fault) {
    switch (fault) {
    case UrlFault::None: return "None";
    case UrlFault::Empty: return "Empty";
    case UrlFault::TooLong: return "TooLong";
    case UrlFault::Https: return "Https";
    case UrlFault::UnsupportedScheme: return "UnsupportedScheme";
    case UrlFault::MissingHost: return "MissingHost";
    case UrlFault::UserInfo: return "UserInfo";
    case UrlFault::Ipv6: return "Ipv6";
    case UrlFault::HostName: return "HostName";
    case UrlFault::BadAddress: return "BadAddress";
    case UrlFault::BadPort: return "BadPort";
    case UrlFault::ControlCharacter: return "ControlCharacter";
    case UrlFault::TargetTooLong: return "TargetTooLong";
    }
    return "UnknownUrlFault";
}

const char* url_fault_text(UrlFault fault) {
    switch (fault) {
    case UrlFault::None: return "no fault";
    case UrlFault::Empty: return "empty URL";
    case UrlFault::TooLong: return "URL longer than 4096 bytes";
    case UrlFault::Https: return "https is not supported (Mote has no TLS): use http://";
    case UrlFault::UnsupportedScheme: return "only http:// URLs are supported";
    case UrlFault::MissingHost: return "no host in the URL";
    case UrlFault::UserInfo: return "user names and passwords in URLs are not supported";
    case UrlFault::Ipv6: return "IPv6 addresses are not supported (Mote's network is IPv4)";
    case UrlFault::HostName:
        return "host names cannot be resolved (Mote has no DNS resolver): give an IPv4 address such as 10.0.2.2";
    case UrlFault::BadAddress: return "not an IPv4 address (four numbers 0-255 separated by dots)";
    case UrlFault::BadPort: return "bad port (1-65535)";
    case UrlFault::ControlCharacter: return "control character in the URL";
    case UrlFault::TargetTooLong: return "path and query longer than 2048 bytes";
    }
    return "unknown URL fault";
}

}  // namespace mote::wget
