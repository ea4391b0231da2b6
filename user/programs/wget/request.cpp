#include "request.hpp"

#include "base/format.hpp"

namespace mote::wget {

usize write_request(const Url& url, Span<char> out) {
    FormatBuffer b(out);
    format_append(b,
                  "GET {} HTTP/1.1\r\n"
                  "Host: {}\r\n"
                  "User-Agent: {}\r\n"
                  "Accept: */*\r\n"
                  "Accept-Encoding: identity\r\n"
                  "Connection: close\r\n"
                  "\r\n",
                  url.request_target(), url.host(), kUserAgent);
    return b.truncated() ? 0 : b.length();
}

}  // namespace mote::wget
