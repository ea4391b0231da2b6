// The URLs wget can fetch (RFC 3986, RFC 9110 4.2.1): http:// only, the
// host a dotted IPv4 address (Mote has no DNS resolver), an optional port,
// a path and a query. Also the resolution of a redirect's Location against
// the URL it came from (RFC 3986 5.2, RFC 9110 10.2.2), relative or
// absolute.
//
// A Url is self-contained (fixed buffers, no pointers into the text it
// came from), so a redirect can replace the one it was resolved from. Its
// target is what goes into the request line: the path with "." and ".."
// segments removed, then "?query"; the fragment is never sent. Bytes the
// target grammar does not allow (space, '"', '<', non-ASCII, a '%' that
// starts no escape, ...) are percent-encoded, as browsers and wget do;
// control bytes are refused.
#pragma once

#include "base/span.hpp"
#include "base/types.hpp"

namespace mote::wget {

// "255.255.255.255:65535"
inline constexpr usize kMaxAuthorityBytes = 21;
// The request target after encoding; a longer one is refused
// (TargetTooLong) rather than cut.
inline constexpr usize kMaxTargetBytes = 2048;
// A URL or Location longer than this is refused before it is looked at.
inline constexpr usize kMaxUrlBytes = 4096;

enum class UrlFault : u8 {
    None,
    Empty,              // nothing given
    TooLong,            // longer than kMaxUrlBytes
    Https,              // https://: no TLS in Mote
    UnsupportedScheme,  // another scheme (ftp://, file://, ...)
    MissingHost,        // http:///x, http://:80/
    UserInfo,           // user:password@host: not supported
    Ipv6,               // [::1]: Mote's stack is IPv4 only
    HostName,           // a name, not an address: no DNS resolver
    BadAddress,         // digits and dots, but no IPv4 address (300.1.1.1, 1.2.3)
    BadPort,            // not 1..65535
    ControlCharacter,   // a control byte (or DEL) anywhere
    TargetTooLong,      // path and query over kMaxTargetBytes once encoded
};
// A short name ("HostName") for tests and logs, and a sentence for people.
const char* url_fault_name(UrlFault fault);
const char* url_fault_text(UrlFault fault);

struct Url {
    u32 address = 0;  // host byte order, as abi::SocketAddress
    u16 port = 80;
    // Host's value: "10.0.2.2", or "10.0.2.2:8080" when the port is not 80.
    char authority[kMaxAuthorityBytes + 1] {};  // and the NUL FormatBuffer keeps
    usize authority_length = 0;
    // "/path?query": never empty, always starts with '/'.
    char target[kMaxTargetBytes] {};
    usize target_length = 0;

    StringView host() const { return StringView(authority, authority_length); }
    StringView request_target() const { return StringView(target, target_length); }
    // The target without its query.
    StringView path() const;
};

// Parses `text` ("http://10.0.2.2:8000/a/b?c"; without "scheme://" it is
// taken as http, as wget does). UrlFault::None when `out` holds the URL;
// `out` is unspecified otherwise.
UrlFault parse_url(StringView text, Url& out);

// Resolves a Location value (`reference`, its OWS already trimmed) against
// `base`, the URL that was asked for: absolute ("http://..."),
// network-path ("//host/x"), absolute-path ("/x"), query-only ("?q") or
// relative-path ("x", "../x") references, and the empty one (the base
// again). `out` may not be `base`.
UrlFault resolve_reference(const Url& base, StringView reference, Url& out);

// The name wget saves a URL's body under when -O does not say: the last
// segment of the path ("/a/b.txt" -> "b.txt"), or "index.html" when that
// is empty ("/", "/dir/") or a name no file could have ("." and "..").
StringView default_file_name(const Url& url);

}  // namespace mote::wget
