// The Content-Type httpd sends for a file, chosen by its name's extension
// (compared without regard to case: "INDEX.HTM" is HTML). Text types say
// UTF-8 explicitly so a browser does not guess another charset.
#pragma once

#include "base/span.hpp"

namespace mote::httpd {

// The media type for `path` (a file name or a whole path: only the part
// after its last '/' counts). The extension follows the name's last '.',
// which must not be its first character: ".profile" has none. Unknown or
// missing extensions get application/octet-stream, which tells a client
// nothing it could misinterpret (RFC 9110 8.3 asks not to sniff).
StringView mime_type_for(StringView path);

}  // namespace mote::httpd
