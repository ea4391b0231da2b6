#include "mime_type.hpp"

#include "http_syntax.hpp"

namespace mote::httpd {

namespace {

struct MimeEntry {
    const char* extension;
    const char* type;
};

constexpr MimeEntry kTypes[] = {
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"txt", "text/plain; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    // RFC 9239 makes text/javascript the one type for JavaScript.
    {"js", "text/javascript; charset=utf-8"},
    {"json", "application/json"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"svg", "image/svg+xml"},
    // The IANA-registered name for the .ico format.
    {"ico", "image/vnd.microsoft.icon"},
    {"wasm", "application/wasm"},
    {"pdf", "application/pdf"},
};

}  // namespace

StringView mime_type_for(StringView path) {
    usize name_start = path.length();
    while (name_start > 0 && path[name_start - 1] != '/') --name_start;
    StringView name = path.substr(name_start);
    usize dot = name.length();
    while (dot > 0 && name[dot - 1] != '.') --dot;
    // dot is one past the last '.', or 0 if there is none; a '.' at index 0
    // (dot == 1) starts a hidden name, not an extension.
    if (dot <= 1) return "application/octet-stream";
    StringView extension = name.substr(dot);
    for (const auto& entry : kTypes)
        if (equals_ignoring_case(extension, entry.extension)) return entry.type;
    return "application/octet-stream";
}

}  // namespace mote::httpd
