#include "directory_listing.hpp"

namespace mote::httpd {

namespace {

bool is_unreserved(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

// The directory's path with exactly one '/' at its end, percent-encoded.
void append_directory_href(TextSink& sink, StringView directory) {
    append_percent_encoded(sink, directory, true);
    if (directory.empty() || directory[directory.length() - 1] != '/') sink.append('/');
}

}  // namespace

void append_html_escaped(TextSink& sink, StringView text) {
    for (char c : text) {
        switch (c) {
        case '&': sink.append("&amp;"); break;
        case '<': sink.append("&lt;"); break;
        case '>': sink.append("&gt;"); break;
        case '"': sink.append("&quot;"); break;
        case '\'': sink.append("&#39;"); break;
        default: sink.append(c); break;
        }
    }
}

void append_percent_encoded(TextSink& sink, StringView text, bool keep_slash) {
    constexpr char kHex[] = "0123456789ABCDEF";
    for (char c : text) {
        if (is_unreserved(c) || (keep_slash && c == '/')) {
            sink.append(c);
            continue;
        }
        auto byte = u8(c);
        sink.append('%');
        sink.append(kHex[byte >> 4]);
        sink.append(kHex[byte & 0xf]);
    }
}

void listing_begin(TextSink& sink, StringView directory) {
    sink.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Index of ");
    append_html_escaped(sink, directory);
    sink.append("</title></head>\n<body><h1>Index of ");
    append_html_escaped(sink, directory);
    sink.append("</h1>\n<ul>\n");
    // The parent: the path without its last segment.
    usize end = directory.length();
    while (end > 0 && directory[end - 1] == '/') --end;
    if (end == 0) return;  // the root has none
    while (end > 0 && directory[end - 1] != '/') --end;
    sink.append("<li><a href=\"");
    append_percent_encoded(sink, directory.substr(0, end), true);
    sink.append("\">../</a></li>\n");
}

void listing_entry(TextSink& sink, StringView directory, StringView name, bool is_directory) {
    sink.append("<li><a href=\"");
    append_directory_href(sink, directory);
    append_percent_encoded(sink, name, false);
    if (is_directory) sink.append('/');
    sink.append("\">");
    append_html_escaped(sink, name);
    if (is_directory) sink.append('/');
    sink.append("</a></li>\n");
}

void listing_end(TextSink& sink) { sink.append("</ul>\n</body></html>\n"); }

}  // namespace mote::httpd
