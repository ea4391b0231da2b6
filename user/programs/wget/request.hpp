// The one request wget sends (RFC 9112 3, RFC 9110 7.2, 10.1.5, 12.5.3,
// 7.6.1): a GET of the URL's target with Host, User-Agent, Accept,
// "Accept-Encoding: identity" (the body is saved as it comes, so no
// content coding is wanted) and "Connection: close" (one request per
// connection: the response may then also be framed by the close).
#pragma once

#include "base/span.hpp"
#include "url.hpp"

namespace mote::wget {

inline constexpr StringView kUserAgent = "Mote-wget/1.0";
// Room for any request: the target and the fixed lines.
inline constexpr usize kMaxRequestBytes = kMaxTargetBytes + kMaxAuthorityBytes + 256;

// Writes the request for `url` into `out`; its length (0 if `out` is too
// small, which kMaxRequestBytes never is).
usize write_request(const Url& url, Span<char> out);

}  // namespace mote::wget
