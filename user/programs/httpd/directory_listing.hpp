// The HTML page httpd sends for a directory: a title, a link to the parent
// (except at the root) and one link per entry, directories with a '/'.
//
// Names come from the file system and may hold anything but '/' and NUL,
// so each is escaped twice over: percent-encoded in the href (a '?', '#'
// or '%' in a name must not change which URL the link names) and
// HTML-escaped in the text (&, <, >, " and ' become entities, so a name
// cannot open a tag or end an attribute). Links are absolute (the
// directory's path then the name), so they work whether or not the
// request's path ended in '/'.
//
// Written in three steps through a TextSink, so a caller can first measure
// the page with a counting sink (the Content-Length), then write it,
// entry by entry, flushing whenever the buffer fills.
#pragma once

#include "base/span.hpp"
#include "text_sink.hpp"

namespace mote::httpd {

// `directory` is the decoded, normalised path (http_target.hpp), "/" or
// "/a/b" or "/a/b/".
void listing_begin(TextSink& sink, StringView directory);
void listing_entry(TextSink& sink, StringView directory, StringView name, bool is_directory);
void listing_end(TextSink& sink);

// The pieces, for tests and for other pages: `text` with &, <, >, ", '
// as entities; and `text` percent-encoded except for unreserved bytes
// (RFC 3986 2.3) and, when keep_slash, '/'.
void append_html_escaped(TextSink& sink, StringView text);
void append_percent_encoded(TextSink& sink, StringView text, bool keep_slash);

}  // namespace mote::httpd
