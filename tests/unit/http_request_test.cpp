// httpd's request parser (user/programs/httpd/http_request.*): every
// status it can answer, with the RFC 9112 / RFC 9110 rule that calls for
// it; pipelined requests and bodies skipped by Content-Length; feeding a
// byte at a time ending exactly as feeding whole; the fields httpd reads
// and the conditional-request decision. Expected values come from the
// RFCs, worked out by hand for each request.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "httpd/http_request.hpp"

using namespace mote;
using namespace mote::httpd;

namespace {

std::string str(StringView v) { return std::string(v.data(), v.length()); }

// A parse outcome copied out of the parser's views.
struct Outcome {
    ParseStatus status = ParseStatus::NeedMore;
    usize consumed = 0;
    u16 error_status = 0;
    RequestFault fault = RequestFault::None;
    TargetFault target_fault = TargetFault::None;
    Method method = Method::Get;
    Version version = Version::Http11;
    std::string target, path, query, host, range, if_modified_since;
    bool has_query = false, escapes_root = false, keep_alive = false;
    u64 content_length = 0;
    u8 range_count = 0;

    bool operator==(const Outcome&) const = default;
};

Outcome outcome_of(const ParseResult& r) {
    Outcome o;
    o.status = r.status;
    o.consumed = r.consumed;
    o.error_status = r.error_status;
    o.fault = r.fault;
    o.target_fault = r.target_fault;
    if (r.status == ParseStatus::Complete) {
        const Request& q = r.request;
        o.method = q.method;
        o.version = q.version;
        o.target = str(q.target);
        o.path = str(q.path);
        o.query = str(q.query);
        o.host = str(q.host);
        o.range = str(q.range.value);
        o.if_modified_since = str(q.if_modified_since.value);
        o.has_query = q.has_query;
        o.escapes_root = q.escapes_root;
        o.keep_alive = q.keep_alive;
        o.content_length = q.content_length;
        o.range_count = q.range.count;
    }
    return o;
}

StringView view(const std::string& s) { return StringView(s.data(), s.size()); }

Outcome parse(const std::string& input) {
    RequestParser parser;
    return outcome_of(parser.feed(view(input)));
}

// The same bytes arriving one at a time: each call sees one more byte.
Outcome parse_bytewise(const std::string& input) {
    RequestParser parser;
    ParseResult last;
    for (usize n = 1; n <= input.size(); ++n) {
        last = parser.feed(StringView(input.data(), n));
        if (last.status != ParseStatus::NeedMore) break;
    }
    return outcome_of(last);
}

void expect_error(const std::string& input, u16 status, RequestFault fault) {
    Outcome o = parse(input);
    EXPECT_EQ(int(o.status), int(ParseStatus::Error)) << input;
    EXPECT_EQ(o.error_status, status) << input;
    EXPECT_EQ(o.fault, fault) << input << " got " << request_fault_name(o.fault);
    // And the same answer when the bytes trickle in.
    Outcome b = parse_bytewise(input);
    EXPECT_EQ(b.error_status, status) << input;
    EXPECT_EQ(b.fault, fault) << input;
}

Outcome expect_complete(const std::string& input) {
    Outcome o = parse(input);
    EXPECT_EQ(int(o.status), int(ParseStatus::Complete))
        << input << " error " << o.error_status << " " << request_fault_name(o.fault);
    return o;
}

const std::string kGet = "GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n";

// ---- complete requests -----------------------------------------------------

TEST(HttpRequest, SimpleGet) {
    Outcome o = expect_complete(kGet);
    EXPECT_EQ(o.consumed, kGet.size());
    EXPECT_EQ(o.method, Method::Get);
    EXPECT_EQ(o.version, Version::Http11);
    EXPECT_EQ(o.target, "/index.html");
    EXPECT_EQ(o.path, "/index.html");
    EXPECT_EQ(o.host, "example.com");
    EXPECT_TRUE(o.keep_alive);  // HTTP/1.1's default (RFC 9112 9.3)
    EXPECT_FALSE(o.has_query);
    EXPECT_EQ(o.content_length, 0u);
}

TEST(HttpRequest, HeadWithCurlHeaders) {
    std::string in = "HEAD /a%20b/?x=1 HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: curl/8.5.0\r\n"
                     "Accept: */*\r\n\r\n";
    Outcome o = expect_complete(in);
    EXPECT_EQ(o.method, Method::Head);
    EXPECT_EQ(o.path, "/a b/");
    EXPECT_TRUE(o.has_query);
    EXPECT_EQ(o.query, "x=1");
    EXPECT_EQ(o.host, "localhost:8080");
}

TEST(HttpRequest, BareLfEndsLines) {
    // RFC 9112 2.2: a recipient MAY take a lone LF as a line terminator.
    Outcome o = expect_complete("GET / HTTP/1.1\nHost: h\n\n");
    EXPECT_EQ(o.consumed, 24u);
    expect_complete("GET / HTTP/1.1\r\nHost: h\n\r\n");
}

TEST(HttpRequest, FieldNamesIgnoreCaseAndValuesLoseOws) {
    Outcome o = expect_complete("GET / HTTP/1.1\r\nhOsT:   h:1 \t\r\nRANGE:bytes=0-1\r\n\r\n");
    EXPECT_EQ(o.host, "h:1");
    EXPECT_EQ(o.range, "bytes=0-1");
    EXPECT_EQ(o.range_count, 1);
}

TEST(HttpRequest, ValuesMayHoldObsText) {
    expect_complete("GET / HTTP/1.1\r\nHost: h\r\nX-Name: caf\xc3\xa9\r\n\r\n");
}

TEST(HttpRequest, EmptyHostIsAllowed) {
    // RFC 9112 3.2: a client sends an empty Host when the URI has no authority.
    Outcome o = expect_complete("GET / HTTP/1.1\r\nHost:\r\n\r\n");
    EXPECT_EQ(o.host, "");
}

TEST(HttpRequest, Http10NeedsNoHostAndClosesByDefault) {
    Outcome o = expect_complete("GET / HTTP/1.0\r\n\r\n");
    EXPECT_EQ(o.version, Version::Http10);
    EXPECT_FALSE(o.keep_alive);
    o = expect_complete("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
    EXPECT_TRUE(o.keep_alive);
}

TEST(HttpRequest, ConnectionOptions) {
    EXPECT_FALSE(expect_complete("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n").keep_alive);
    EXPECT_FALSE(expect_complete("GET / HTTP/1.1\r\nHost: h\r\nConnection: upgrade, CLOSE\r\n\r\n").keep_alive);
    EXPECT_TRUE(expect_complete("GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\n\r\n").keep_alive);
    // close wins over keep-alive, also across lines.
    EXPECT_FALSE(expect_complete("GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n").keep_alive);
    // "closed" is not "close".
    EXPECT_TRUE(expect_complete("GET / HTTP/1.1\r\nHost: h\r\nConnection: closed\r\n\r\n").keep_alive);
}

TEST(HttpRequest, HigherMinorVersionIsHandledAsHttp11) {
    // RFC 9110 2.5: process as the highest minor version known.
    Outcome o = expect_complete("GET / HTTP/1.9\r\nHost: h\r\n\r\n");
    EXPECT_EQ(o.version, Version::Http11);
    expect_error("GET / HTTP/1.2\r\n\r\n", 400, RequestFault::MissingHost);
}

TEST(HttpRequest, AbsoluteFormHostOverridesHostField) {
    // RFC 9112 3.2.2.
    Outcome o = expect_complete("GET http://example.org:81/docs/../a?b HTTP/1.1\r\nHost: other\r\n\r\n");
    EXPECT_EQ(o.host, "example.org:81");
    EXPECT_EQ(o.path, "/a");
    EXPECT_EQ(o.query, "b");
    // Host is still required in HTTP/1.1 (RFC 9112 3.2).
    expect_error("GET http://example.org/ HTTP/1.1\r\n\r\n", 400, RequestFault::MissingHost);
}

TEST(HttpRequest, PathAboveRootIsCompleteButFlagged) {
    Outcome o = expect_complete("GET /../../etc/passwd HTTP/1.1\r\nHost: h\r\n\r\n");
    EXPECT_TRUE(o.escapes_root);
    EXPECT_EQ(o.path, "");
    o = expect_complete("GET /a/%2e%2e/%2E%2E/x HTTP/1.1\r\nHost: h\r\n\r\n");
    EXPECT_TRUE(o.escapes_root);
}

TEST(HttpRequest, LeadingEmptyLinesAreSkipped) {
    // RFC 9112 2.2: ignore at least one empty line before the request line.
    std::string in = "\r\n\n\r\n" + kGet;
    Outcome o = expect_complete(in);
    EXPECT_EQ(o.consumed, in.size());
    EXPECT_EQ(o.path, "/index.html");
    std::string eight;
    for (int i = 0; i < 8; ++i) eight += "\r\n";
    expect_complete(eight + kGet);
    expect_error(eight + "\r\n" + kGet, 400, RequestFault::TooManyEmptyLines);
}

TEST(HttpRequest, NeedMoreUntilTheEmptyLine) {
    RequestParser parser;
    std::string partial = "GET / HTTP/1.1\r\nHost: h\r\n";
    EXPECT_EQ(int(parser.feed(view(partial)).status), int(ParseStatus::NeedMore));
    partial += "\r";
    EXPECT_EQ(int(parser.feed(view(partial)).status), int(ParseStatus::NeedMore));
    partial += "\n";
    ParseResult r = parser.feed(view(partial));
    EXPECT_EQ(int(r.status), int(ParseStatus::Complete));
    EXPECT_EQ(r.consumed, partial.size());
    // Nothing at all is NeedMore too.
    RequestParser fresh;
    EXPECT_EQ(int(fresh.feed(StringView()).status), int(ParseStatus::NeedMore));
}

// ---- bodies and pipelining ---------------------------------------------------

TEST(HttpRequest, BodyIsSkippedByContentLength) {
    std::string in = "GET /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello";
    Outcome o = expect_complete(in + "GET");
    EXPECT_EQ(o.consumed, in.size());
    EXPECT_EQ(o.content_length, 5u);
    // Until all five bytes are there it needs more.
    EXPECT_EQ(int(parse(in.substr(0, in.size() - 1)).status), int(ParseStatus::NeedMore));
}

TEST(HttpRequest, ContentLengthListOfOneValue) {
    // RFC 9110 8.6: a list of identical values may be taken as that value.
    std::string in = "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 3, 3\r\nContent-Length: 3\r\n\r\nabc";
    Outcome o = expect_complete(in);
    EXPECT_EQ(o.consumed, in.size());
    EXPECT_EQ(o.content_length, 3u);
    // Zero is no body.
    o = expect_complete("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
    EXPECT_EQ(o.content_length, 0u);
}

TEST(HttpRequest, PipelinedRequestsInOneBuffer) {
    std::string first = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n";
    std::string second = "HEAD /b HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nxy";
    std::string third = "GET /c HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
    std::string all = first + second + third + "GET /d";
    RequestParser parser;
    usize at = 0;
    std::vector<std::string> paths;
    std::vector<usize> consumed;
    for (;;) {
        ParseResult r = parser.feed(StringView(all.data() + at, all.size() - at));
        if (r.status != ParseStatus::Complete) {
            EXPECT_EQ(int(r.status), int(ParseStatus::NeedMore));
            break;
        }
        paths.push_back(str(r.request.path));
        consumed.push_back(r.consumed);
        at += r.consumed;
    }
    EXPECT_EQ(paths, (std::vector<std::string> {"/a", "/b", "/c"}));
    EXPECT_EQ(consumed, (std::vector<usize> {first.size(), second.size(), third.size()}));
    EXPECT_EQ(at, all.size() - 6);
}

TEST(HttpRequest, PipelinedRequestsArrivingInPieces) {
    // Three requests, the connection delivering 7 bytes at a time.
    std::string all = "GET /one HTTP/1.1\r\nHost: h\r\n\r\n"
                      "GET /two HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nbody"
                      "GET /three HTTP/1.0\r\n\r\n";
    RequestParser parser;
    usize start = 0, received = 0;
    std::vector<std::string> paths;
    while (received < all.size()) {
        received = std::min(all.size(), received + 7);
        for (;;) {
            ParseResult r = parser.feed(StringView(all.data() + start, received - start));
            if (r.status != ParseStatus::Complete) break;
            paths.push_back(str(r.request.path));
            start += r.consumed;
        }
    }
    EXPECT_EQ(paths, (std::vector<std::string> {"/one", "/two", "/three"}));
    EXPECT_EQ(start, all.size());
}

// ---- 400 Bad Request -------------------------------------------------------------

TEST(HttpRequest, MalformedRequestLine) {
    expect_error(" GET / HTTP/1.1\r\n\r\n", 400, RequestFault::BadMethod);
    expect_error("G(T / HTTP/1.1\r\n\r\n", 400, RequestFault::BadMethod);
    expect_error("GET  / HTTP/1.1\r\n\r\n", 400, RequestFault::BadRequestLine);
    expect_error("GET\t/ HTTP/1.1\r\n\r\n", 400, RequestFault::BadRequestLine);
    expect_error("GET\r\n\r\n", 400, RequestFault::BadRequestLine);
    // HTTP/0.9's simple request has no version.
    expect_error("GET /\r\n\r\n", 400, RequestFault::BadRequestLine);
    expect_error("GET / \r\n\r\n", 400, RequestFault::BadVersion);
}

TEST(HttpRequest, MalformedVersion) {
    for (const char* version : {"http/1.1", "HTTP/1", "HTTP/1.", "HTTP/1.10", "HTTP/11", "HTTP/1.x", "HTTP /1.1",
                                "HTTP/1.1 ", "HTTPS/1.1"}) {
        expect_error(std::string("GET / ") + version + "\r\nHost: h\r\n\r\n", 400, RequestFault::BadVersion);
    }
}

TEST(HttpRequest, MalformedTarget) {
    auto target_error = [](const std::string& target, TargetFault why) {
        std::string in = "GET " + target + " HTTP/1.1\r\nHost: h\r\n\r\n";
        expect_error(in, 400, RequestFault::BadTarget);
        EXPECT_EQ(parse(in).target_fault, why) << target;
    };
    target_error("/a#b", TargetFault::BadChar);
    target_error("/a<b>", TargetFault::BadChar);
    target_error("/caf\xc3\xa9", TargetFault::BadChar);
    target_error("/%zz", TargetFault::BadEscape);
    target_error("/a%2", TargetFault::BadEscape);
    target_error("/a%00.html", TargetFault::ControlByte);
    target_error("/%0d%0aSet-Cookie:x", TargetFault::ControlByte);
    target_error("*", TargetFault::BadForm);
    target_error("a/b", TargetFault::BadForm);
    target_error("http://u:p@h/", TargetFault::BadAuthority);
    expect_error("GET /\x01 HTTP/1.1\r\n\r\n", 400, RequestFault::BadTarget);
}

TEST(HttpRequest, BareCr) {
    // RFC 9112 2.2: a bare CR makes the element invalid.
    expect_error("GET / HTTP/1.1\rHost: h\r\n\r\n", 400, RequestFault::BareCr);
    expect_error("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", 400, RequestFault::BareCr);
    expect_error("GET / HTTP/1.1\r\nHost: h\r\n\rX", 400, RequestFault::BareCr);
    expect_error("\rGET / HTTP/1.1\r\nHost: h\r\n\r\n", 400, RequestFault::BareCr);
}

TEST(HttpRequest, ObsoleteLineFolding) {
    // RFC 9112 5.2: reject obs-fold with 400.
    expect_error("GET / HTTP/1.1\r\nHost: h\r\nX-A: one\r\n two\r\n\r\n", 400, RequestFault::ObsoleteFold);
    expect_error("GET / HTTP/1.1\r\nHost: h\r\nX-A: one\r\n\ttwo\r\n\r\n", 400, RequestFault::ObsoleteFold);
    // Whitespace between the request line and the first field (RFC 9112 2.2).
    expect_error("GET / HTTP/1.1\r\n Host: h\r\n\r\n", 400, RequestFault::ObsoleteFold);
}

TEST(HttpRequest, MalformedFieldLines) {
    // RFC 9112 5.1: whitespace between name and colon MUST be a 400.
    expect_error("GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400, RequestFault::BadFieldName);
    expect_error("GET / HTTP/1.1\r\nHost\t: h\r\n\r\n", 400, RequestFault::BadFieldName);
    expect_error("GET / HTTP/1.1\r\nHost: h\r\n: empty\r\n\r\n", 400, RequestFault::BadFieldName);
    expect_error("GET / HTTP/1.1\r\nHost: h\r\nNo colon here\r\n\r\n", 400, RequestFault::BadFieldName);
    expect_error("GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n", 400, RequestFault::BadFieldName);
    expect_error("GET / HTTP/1.1\r\nHost: h\r\nX(y): 1\r\n\r\n", 400, RequestFault::BadFieldName);
    // Control bytes in a value.
    expect_error("GET / HTTP/1.1\r\nHost: h\r\nX: a\x01z\r\n\r\n", 400, RequestFault::BadFieldValue);
    expect_error("GET / HTTP/1.1\r\nHost: h\r\nX: a\x7f\r\n\r\n", 400, RequestFault::BadFieldValue);
    expect_error(std::string("GET / HTTP/1.1\r\nHost: h\r\nX: a\0b\r\n\r\n", 35), 400, RequestFault::BadFieldValue);
}

TEST(HttpRequest, HostRules) {
    // RFC 9112 3.2: missing (HTTP/1.1), repeated, or invalid Host is a 400.
    expect_error("GET / HTTP/1.1\r\n\r\n", 400, RequestFault::MissingHost);
    expect_error("GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n", 400, RequestFault::DuplicateHost);
    expect_error("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400, RequestFault::DuplicateHost);
    expect_error("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400, RequestFault::BadHost);
    expect_error("GET / HTTP/1.1\r\nHost: user@h\r\n\r\n", 400, RequestFault::BadHost);
    expect_error("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400, RequestFault::BadHost);
    expect_complete("GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n");
}

TEST(HttpRequest, BadContentLength) {
    // RFC 9112 6.3: an invalid Content-Length is an unrecoverable error.
    for (const char* value : {"abc", "", "-1", "+5", "5 5", "0x10", "5, 6", "1.0"}) {
        expect_error(std::string("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: ") + value + "\r\n\r\n", 400,
                     RequestFault::BadContentLength);
    }
    expect_error("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400,
                 RequestFault::BadContentLength);
}

// ---- 405, 411, 413, 414, 431, 501, 505 ---------------------------------------------

TEST(HttpRequest, MethodsOtherThanGetAndHead) {
    for (const char* method : {"POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE", "get", "Head"})
        expect_error(std::string(method) + " / HTTP/1.1\r\nHost: h\r\n\r\n", 405, RequestFault::MethodNotAllowed);
    // Decided at the space after the method, before the rest arrives.
    EXPECT_EQ(parse("DELETE ").error_status, 405);
    // A token longer than any method known is decided at its 17th byte.
    EXPECT_EQ(parse(std::string(16, 'A')).status, ParseStatus::NeedMore);
    EXPECT_EQ(parse(std::string(17, 'A')).error_status, 405);
}

TEST(HttpRequest, ChunkedBodiesAndTransferCodings) {
    auto with_te = [](const std::string& fields) { return "POST / HTTP/1.1\r\nHost: h\r\n" + fields + "\r\n"; };
    // GET, since any other method is 405 first.
    auto get_te = [](const std::string& fields) { return "GET / HTTP/1.1\r\nHost: h\r\n" + fields + "\r\n"; };
    EXPECT_EQ(parse(with_te("Transfer-Encoding: chunked\r\n")).error_status, 405);
    // A chunked body: httpd asks for a Content-Length instead (RFC 9112 6.3).
    expect_error(get_te("Transfer-Encoding: chunked\r\n"), 411, RequestFault::ChunkedBody);
    expect_error(get_te("Transfer-Encoding: Chunked\r\n"), 411, RequestFault::ChunkedBody);
    // With a Content-Length too: Transfer-Encoding overrides it (RFC 9112 6.3).
    expect_error(get_te("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"), 411, RequestFault::ChunkedBody);
    // An unknown coding: 501 (RFC 9112 6.1).
    expect_error(get_te("Transfer-Encoding: gzip, chunked\r\n"), 501, RequestFault::UnknownTransferCoding);
    expect_error(get_te("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"), 501,
                 RequestFault::UnknownTransferCoding);
    // Not ending in chunked: the body's length cannot be known (MUST 400).
    expect_error(get_te("Transfer-Encoding: chunked, gzip\r\n"), 400, RequestFault::ChunkedNotFinal);
    expect_error(get_te("Transfer-Encoding: gzip\r\n"), 400, RequestFault::ChunkedNotFinal);
    expect_error(get_te("Transfer-Encoding:\r\n"), 400, RequestFault::ChunkedNotFinal);
    // chunked at most once (RFC 9112 7).
    expect_error(get_te("Transfer-Encoding: chunked, chunked\r\n"), 400, RequestFault::ChunkedTwice);
    // In HTTP/1.0 the field means faulty framing (RFC 9112 6.1).
    expect_error("GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400, RequestFault::TransferEncodingHttp10);
}

TEST(HttpRequest, BodyTooLarge) {
    std::string head = "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: ";
    expect_error(head + std::to_string(kMaxBodyBytes + 1) + "\r\n\r\n", 413, RequestFault::BodyTooLarge);
    expect_error(head + "99999999999999999999999999\r\n\r\n", 413, RequestFault::BodyTooLarge);
    std::string at_limit = head + std::to_string(kMaxBodyBytes) + "\r\n\r\n";
    EXPECT_EQ(parse(at_limit).status, ParseStatus::NeedMore);
    Outcome o = expect_complete(at_limit + std::string(kMaxBodyBytes, 'b'));
    EXPECT_EQ(o.consumed, at_limit.size() + kMaxBodyBytes);
}

TEST(HttpRequest, TargetTooLong) {
    std::string at_limit = "/" + std::string(kMaxTargetBytes - 1, 'a');
    Outcome o = expect_complete("GET " + at_limit + " HTTP/1.1\r\nHost: h\r\n\r\n");
    EXPECT_EQ(o.path.size(), kMaxTargetBytes);
    expect_error("GET " + at_limit + "a HTTP/1.1\r\nHost: h\r\n\r\n", 414, RequestFault::TargetTooLong);
    // Decided as soon as the target passes the bound, without waiting for
    // the line's end (and whatever a bad byte later would have said).
    expect_error("GET " + at_limit + "a", 414, RequestFault::TargetTooLong);
    expect_error("GET " + at_limit + "a\x01 HTTP/9.9\r\n\r\n", 414, RequestFault::TargetTooLong);
}

TEST(HttpRequest, HeaderSectionTooLarge) {
    // The header section counts from the first field line through the
    // empty line: "Host: h\r\n" (9) + "X: " (3) + n + "\r\n" (2) + "\r\n" (2).
    std::string head = "GET / HTTP/1.1\r\nHost: h\r\nX: ";
    usize n = kMaxHeaderBytes - 16;
    Outcome o = expect_complete(head + std::string(n, 'v') + "\r\n\r\n");
    EXPECT_EQ(o.status, ParseStatus::Complete);
    expect_error(head + std::string(n + 1, 'v') + "\r\n\r\n", 431, RequestFault::HeaderTooLarge);
    // An endless field is cut off without its end.
    expect_error(head + std::string(kMaxHeaderBytes, 'v'), 431, RequestFault::HeaderTooLarge);
}

TEST(HttpRequest, TooManyFields) {
    std::string in = "GET / HTTP/1.1\r\nHost: h\r\n";
    for (usize i = 1; i < kMaxHeaderFields; ++i) in += "X: 1\r\n";
    expect_complete(in + "\r\n");
    expect_error(in + "X: 1\r\n\r\n", 431, RequestFault::TooManyFields);
}

TEST(HttpRequest, VersionNotSupported) {
    for (const char* version : {"HTTP/2.0", "HTTP/3.0", "HTTP/0.9", "HTTP/9.1"})
        expect_error(std::string("GET / ") + version + "\r\nHost: h\r\n\r\n", 505, RequestFault::VersionNotSupported);
}

// ---- incremental behaviour ------------------------------------------------------

TEST(HttpRequest, ErrorsAreSticky) {
    RequestParser parser;
    std::string in = "POST / HTTP/1.1\r\n";
    EXPECT_EQ(parser.feed(view(in)).error_status, 405);
    in += "Host: h\r\n\r\n";
    EXPECT_EQ(parser.feed(view(in)).error_status, 405);
    parser.reset();
    EXPECT_EQ(parser.feed(view(kGet)).status, ParseStatus::Complete);
}

TEST(HttpRequest, ByteAtATimeMatchesWhole) {
    const std::vector<std::string> inputs = {
        kGet,
        "HEAD /a/../b?q=1 HTTP/1.0\r\nConnection: keep-alive\r\nRange: bytes=-5\r\n\r\n",
        "\r\n\r\nGET / HTTP/1.1\nHost: h\n\n",
        "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabcGET",
        "GET http://h:1/x HTTP/1.1\r\nHost: o\r\nIf-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n",
        "GET /%2e%2e HTTP/1.1\r\nHost: h\r\n\r\n",
        "PUT / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n",
        "GET /%00 HTTP/1.1\r\n\r\n",
        "GET / HTTP/2.0\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 2000\r\n\r\n",
        "GET /" + std::string(2000, 'x') + " HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(5000, 'x') + "\r\n\r\n",
    };
    for (const auto& in : inputs) {
        Outcome whole = parse(in);
        Outcome bytewise = parse_bytewise(in);
        EXPECT_TRUE(whole == bytewise) << in.substr(0, 80);
        EXPECT_NE(whole.status, ParseStatus::NeedMore) << in.substr(0, 80);
    }
}

TEST(HttpRequest, RepeatedFieldsAreCounted) {
    Outcome o = expect_complete("GET / HTTP/1.1\r\nHost: h\r\nRange: bytes=0-1\r\nRange: bytes=5-6\r\n\r\n");
    EXPECT_EQ(o.range, "bytes=0-1");
    EXPECT_EQ(o.range_count, 2);
}

// ---- conditional requests ------------------------------------------------------

constexpr i64 kNow = 1700000000;      // Tue, 14 Nov 2023 22:13:20 GMT
constexpr i64 kImsTime = 784111777;   // Sun, 06 Nov 1994 08:49:37 GMT

bool not_modified(const std::string& fields, i64 mtime) {
    std::string in = "GET / HTTP/1.1\r\nHost: h\r\n" + fields + "\r\n";
    RequestParser parser;
    ParseResult r = parser.feed(view(in));
    EXPECT_EQ(r.status, ParseStatus::Complete) << in;
    return is_not_modified(r.request, mtime, kNow);
}

TEST(HttpRequest, IfModifiedSince) {
    const std::string ims = "If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n";
    // Not modified when the file's time is at or before the date.
    EXPECT_TRUE(not_modified(ims, kImsTime));
    EXPECT_TRUE(not_modified(ims, kImsTime - 1));
    EXPECT_FALSE(not_modified(ims, kImsTime + 1));
    // The obsolete forms name the same instant.
    EXPECT_TRUE(not_modified("If-Modified-Since: Sunday, 06-Nov-94 08:49:37 GMT\r\n", kImsTime));
    EXPECT_TRUE(not_modified("If-Modified-Since: Sun Nov  6 08:49:37 1994\r\n", kImsTime));
    // Ignored (RFC 9110 13.1.3): an invalid date, a date after now, two members.
    EXPECT_FALSE(not_modified("If-Modified-Since: yesterday\r\n", 0));
    EXPECT_FALSE(not_modified("If-Modified-Since: Fri, 31 Dec 9999 23:59:59 GMT\r\n", 0));
    EXPECT_FALSE(not_modified(ims + ims, kImsTime));
    EXPECT_FALSE(not_modified("", 0));
}

TEST(HttpRequest, IfNoneMatchDecidesAlone) {
    const std::string ims = "If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n";
    // httpd sends no entity tags, so only "*" matches an existing file.
    EXPECT_TRUE(not_modified("If-None-Match: *\r\n", kNow));
    EXPECT_FALSE(not_modified("If-None-Match: \"abc\"\r\n" + ims, kImsTime));
    EXPECT_FALSE(not_modified("If-None-Match: W/\"x\", \"y\"\r\n", 0));
}

TEST(HttpRequest, FaultNames) {
    EXPECT_STREQ(request_fault_name(RequestFault::None), "None");
    EXPECT_STREQ(request_fault_name(RequestFault::ChunkedBody), "ChunkedBody");
    EXPECT_STREQ(request_fault_name(RequestFault(200)), "UnknownRequestFault");
}

}  // namespace
