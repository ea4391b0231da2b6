// wget's HTTP/1.1 response parser (user/programs/wget/response_parser.*):
// every state and way out of it, chunk extensions and trailers, interim
// responses, the framing rules of RFC 9112 6.3 (Content-Length that lies
// in both directions, chunked, the close), every bound with its named
// fault, sizes that overflow, and the promise that matters most to a
// client reading a socket: cut the bytes anywhere (at every byte boundary,
// or one byte at a time) and the result is the same.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "wget/response_parser.hpp"

using namespace mote;
using namespace mote::wget;

namespace {

std::string str(StringView v) { return std::string(v.data(), v.length()); }

// Everything a parse showed, in order: each head (its status and fields),
// the body bytes, and how it ended.
struct Transcript {
    std::string marks;      // "I100[...];H200[a=b,...];E" or "...X<fault>"
    std::string body;
    usize consumed = 0;     // bytes of the input that belonged to the message
    bool finished = false;  // End or Error seen
    ResponseFault fault = ResponseFault::None;
    std::vector<Event> events;
};

void record_head(const ResponseParser& p, char kind, Transcript& t) {
    t.marks += kind + std::to_string(p.status()) + "[";
    for (usize i = 0; i < p.field_count(); ++i) {
        HeaderField f = p.field(i);
        t.marks += str(f.name) + "=" + str(f.value) + (i + 1 < p.field_count() ? "," : "");
    }
    t.marks += "];";
}

void record(const ResponseParser& p, const Step& step, Transcript& t) {
    t.events.push_back(step.event);
    switch (step.event) {
    case Event::NeedMore: break;
    case Event::Interim: record_head(p, 'I', t); break;
    case Event::Head: record_head(p, 'H', t); break;
    case Event::Body:
        EXPECT_FALSE(step.body.empty());
        t.body += str(step.body);
        break;
    case Event::End:
        t.marks += "E";
        t.finished = true;
        break;
    case Event::Error:
        t.marks += std::string("X") + response_fault_name(p.fault());
        t.fault = p.fault();
        t.finished = true;
        break;
    }
}

// Feeds one piece as wget does: step after step until the parser has
// taken all of it.
void feed(ResponseParser& p, const std::string& piece, Transcript& t) {
    StringView rest(piece.data(), piece.size());
    while (!t.finished) {
        Step step = p.feed(rest);
        EXPECT_LE(step.consumed, rest.length());
        if (step.event == Event::Body) {
            // The body is a view into the input, inside what was consumed.
            EXPECT_GE(step.body.data(), rest.data());
            EXPECT_LE(step.body.data() + step.body.length(), rest.data() + step.consumed);
        }
        t.consumed += step.consumed;
        rest = rest.substr(step.consumed);
        record(p, step, t);
        if (step.event == Event::NeedMore) {
            EXPECT_TRUE(rest.empty());
            return;
        }
    }
}

void finish(ResponseParser& p, Transcript& t) {
    if (t.finished) return;
    record(p, p.finish(), t);
}

// The whole input at once; `close` then ends the stream.
Transcript parse(const std::string& input, bool close = true) {
    ResponseParser p;
    Transcript t;
    feed(p, input, t);
    if (close) finish(p, t);
    return t;
}

Transcript parse_pieces(const std::vector<std::string>& pieces, bool close = true) {
    ResponseParser p;
    Transcript t;
    for (const std::string& piece : pieces) feed(p, piece, t);
    if (close) finish(p, t);
    return t;
}

ResponseFault fault_of(const std::string& input, bool close = true) { return parse(input, close).fault; }

const std::string kOk = "HTTP/1.1 200 OK\r\n";

// ---- the status line ------------------------------------------------------------

TEST(WgetResponse, StatusLineVersionCodeAndReason) {
    ResponseParser p;
    Transcript t;
    feed(p, "HTTP/1.0 404 Not Found Here\r\nContent-Length: 0\r\n\r\n", t);
    EXPECT_EQ(t.marks, "H404[Content-Length=0];E");
    EXPECT_EQ(p.status(), 404);
    EXPECT_EQ(p.minor_version(), 0);
    EXPECT_EQ(str(p.reason()), "Not Found Here");
    EXPECT_EQ(str(p.status_line()), "HTTP/1.0 404 Not Found Here");
}

TEST(WgetResponse, ReasonMayBeEmptyOrMissing) {
    for (const char* line : {"HTTP/1.1 200 \r\n", "HTTP/1.1 200\r\n"}) {
        ResponseParser p;
        Transcript t;
        feed(p, std::string(line) + "Content-Length: 0\r\n\r\n", t);
        EXPECT_EQ(t.marks, "H200[Content-Length=0];E") << line;
        EXPECT_EQ(str(p.reason()), "") << line;
    }
}

TEST(WgetResponse, MalformedStatusLinesAreNamed) {
    const std::pair<const char*, ResponseFault> cases[] = {
        {"HTTP/2 200 OK\r\n\r\n", ResponseFault::BadStatusLine},
        {"http/1.1 200 OK\r\n\r\n", ResponseFault::BadStatusLine},
        {"HTTP/1.1 20 OK\r\n\r\n", ResponseFault::BadStatusLine},
        {"HTTP/1.1  200 OK\r\n\r\n", ResponseFault::BadStatusLine},
        {"HTTP/1.1 2x0 OK\r\n\r\n", ResponseFault::BadStatusLine},
        {"HTTP/1.1 200OK\r\n\r\n", ResponseFault::BadStatusLine},
        {"HTTP/1.1 200 O\x01K\r\n\r\n", ResponseFault::BadStatusLine},
        {"<html>hello</html>\r\n", ResponseFault::BadStatusLine},
        {"\r\n", ResponseFault::BadStatusLine},
        {"HTTP/2.0 200 OK\r\n\r\n", ResponseFault::VersionNotSupported},
        {"HTTP/0.9 200 OK\r\n\r\n", ResponseFault::VersionNotSupported},
        {"HTTP/1.1 099 Low\r\n\r\n", ResponseFault::BadStatusCode},
        {"HTTP/1.1 600 High\r\n\r\n", ResponseFault::BadStatusCode},
        {"HTTP/1.1 200 OK\rX", ResponseFault::BareCr},
    };
    for (const auto& [input, fault] : cases) EXPECT_EQ(fault_of(input), fault) << input;
}

TEST(WgetResponse, StatusLineIsBoundedAtItsLimit) {
    // kMaxStatusLineBytes with the CRLF is taken; one byte more is not,
    // and the refusal comes at that byte, without waiting for the end.
    std::string line = "HTTP/1.1 200 ";
    line += std::string(kMaxStatusLineBytes - line.size() - 2, 'r');
    EXPECT_EQ(parse(line + "\r\nContent-Length: 0\r\n\r\n").marks, "H200[Content-Length=0];E");
    Transcript t = parse(line + "rrr", false);
    EXPECT_EQ(t.fault, ResponseFault::StatusLineTooLong);
    EXPECT_EQ(t.consumed, kMaxStatusLineBytes + 1);
}

// ---- fields -----------------------------------------------------------------------

TEST(WgetResponse, FieldsAreKeptWithTheirValuesTrimmed) {
    ResponseParser p;
    Transcript t;
    feed(p,
         kOk + "Content-Length: 2\r\nX-Empty:\r\nX-Spaces: \t a b \t\r\nx-caps:Obs\xe9Text\r\nX-Empty: again\r\n\r\nhi",
         t);
    EXPECT_EQ(t.marks, "H200[Content-Length=2,X-Empty=,X-Spaces=a b,x-caps=Obs\xe9Text,X-Empty=again];E");
    StringView value;
    EXPECT_EQ(p.find("x-empty", value), 2u);
    EXPECT_EQ(str(value), "");  // the first one's
    EXPECT_EQ(p.find("X-CAPS", value), 1u);
    EXPECT_EQ(str(value), "Obs\xe9Text");
    EXPECT_EQ(p.find("location", value), 0u);
    EXPECT_EQ(t.body, "hi");
}

TEST(WgetResponse, ObsoleteFoldBecomesOneSpace) {
    // RFC 9112 5.2: a user agent replaces obs-fold with SP.
    EXPECT_EQ(parse(kOk + "X-Long: first\r\n  second\r\n\tthird\r\nContent-Length: 0\r\n\r\n").marks,
              "H200[X-Long=first second third,Content-Length=0];E");
    EXPECT_EQ(parse(kOk + "X-Empty:\r\n folded\r\nContent-Length: 0\r\n\r\n").marks,
              "H200[X-Empty=folded,Content-Length=0];E");
}

TEST(WgetResponse, LoneLfEndsLines) {
    EXPECT_EQ(parse("HTTP/1.1 200 OK\nContent-Length: 3\n\nabc").marks, "H200[Content-Length=3];E");
    EXPECT_EQ(parse("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\nabc\n0\nT: 1\n\n").body, "abc");
}

TEST(WgetResponse, MalformedFieldsAreNamed) {
    const std::pair<std::string, ResponseFault> cases[] = {
        {kOk + " Leading: space\r\n\r\n", ResponseFault::WhitespaceBeforeField},
        {kOk + "\tLeading: tab\r\n\r\n", ResponseFault::WhitespaceBeforeField},
        {kOk + "Name : value\r\n\r\n", ResponseFault::BadFieldName},
        {kOk + ": value\r\n\r\n", ResponseFault::BadFieldName},
        {kOk + "Na(me: value\r\n\r\n", ResponseFault::BadFieldName},
        {kOk + "No colon\r\n\r\n", ResponseFault::BadFieldName},
        {kOk + "NoColon\r\n\r\n", ResponseFault::BadFieldName},
        {kOk + "Name: a\x01z\r\n\r\n", ResponseFault::BadFieldValue},
        {kOk + "Name: a\x7fz\r\n\r\n", ResponseFault::BadFieldValue},
        {kOk + "Name: a\rz\r\n\r\n", ResponseFault::BareCr},
        {kOk + "Name: a\r\n\rX", ResponseFault::BareCr},
    };
    for (const auto& [input, fault] : cases) EXPECT_EQ(fault_of(input), fault) << input;
    std::string with_nul = kOk + "Name: a";
    with_nul += '\0';
    with_nul += "z\r\n\r\n";
    EXPECT_EQ(fault_of(with_nul), ResponseFault::BadFieldValue);
}

TEST(WgetResponse, FieldCountIsBounded) {
    std::string head = kOk;
    for (usize i = 0; i < kMaxFields - 1; ++i) head += "F" + std::to_string(i) + ": v\r\n";
    EXPECT_EQ(fault_of(head + "Content-Length: 0\r\n\r\n"), ResponseFault::None);
    EXPECT_EQ(fault_of(head + "One: more\r\nContent-Length: 0\r\n\r\n"), ResponseFault::TooManyFields);
}

TEST(WgetResponse, HeadSizeIsBounded) {
    // The whole head, as received, up to kMaxHeadBytes; the fault comes at
    // the first byte past it.
    const std::string ending = "Content-Length: 0\r\n\r\n";
    std::string head = kOk + "X: ";
    head += std::string(kMaxHeadBytes - head.size() - 2 - ending.size(), 'v') + "\r\n";
    EXPECT_EQ(head.size() + ending.size(), kMaxHeadBytes);
    EXPECT_EQ(fault_of(head + ending), ResponseFault::None);
    Transcript t = parse(head + "C" + ending, false);
    EXPECT_EQ(t.fault, ResponseFault::HeaderTooLarge);
    EXPECT_EQ(t.consumed, kMaxHeadBytes + 1);
    // Folds count what arrived, not what is kept.
    std::string folds = kOk + "X: a\r\n";
    while (folds.size() < kMaxHeadBytes) folds += "           \r\n";
    EXPECT_EQ(fault_of(folds + "\r\n"), ResponseFault::HeaderTooLarge);
}

// ---- interim responses ---------------------------------------------------------------

TEST(WgetResponse, InterimResponsesAreSkipped) {
    ResponseParser p;
    // Each interim head is readable until the next feed.
    Step step = p.feed("HTTP/1.1 100 Continue\r\n\r\n");
    EXPECT_EQ(step.event, Event::Interim);
    EXPECT_EQ(p.status(), 100);
    EXPECT_EQ(p.field_count(), 0u);
    const std::string hints = "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n";
    step = p.feed(StringView(hints.data(), hints.size()));
    EXPECT_EQ(step.event, Event::Interim);
    EXPECT_EQ(step.consumed, hints.size());
    EXPECT_EQ(p.status(), 103);
    EXPECT_EQ(str(p.reason()), "Early Hints");
    ASSERT_EQ(p.field_count(), 1u);
    EXPECT_EQ(str(p.field(0).value), "</style.css>; rel=preload");
    Transcript t;
    feed(p, kOk + "Content-Length: 1\r\n\r\nx", t);
    EXPECT_EQ(t.marks, "H200[Content-Length=1];E");
    EXPECT_EQ(p.interim_count(), 2u);
    EXPECT_EQ(p.field_count(), 1u);  // the final head's fields only
    EXPECT_EQ(t.body, "x");
}

TEST(WgetResponse, InterimResponsesAreBounded) {
    std::string input;
    for (usize i = 0; i < kMaxInterim; ++i) input += "HTTP/1.1 102 Processing\r\n\r\n";
    EXPECT_EQ(fault_of(input + kOk + "Content-Length: 0\r\n\r\n"), ResponseFault::None);
    EXPECT_EQ(fault_of(input + "HTTP/1.1 100 Continue\r\n\r\n" + kOk), ResponseFault::TooManyInterim);
}

TEST(WgetResponse, SwitchingProtocolsWasNotAskedFor) {
    EXPECT_EQ(fault_of("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n"), ResponseFault::UnexpectedSwitch);
}

// ---- Content-Length ------------------------------------------------------------------

TEST(WgetResponse, ContentLengthFramesTheBody) {
    Transcript t = parse(kOk + "Content-Length: 5\r\n\r\nhello");
    EXPECT_EQ(t.marks, "H200[Content-Length=5];E");
    EXPECT_EQ(t.body, "hello");
}

TEST(WgetResponse, ContentLengthLongerThanTheBodyIsTruncation) {
    ResponseParser p;
    Transcript t;
    feed(p, kOk + "Content-Length: 10\r\n\r\nhello", t);
    EXPECT_FALSE(t.finished);
    finish(p, t);
    EXPECT_EQ(t.fault, ResponseFault::TruncatedBody);
    EXPECT_EQ(t.body, "hello");  // what came is delivered, and counted
    EXPECT_EQ(p.body_bytes(), 5u);
    EXPECT_EQ(p.content_length(), 10u);
}

TEST(WgetResponse, ContentLengthShorterThanTheBodyEndsAtTheLength) {
    const std::string head = kOk + "Content-Length: 3\r\n\r\n";
    Transcript t = parse(head + "abcdef", false);
    EXPECT_EQ(t.marks, "H200[Content-Length=3];E");
    EXPECT_EQ(t.body, "abc");
    EXPECT_EQ(t.consumed, head.size() + 3);  // "def" is not the message's
}

TEST(WgetResponse, ZeroLengthEndsAtTheHead) {
    const std::string head = kOk + "Content-Length: 0\r\n\r\n";
    Transcript t = parse(head + "junk", false);
    EXPECT_EQ(t.marks, "H200[Content-Length=0];E");
    EXPECT_EQ(t.consumed, head.size());
}

TEST(WgetResponse, ContentLengthListsOfOneValueAreThatValue) {
    EXPECT_EQ(parse(kOk + "Content-Length: 3, 3\r\n\r\nabc").body, "abc");
    EXPECT_EQ(parse(kOk + "Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc").body, "abc");
    EXPECT_EQ(parse(kOk + "Content-Length: 007\r\n\r\n1234567").body, "1234567");
}

TEST(WgetResponse, BadContentLengthsAreNamed) {
    const std::pair<const char*, ResponseFault> cases[] = {
        {"Content-Length: abc\r\n", ResponseFault::BadContentLength},
        {"Content-Length: \r\n", ResponseFault::BadContentLength},
        {"Content-Length: ,\r\n", ResponseFault::BadContentLength},
        {"Content-Length: +5\r\n", ResponseFault::BadContentLength},
        {"Content-Length: -1\r\n", ResponseFault::BadContentLength},
        {"Content-Length: 0x10\r\n", ResponseFault::BadContentLength},
        {"Content-Length: 1 2\r\n", ResponseFault::BadContentLength},
        {"Content-Length: 3, 4\r\n", ResponseFault::BadContentLength},
        {"Content-Length: 3\r\nContent-Length: 4\r\n", ResponseFault::BadContentLength},
        {"Content-Length: 18446744073709551616\r\n", ResponseFault::ContentLengthTooLarge},
        {"Content-Length: 99999999999999999999999999\r\n", ResponseFault::ContentLengthTooLarge},
    };
    for (const auto& [field, fault] : cases) EXPECT_EQ(fault_of(kOk + field + "\r\n"), fault) << field;
    // The largest length there is parses (and the body is then short).
    ResponseParser p;
    Transcript t;
    feed(p, kOk + "Content-Length: 18446744073709551615\r\n\r\nab", t);
    EXPECT_EQ(p.content_length(), ~u64(0));
    EXPECT_EQ(t.body, "ab");
}

// ---- no body, and the close ----------------------------------------------------------

TEST(WgetResponse, NoContentAndNotModifiedHaveNoBody) {
    for (const char* status : {"204 No Content", "304 Not Modified"}) {
        const std::string head = std::string("HTTP/1.1 ") + status + "\r\nContent-Length: 10\r\nTransfer-Encoding: x\r\n\r\n";
        ResponseParser p;
        Transcript t;
        feed(p, head + "0123456789", t);
        EXPECT_EQ(t.fault, ResponseFault::None) << status;
        EXPECT_TRUE(t.body.empty()) << status;
        EXPECT_EQ(t.consumed, head.size()) << status;
        EXPECT_EQ(p.framing(), Framing::None);
    }
}

TEST(WgetResponse, BodyWithoutFramingRunsToTheClose) {
    ResponseParser p;
    Transcript t;
    feed(p, "HTTP/1.0 200 OK\r\nServer: old\r\n\r\nsome ", t);
    feed(p, "bytes", t);
    EXPECT_FALSE(t.finished);
    EXPECT_EQ(p.framing(), Framing::UntilClose);
    finish(p, t);
    EXPECT_EQ(t.marks, "H200[Server=old];E");
    EXPECT_EQ(t.body, "some bytes");
}

TEST(WgetResponse, ClosingEarlyIsNamedByWhereItHappened) {
    EXPECT_EQ(fault_of(""), ResponseFault::NoResponse);
    EXPECT_EQ(fault_of("HTTP/1.1 2"), ResponseFault::TruncatedHead);
    EXPECT_EQ(fault_of(kOk + "Content-Le"), ResponseFault::TruncatedHead);
    EXPECT_EQ(fault_of(kOk + "A: b\r\n\r"), ResponseFault::TruncatedHead);
    EXPECT_EQ(fault_of("HTTP/1.1 100 Continue\r\n\r\n"), ResponseFault::TruncatedHead);
    EXPECT_EQ(fault_of(kOk + "Transfer-Encoding: chunked\r\n\r\n"), ResponseFault::TruncatedChunked);
    EXPECT_EQ(fault_of(kOk + "Transfer-Encoding: chunked\r\n\r\n5\r\nab"), ResponseFault::TruncatedChunked);
    EXPECT_EQ(fault_of(kOk + "Transfer-Encoding: chunked\r\n\r\n0\r\n"), ResponseFault::TruncatedChunked);
    EXPECT_EQ(fault_of(kOk + "Transfer-Encoding: chunked\r\n\r\n0\r\nT: x\r\n"), ResponseFault::TruncatedChunked);
}

// ---- Transfer-Encoding ---------------------------------------------------------------

const std::string kChunked = kOk + "Transfer-Encoding: chunked\r\n\r\n";

TEST(WgetResponse, ChunkedBodyIsDecoded) {
    Transcript t = parse(kChunked + "4\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\n\r\n");
    EXPECT_EQ(t.marks, "H200[Transfer-Encoding=chunked];E");
    EXPECT_EQ(t.body, "Wikipedia in\r\n\r\nchunks.");
}

TEST(WgetResponse, ChunkSizesAreHexOfAnyCaseWithLeadingZeros) {
    const std::string twenty_six(26, 'z');
    EXPECT_EQ(parse(kChunked + "1a\r\n" + twenty_six + "\r\n0\r\n\r\n").body, twenty_six);
    EXPECT_EQ(parse(kChunked + "1A\r\n" + twenty_six + "\r\n0\r\n\r\n").body, twenty_six);
    EXPECT_EQ(parse(kChunked + "0000000000000000000000001a\r\n" + twenty_six + "\r\n000\r\n\r\n").body, twenty_six);
}

TEST(WgetResponse, ChunkExtensionsAreIgnored) {
    Transcript t = parse(kChunked + "3;name=value\r\nabc\r\n2 ; a=\"quoted; \\\"x\\\"\" ;b\r\nde\r\n0;last\r\n\r\n");
    EXPECT_EQ(t.fault, ResponseFault::None);
    EXPECT_EQ(t.body, "abcde");
    EXPECT_EQ(parse(kChunked + "3 \t\r\nabc\r\n0\r\n\r\n").body, "abc");  // BWS before the CRLF
}

TEST(WgetResponse, TrailersAreReadAndDropped) {
    const std::string message = kChunked + "3\r\nabc\r\n0\r\nX-Checksum: 1234\r\nX-Other:\r\n  folded\r\n\r\n";
    Transcript t = parse(message + "after", false);
    EXPECT_EQ(t.marks, "H200[Transfer-Encoding=chunked];E");
    EXPECT_EQ(t.body, "abc");
    EXPECT_EQ(t.consumed, message.size());
}

TEST(WgetResponse, BadChunksAreNamed) {
    const std::pair<std::string, ResponseFault> cases[] = {
        {"g\r\n", ResponseFault::BadChunkSize},
        {"\r\n", ResponseFault::BadChunkSize},
        {";ext\r\n", ResponseFault::BadChunkSize},
        {"-1\r\n", ResponseFault::BadChunkSize},
        {"0x10\r\n", ResponseFault::BadChunkSize},
        {"4x\r\nWiki\r\n", ResponseFault::BadChunkSize},
        {"4 5\r\n", ResponseFault::BadChunkSize},
        {"1ffffffffffffffff\r\n", ResponseFault::ChunkSizeOverflow},
        {"10000000000000000\r\n", ResponseFault::ChunkSizeOverflow},
        {"4;a=\x01\r\n", ResponseFault::BadChunkExtension},
        {"4\rX", ResponseFault::BareCr},
        {"4\r\nWikiX", ResponseFault::MissingChunkEnd},
        {"4\r\nWiki\rX", ResponseFault::MissingChunkEnd},
        {"4\r\nWiki\r\n0\r\n: x\r\n\r\n", ResponseFault::BadTrailer},
        {"0\r\n x\r\n\r\n", ResponseFault::BadTrailer},  // a fold with nothing to fold
        {"0\r\nT x\r\n\r\n", ResponseFault::BadTrailer},
        {"0\r\nT: a\x01\r\n\r\n", ResponseFault::BadTrailer},
        {"0\r\nT: a\rX", ResponseFault::BareCr},
        {"0\r\n\rX", ResponseFault::BareCr},
    };
    for (const auto& [body, fault] : cases) EXPECT_EQ(fault_of(kChunked + body), fault) << body;
    // The largest size there is parses; its data then never ends.
    EXPECT_EQ(fault_of(kChunked + "ffffffffffffffff\r\nabc"), ResponseFault::TruncatedChunked);
}

TEST(WgetResponse, ChunkLinesAndTrailersAreBounded) {
    const std::string at_limit = "3;" + std::string(kMaxChunkLineBytes - 4, 'e') + "\r\n";
    EXPECT_EQ(at_limit.size(), kMaxChunkLineBytes);
    EXPECT_EQ(parse(kChunked + at_limit + "abc\r\n0\r\n\r\n").body, "abc");
    EXPECT_EQ(fault_of(kChunked + "3;e" + at_limit.substr(2)), ResponseFault::ChunkLineTooLong);
    // Leading zeros count against the line too: a size can't go on for ever.
    EXPECT_EQ(fault_of(kChunked + std::string(kMaxChunkLineBytes + 1, '0')), ResponseFault::ChunkLineTooLong);
    std::string trailer = "T: " + std::string(kMaxTrailerBytes - 7, 't') + "\r\n";
    EXPECT_EQ(trailer.size() + 2, kMaxTrailerBytes);
    EXPECT_EQ(fault_of(kChunked + "0\r\n" + trailer + "\r\n"), ResponseFault::None);
    EXPECT_EQ(fault_of(kChunked + "0\r\nX" + trailer + "\r\n"), ResponseFault::TrailerTooLarge);
}

TEST(WgetResponse, CodingsWgetCannotUndoAreRefused) {
    const std::pair<const char*, ResponseFault> cases[] = {
        {"Transfer-Encoding: gzip, chunked\r\n", ResponseFault::UnsupportedTransferCoding},
        {"Transfer-Encoding: chunked, gzip\r\n", ResponseFault::UnsupportedTransferCoding},
        {"Transfer-Encoding: gzip\r\n", ResponseFault::UnsupportedTransferCoding},
        {"Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", ResponseFault::UnsupportedTransferCoding},
        {"Transfer-Encoding: ,\r\n", ResponseFault::UnsupportedTransferCoding},
        {"Transfer-Encoding: chunked, chunked\r\n", ResponseFault::ChunkedTwice},
        {"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", ResponseFault::ChunkedTwice},
        {"Transfer-Encoding: chunked\r\nContent-Length: 3\r\n", ResponseFault::ConflictingFraming},
        {"Content-Length: 3\r\nTransfer-Encoding: chunked\r\n", ResponseFault::ConflictingFraming},
    };
    for (const auto& [fields, fault] : cases) EXPECT_EQ(fault_of(kOk + fields + "\r\n"), fault) << fields;
    EXPECT_EQ(fault_of("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
              ResponseFault::TransferEncodingHttp10);
    // Names and codings are case-insensitive; empty list elements are skipped.
    EXPECT_EQ(parse(kOk + "TRANSFER-ENCODING: , Chunked ,\r\n\r\n1\r\nx\r\n0\r\n\r\n").body, "x");
}

// ---- after the end --------------------------------------------------------------------

TEST(WgetResponse, EndAndErrorAreFinal) {
    ResponseParser p;
    Transcript t;
    feed(p, kOk + "Content-Length: 1\r\n\r\nx", t);
    Step again = p.feed("more");
    EXPECT_EQ(again.event, Event::End);
    EXPECT_EQ(again.consumed, 0u);
    EXPECT_EQ(p.finish().event, Event::End);

    ResponseParser bad;
    Transcript u;
    feed(bad, "HTTP/9.9 200 OK\r\n", u);
    EXPECT_EQ(u.fault, ResponseFault::VersionNotSupported);
    Step after = bad.feed(StringView(kOk.data(), kOk.size()));
    EXPECT_EQ(after.event, Event::Error);
    EXPECT_EQ(after.consumed, 0u);
    EXPECT_EQ(bad.finish().event, Event::Error);
    EXPECT_EQ(bad.fault(), ResponseFault::VersionNotSupported);
    // reset() makes it new.
    bad.reset();
    Transcript v;
    feed(bad, kOk + "Content-Length: 1\r\n\r\ny", v);
    EXPECT_EQ(v.marks, "H200[Content-Length=1];E");
}

TEST(WgetResponse, EmptyFeedsAreHarmless) {
    ResponseParser p;
    EXPECT_EQ(p.feed("").event, Event::NeedMore);
    Transcript t;
    feed(p, kOk + "Content-Length: 2\r\n\r\n", t);
    Step step = p.feed("");
    EXPECT_EQ(step.event, Event::NeedMore);
    EXPECT_EQ(step.consumed, 0u);
    feed(p, "ab", t);
    EXPECT_EQ(t.marks, "H200[Content-Length=2];E");
}

TEST(WgetResponse, FaultNamesAndTextsCoverEveryFault) {
    for (int f = int(ResponseFault::None); f <= int(ResponseFault::TruncatedChunked); ++f) {
        EXPECT_STRNE(response_fault_name(ResponseFault(f)), "UnknownResponseFault") << f;
        EXPECT_STRNE(response_fault_text(ResponseFault(f)), "unknown response fault") << f;
    }
    EXPECT_STREQ(response_fault_name(ResponseFault(200)), "UnknownResponseFault");
}

// ---- however the bytes are cut ---------------------------------------------------------

// Responses through every state: interim heads, folds, each framing,
// extensions, trailers, lone LFs, and a few that fail at various points.
std::vector<std::string> samples() {
    return {
        kOk + "Content-Length: 12\r\nServer: x\r\n\r\nhello world!",
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Hints\r\nLink: <a>\r\n\r\n" + kOk +
            "X: a\r\n  b\r\nContent-Length: 3\r\n\r\nabcTRAILING",
        kChunked + "4;x=y\r\nWiki\r\n5 ; q=\"a;b\"\r\npedia\r\n0;end\r\nT1: one\r\nT2: two\r\n  more\r\n\r\nrest",
        "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\n",
        "HTTP/1.0 200 OK\r\n\r\nuntil the close",
        "HTTP/1.1 301 Moved\r\nLocation: /new\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n",
        kOk + "Content-Length: 20\r\n\r\nshort",
        kChunked + "4\r\nWiki\r\n5\r\nped",
        kChunked + "4\r\nWikiX\r\n",
        kOk + "Bad Name: x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\rX",
        kChunked + "1ffffffffffffffff\r\n",
    };
}

TEST(WgetResponse, EveryCutGivesTheSameResult) {
    for (const std::string& input : samples()) {
        const Transcript whole = parse(input);
        for (usize cut = 0; cut <= input.size(); ++cut) {
            Transcript pieces = parse_pieces({input.substr(0, cut), input.substr(cut)});
            EXPECT_EQ(pieces.marks, whole.marks) << input << " cut at " << cut;
            EXPECT_EQ(pieces.body, whole.body) << input << " cut at " << cut;
            EXPECT_EQ(pieces.consumed, whole.consumed) << input << " cut at " << cut;
        }
        // Two cuts, everywhere, on the shorter samples.
        if (input.size() <= 80) {
            for (usize a = 0; a <= input.size(); ++a)
                for (usize b = a; b <= input.size(); ++b) {
                    Transcript three =
                        parse_pieces({input.substr(0, a), input.substr(a, b - a), input.substr(b)});
                    EXPECT_EQ(three.marks, whole.marks) << input << " cut at " << a << ", " << b;
                    EXPECT_EQ(three.body, whole.body) << input << " cut at " << a << ", " << b;
                }
        }
    }
}

TEST(WgetResponse, ByteByByteGivesTheSameResult) {
    for (const std::string& input : samples()) {
        const Transcript whole = parse(input);
        std::vector<std::string> bytes;
        for (char c : input) bytes.push_back(std::string(1, c));
        Transcript single = parse_pieces(bytes);
        EXPECT_EQ(single.marks, whole.marks) << input;
        EXPECT_EQ(single.body, whole.body) << input;
        EXPECT_EQ(single.consumed, whole.consumed) << input;
    }
}

TEST(WgetResponse, SamplesEndAsExpected) {
    // What the samples above are, so the cut tests compare the right thing.
    const std::vector<std::string> ends = {
        "H200[Content-Length=12,Server=x];E",
        "I100[];I103[Link=<a>];H200[X=a b,Content-Length=3];E",
        "H200[Transfer-Encoding=chunked];E",
        "H200[Transfer-Encoding=chunked];E",
        "H200[];E",
        "H301[Location=/new,Content-Length=0];E",
        "H304[Content-Length=99];E",
        "H200[Content-Length=20];XTruncatedBody",
        "H200[Transfer-Encoding=chunked];XTruncatedChunked",
        "H200[Transfer-Encoding=chunked];XMissingChunkEnd",
        "XBadFieldName",
        "XBareCr",
        "H200[Transfer-Encoding=chunked];XChunkSizeOverflow",
    };
    const std::vector<std::string> inputs = samples();
    ASSERT_EQ(inputs.size(), ends.size());
    for (usize i = 0; i < inputs.size(); ++i) EXPECT_EQ(parse(inputs[i]).marks, ends[i]) << inputs[i];
    EXPECT_EQ(parse(inputs[2]).body, "Wikipedia");
    EXPECT_EQ(parse(inputs[4]).body, "until the close");
}

TEST(WgetResponse, LargeBodyArrivesWhole) {
    // 300 KiB in chunks of varied sizes, read in 1460-byte segments.
    std::string body;
    for (usize i = 0; i < 300 * 1024; ++i) body += char((i * 2654435761u) >> 13);
    std::string input = kChunked;
    usize at = 0;
    for (usize size = 1; at < body.size(); size = size * 3 % 9973 + 1) {
        usize n = std::min(size, body.size() - at);
        char hex[32];
        snprintf(hex, sizeof(hex), "%zx", n);
        input += std::string(hex) + "\r\n" + body.substr(at, n) + "\r\n";
        at += n;
    }
    input += "0\r\n\r\n";
    std::vector<std::string> segments;
    for (usize i = 0; i < input.size(); i += 1460) segments.push_back(input.substr(i, 1460));
    Transcript t = parse_pieces(segments);
    EXPECT_EQ(t.marks, "H200[Transfer-Encoding=chunked];E");
    EXPECT_TRUE(t.body == body);
}

}  // namespace
