// httpd's answers (user/programs/httpd/): the response head writer, status
// reason phrases (RFC 9110 15), MIME types by extension, and the HTML
// directory listing with its escaping. Expected text is written out by
// hand from RFC 9112 4 (status line) and RFC 9110 (the fields).
#include <gtest/gtest.h>

#include <string>

#include "httpd/directory_listing.hpp"
#include "httpd/http_response.hpp"
#include "httpd/http_status.hpp"
#include "httpd/mime_type.hpp"
#include "httpd/text_sink.hpp"

using namespace mote;
using namespace mote::httpd;

namespace {

std::string str(StringView v) { return std::string(v.data(), v.length()); }

std::string head_text(const ResponseHead& head) {
    char out[1024];
    auto n = write_response_head(head, Span<char>(out));
    if (n.is_error()) return std::string("error:") + error_name(n.error());
    return std::string(out, n.value());
}

TEST(HttpResponse, OkWithEveryEntityField) {
    ResponseHead h;
    h.status = 200;
    h.date = 784111777;
    h.has_content_length = true;
    h.content_length = 1234;
    h.content_type = "text/html; charset=utf-8";
    h.last_modified = 0;
    h.accept_ranges = true;
    EXPECT_EQ(head_text(h), "HTTP/1.1 200 OK\r\n"
                            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
                            "Server: mote\r\n"
                            "Content-Length: 1234\r\n"
                            "Content-Type: text/html; charset=utf-8\r\n"
                            "Last-Modified: Thu, 01 Jan 1970 00:00:00 GMT\r\n"
                            "Accept-Ranges: bytes\r\n"
                            "\r\n");
}

TEST(HttpResponse, MethodNotAllowedCarriesAllow) {
    ResponseHead h;
    h.status = status::kMethodNotAllowed;
    h.date = 0;
    h.has_content_length = true;
    h.allow = true;
    h.connection = ConnectionField::Close;
    EXPECT_EQ(head_text(h), "HTTP/1.1 405 Method Not Allowed\r\n"
                            "Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n"
                            "Server: mote\r\n"
                            "Content-Length: 0\r\n"
                            "Allow: GET, HEAD\r\n"
                            "Connection: close\r\n"
                            "\r\n");
}

TEST(HttpResponse, PartialContentAndUnsatisfiedRange) {
    // A 10000-byte file: its last 500 bytes, then a range past its end.
    ResponseHead h;
    h.status = status::kPartialContent;
    h.has_content_length = true;
    h.content_length = 500;
    h.content_range = content_range_for(resolve_range(parse_range("bytes=-500"), 10000), 10000);
    h.connection = ConnectionField::KeepAlive;
    EXPECT_EQ(head_text(h), "HTTP/1.1 206 Partial Content\r\n"
                            "Server: mote\r\n"
                            "Content-Length: 500\r\n"
                            "Content-Range: bytes 9500-9999/10000\r\n"
                            "Connection: keep-alive\r\n"
                            "\r\n");
    ResponseHead u;
    u.status = status::kRangeNotSatisfiable;
    u.content_range = content_range_for(resolve_range(parse_range("bytes=20000-"), 10000), 10000);
    EXPECT_EQ(head_text(u), "HTTP/1.1 416 Range Not Satisfiable\r\n"
                            "Server: mote\r\n"
                            "Content-Range: bytes */10000\r\n"
                            "\r\n");
    // A full answer has no Content-Range.
    EXPECT_EQ(int(content_range_for(resolve_range(parse_range(""), 5), 5).kind), int(ContentRange::Kind::None));
}

TEST(HttpResponse, RedirectLocation) {
    ResponseHead h;
    h.status = status::kMovedPermanently;
    h.location = "/docs/";
    EXPECT_EQ(head_text(h), "HTTP/1.1 301 Moved Permanently\r\nServer: mote\r\nLocation: /docs/\r\n\r\n");
}

TEST(HttpResponse, UnknownStatusHasAnEmptyReason) {
    ResponseHead h;
    h.status = 299;
    EXPECT_EQ(head_text(h), "HTTP/1.1 299 \r\nServer: mote\r\n\r\n");
}

TEST(HttpResponse, OverflowAtEveryShortLength) {
    ResponseHead h;
    h.status = 404;
    h.date = 1000000000;
    h.has_content_length = true;
    h.content_length = 9;
    h.content_type = "text/plain; charset=utf-8";
    std::string want = "HTTP/1.1 404 Not Found\r\nDate: Sun, 09 Sep 2001 01:46:40 GMT\r\nServer: mote\r\n"
                       "Content-Length: 9\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n";
    std::string buffer(want.size(), '\0');
    auto n = write_response_head(h, Span<char>(buffer.data(), buffer.size()));
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(n.value(), want.size());
    EXPECT_EQ(buffer, want);
    for (usize size = 0; size < want.size(); ++size) {
        auto short_write = write_response_head(h, Span<char>(buffer.data(), size));
        ASSERT_TRUE(short_write.is_error()) << size;
        EXPECT_EQ(short_write.error(), Error::Overflow);
    }
}

TEST(HttpResponse, RefusesFieldsThatWouldBreakTheHead) {
    ResponseHead h;
    h.content_type = "text/html\r\nSet-Cookie: x";
    EXPECT_EQ(head_text(h), "error:InvalidArgument");
    h = {};
    h.location = "/a\nb";
    EXPECT_EQ(head_text(h), "error:InvalidArgument");
    h = {};
    h.status = 1000;
    EXPECT_EQ(head_text(h), "error:InvalidArgument");
    h = {};
    h.last_modified = 253402300800;  // past 9999
    EXPECT_EQ(head_text(h), "error:InvalidArgument");
    h = {};
    h.content_range = {ContentRange::Kind::Bytes, 5, 4, 10};
    EXPECT_EQ(head_text(h), "error:InvalidArgument");
    h.content_range = {ContentRange::Kind::Bytes, 0, 10, 10};
    EXPECT_EQ(head_text(h), "error:InvalidArgument");
}

TEST(HttpStatus, ReasonPhrases) {
    EXPECT_EQ(str(reason_phrase(200)), "OK");
    EXPECT_EQ(str(reason_phrase(206)), "Partial Content");
    EXPECT_EQ(str(reason_phrase(301)), "Moved Permanently");
    EXPECT_EQ(str(reason_phrase(304)), "Not Modified");
    EXPECT_EQ(str(reason_phrase(400)), "Bad Request");
    EXPECT_EQ(str(reason_phrase(403)), "Forbidden");
    EXPECT_EQ(str(reason_phrase(404)), "Not Found");
    EXPECT_EQ(str(reason_phrase(405)), "Method Not Allowed");
    EXPECT_EQ(str(reason_phrase(408)), "Request Timeout");
    EXPECT_EQ(str(reason_phrase(411)), "Length Required");
    EXPECT_EQ(str(reason_phrase(413)), "Content Too Large");
    EXPECT_EQ(str(reason_phrase(414)), "URI Too Long");
    EXPECT_EQ(str(reason_phrase(416)), "Range Not Satisfiable");
    EXPECT_EQ(str(reason_phrase(431)), "Request Header Fields Too Large");
    EXPECT_EQ(str(reason_phrase(500)), "Internal Server Error");
    EXPECT_EQ(str(reason_phrase(501)), "Not Implemented");
    EXPECT_EQ(str(reason_phrase(503)), "Service Unavailable");
    EXPECT_EQ(str(reason_phrase(505)), "HTTP Version Not Supported");
    EXPECT_EQ(str(reason_phrase(418)), "");
}

TEST(MimeType, ByExtension) {
    EXPECT_EQ(str(mime_type_for("/index.html")), "text/html; charset=utf-8");
    EXPECT_EQ(str(mime_type_for("a.htm")), "text/html; charset=utf-8");
    EXPECT_EQ(str(mime_type_for("notes.txt")), "text/plain; charset=utf-8");
    EXPECT_EQ(str(mime_type_for("s.css")), "text/css; charset=utf-8");
    EXPECT_EQ(str(mime_type_for("app.js")), "text/javascript; charset=utf-8");
    EXPECT_EQ(str(mime_type_for("d.json")), "application/json");
    EXPECT_EQ(str(mime_type_for("i.png")), "image/png");
    EXPECT_EQ(str(mime_type_for("i.jpg")), "image/jpeg");
    EXPECT_EQ(str(mime_type_for("i.jpeg")), "image/jpeg");
    EXPECT_EQ(str(mime_type_for("i.gif")), "image/gif");
    EXPECT_EQ(str(mime_type_for("i.svg")), "image/svg+xml");
    EXPECT_EQ(str(mime_type_for("favicon.ico")), "image/vnd.microsoft.icon");
    EXPECT_EQ(str(mime_type_for("m.wasm")), "application/wasm");
    EXPECT_EQ(str(mime_type_for("doc.pdf")), "application/pdf");
}

TEST(MimeType, EdgeCases) {
    EXPECT_EQ(str(mime_type_for("/A/INDEX.HTML")), "text/html; charset=utf-8");
    EXPECT_EQ(str(mime_type_for("x.JpG")), "image/jpeg");
    EXPECT_EQ(str(mime_type_for("archive.tar.gz")), "application/octet-stream");
    EXPECT_EQ(str(mime_type_for("page.html.bak")), "application/octet-stream");
    EXPECT_EQ(str(mime_type_for("blob")), "application/octet-stream");
    EXPECT_EQ(str(mime_type_for("")), "application/octet-stream");
    EXPECT_EQ(str(mime_type_for("trailing.")), "application/octet-stream");
    // A hidden name's leading dot is no extension.
    EXPECT_EQ(str(mime_type_for("/.html")), "application/octet-stream");
    EXPECT_EQ(str(mime_type_for(".config.json")), "application/json");
    // Only the last segment counts.
    EXPECT_EQ(str(mime_type_for("/site.html/readme")), "application/octet-stream");
    EXPECT_EQ(str(mime_type_for("/dir.d/")), "application/octet-stream");
}

TEST(TextSink, CountsWhatDoesNotFitAndRewinds) {
    char storage[8];
    TextSink sink{Span<char>(storage)};
    sink.append("abcde");
    usize mark = sink.mark();
    sink.append("fghij");
    EXPECT_TRUE(sink.overflowed());
    EXPECT_EQ(sink.length(), 10u);
    EXPECT_EQ(str(sink.text()), "abcdefgh");
    sink.rewind(mark);
    EXPECT_FALSE(sink.overflowed());
    EXPECT_EQ(str(sink.text()), "abcde");
    sink.append_decimal(0);
    sink.append_decimal(42);
    EXPECT_EQ(str(sink.text()), "abcde042");
    TextSink counter;
    counter.append_decimal(18446744073709551615ull);
    EXPECT_EQ(counter.length(), 20u);
}

std::string escaped(const std::string& text) {
    char storage[256];
    TextSink sink{Span<char>(storage)};
    append_html_escaped(sink, StringView(text.data(), text.size()));
    return str(sink.text());
}

std::string encoded(const std::string& text, bool keep_slash) {
    char storage[256];
    TextSink sink{Span<char>(storage)};
    append_percent_encoded(sink, StringView(text.data(), text.size()), keep_slash);
    return str(sink.text());
}

TEST(DirectoryListing, Escaping) {
    EXPECT_EQ(escaped("a&b<c>d\"e'f"), "a&amp;b&lt;c&gt;d&quot;e&#39;f");
    EXPECT_EQ(escaped("plain name.txt"), "plain name.txt");
    EXPECT_EQ(escaped("<script>alert('x')</script>"), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
    EXPECT_EQ(encoded("a b?c#d%e", false), "a%20b%3Fc%23d%25e");
    EXPECT_EQ(encoded("x/y", false), "x%2Fy");
    EXPECT_EQ(encoded("/x/y z/", true), "/x/y%20z/");
    EXPECT_EQ(encoded("AZaz09-._~", false), "AZaz09-._~");
    EXPECT_EQ(encoded("\"'<>&", false), "%22%27%3C%3E%26");
    EXPECT_EQ(encoded("caf\xc3\xa9", false), "caf%C3%A9");
}

std::string listing(const std::string& dir, bool with_entries) {
    auto write = [&](TextSink& sink) {
        StringView d(dir.data(), dir.size());
        listing_begin(sink, d);
        if (with_entries) {
            listing_entry(sink, d, "a&b<c>.txt", false);
            listing_entry(sink, d, "sub dir", true);
            listing_entry(sink, d, "\"q'", false);
        }
        listing_end(sink);
    };
    TextSink counter;
    write(counter);
    std::string out(counter.length(), '\0');
    TextSink sink{Span<char>(out.data(), out.size())};
    write(sink);
    // Measuring and writing agree, so the length is a Content-Length.
    EXPECT_FALSE(sink.overflowed());
    EXPECT_EQ(sink.length(), counter.length());
    return out;
}

TEST(DirectoryListing, PageForASubdirectory) {
    EXPECT_EQ(listing("/docs & <stuff>", true),
              "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Index of /docs &amp; &lt;stuff&gt;</title>"
              "</head>\n<body><h1>Index of /docs &amp; &lt;stuff&gt;</h1>\n<ul>\n"
              "<li><a href=\"/\">../</a></li>\n"
              "<li><a href=\"/docs%20%26%20%3Cstuff%3E/a%26b%3Cc%3E.txt\">a&amp;b&lt;c&gt;.txt</a></li>\n"
              "<li><a href=\"/docs%20%26%20%3Cstuff%3E/sub%20dir/\">sub dir/</a></li>\n"
              "<li><a href=\"/docs%20%26%20%3Cstuff%3E/%22q%27\">&quot;q&#39;</a></li>\n"
              "</ul>\n</body></html>\n");
}

TEST(DirectoryListing, RootHasNoParentAndNestedParentsAreRight) {
    EXPECT_EQ(listing("/", false),
              "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Index of /</title></head>\n"
              "<body><h1>Index of /</h1>\n<ul>\n</ul>\n</body></html>\n");
    std::string nested = listing("/a/b/", false);
    EXPECT_NE(nested.find("<li><a href=\"/a/\">../</a></li>"), std::string::npos);
    std::string no_slash = listing("/a/b", false);
    EXPECT_NE(no_slash.find("<li><a href=\"/a/\">../</a></li>"), std::string::npos);
}

}  // namespace
