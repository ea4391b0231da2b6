// httpd's answers to requests (user/programs/httpd/responder.*), through
// one connection over a file tree in memory (support/http_fixture.hpp):
// files with their fields, ranges, conditionals, refusals and directories,
// compared with the files' own bytes and with values worked out from the
// RFCs.
#include <gtest/gtest.h>

#include <string>

#include "support/http_fixture.hpp"

using namespace mote;
using namespace mote::httpd;
using namespace mote::httpd::test;

namespace {

// The responder is reached through a connection, as httpd reaches it.
using HttpResponder = HttpFixture;

// ---- files ------------------------------------------------------------------------

TEST_F(HttpResponder, GetSendsTheFileWithItsFields) {
    Response r = c.request(get("/hello.txt"));
    EXPECT_EQ(r.version, "HTTP/1.1");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.reason, "OK");
    EXPECT_EQ(r.body, "Hello, world!\n");
    EXPECT_EQ(r.field("content-length"), "14");
    EXPECT_EQ(r.field("content-type"), "text/plain; charset=utf-8");
    EXPECT_EQ(r.field("last-modified"), kModifiedText);
    EXPECT_EQ(r.field("date"), kNowText);
    EXPECT_EQ(r.field("accept-ranges"), "bytes");
    // HTTP/1.1 stays open without saying so.
    EXPECT_FALSE(r.has("connection"));
    EXPECT_TRUE(c.received.empty());
    EXPECT_FALSE(c.connection->finished());
    EXPECT_FALSE(c.shut_down);
    EXPECT_EQ(c.files.open_count(), 0u);
    EXPECT_EQ(c.counters.requests, 1u);
    EXPECT_EQ(c.counters.responses[2], 1u);
}

TEST_F(HttpResponder, TypesFollowTheExtension) {
    c.files.add_file("/page.HTML", "<p>");
    c.files.add_file("/blob", "?");
    EXPECT_EQ(c.request(get("/page.HTML")).field("content-type"), "text/html; charset=utf-8");
    EXPECT_EQ(c.request(get("/blob")).field("content-type"), "application/octet-stream");
}

TEST_F(HttpResponder, EmptyFile) {
    Response r = c.request(get("/empty.txt"));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.field("content-length"), "0");
    EXPECT_EQ(r.body, "");
    EXPECT_EQ(c.files.open_count(), 0u);
}

TEST_F(HttpResponder, FileTimeAheadOfTheClockIsSentAsTheDate) {
    // RFC 9110 8.8.2.1: never a Last-Modified later than the Date.
    c.files.add_file("/future.txt", "f", kNow + 3600);
    Response r = c.request(get("/future.txt"));
    EXPECT_EQ(r.field("last-modified"), kNowText);
}

TEST_F(HttpResponder, HeadSendsTheHeadAlone) {
    Response h = c.request(head("/hello.txt"), true);
    EXPECT_EQ(h.status, 200);
    EXPECT_EQ(h.field("content-length"), "14");
    EXPECT_EQ(h.field("content-type"), "text/plain; charset=utf-8");
    EXPECT_EQ(h.body, "");
    // Had any body byte followed the head, this response would not parse.
    Response g = c.request(get("/data.bin"));
    EXPECT_EQ(g.status, 200);
    EXPECT_EQ(g.body, "0123456789");
    EXPECT_TRUE(c.received.empty());
}

// ---- ranges ------------------------------------------------------------------------

TEST_F(HttpResponder, SingleRangeGetsPartialContent) {
    Response r = c.request(get("/data.bin", "Range: bytes=2-5\r\n"));
    EXPECT_EQ(r.status, 206);
    EXPECT_EQ(r.field("content-range"), "bytes 2-5/10");
    EXPECT_EQ(r.field("content-length"), "4");
    EXPECT_EQ(r.body, "2345");

    Response suffix = c.request(get("/data.bin", "Range: bytes=-3\r\n"));
    EXPECT_EQ(suffix.status, 206);
    EXPECT_EQ(suffix.field("content-range"), "bytes 7-9/10");
    EXPECT_EQ(suffix.body, "789");

    Response open_ended = c.request(get("/data.bin", "Range: bytes=8-\r\n"));
    EXPECT_EQ(open_ended.field("content-range"), "bytes 8-9/10");
    EXPECT_EQ(open_ended.body, "89");

    Response past_end = c.request(get("/data.bin", "Range: bytes=6-100\r\n"));
    EXPECT_EQ(past_end.field("content-range"), "bytes 6-9/10");
    EXPECT_EQ(past_end.body, "6789");
}

TEST_F(HttpResponder, RangeOutsideTheFileIs416) {
    Response r = c.request(get("/data.bin", "Range: bytes=10-\r\n"));
    EXPECT_EQ(r.status, 416);
    EXPECT_EQ(r.field("content-range"), "bytes */10");
    EXPECT_EQ(c.files.open_count(), 0u);
    // Not an error of the connection's framing: it stays open.
    EXPECT_FALSE(r.has("connection"));
    EXPECT_EQ(c.request(get("/data.bin")).body, "0123456789");
}

TEST_F(HttpResponder, SeveralRangesOrAnInvalidOneGetTheWholeFile) {
    Response many = c.request(get("/data.bin", "Range: bytes=0-1,4-5\r\n"));
    EXPECT_EQ(many.status, 200);
    EXPECT_EQ(many.body, "0123456789");
    EXPECT_FALSE(many.has("content-range"));
    Response other_unit = c.request(get("/data.bin", "Range: lines=1-2\r\n"));
    EXPECT_EQ(other_unit.status, 200);
    EXPECT_EQ(other_unit.body, "0123456789");
}

TEST_F(HttpResponder, IfRangeMustMatchTheFileTime) {
    Response stale = c.request(get("/data.bin", std::string("Range: bytes=2-5\r\nIf-Range: ") + kOtherDateText + "\r\n"));
    EXPECT_EQ(stale.status, 200);
    EXPECT_EQ(stale.body, "0123456789");
    Response tag = c.request(get("/data.bin", "Range: bytes=2-5\r\nIf-Range: \"abc\"\r\n"));
    EXPECT_EQ(tag.status, 200);
    Response same = c.request(get("/data.bin", std::string("Range: bytes=2-5\r\nIf-Range: ") + kModifiedText + "\r\n"));
    EXPECT_EQ(same.status, 206);
    EXPECT_EQ(same.body, "2345");
}

// ---- conditionals ----------------------------------------------------------------

TEST_F(HttpResponder, IfModifiedSinceTheFileTimeIs304) {
    Response r = c.request(get("/hello.txt", std::string("If-Modified-Since: ") + kModifiedText + "\r\n"));
    EXPECT_EQ(r.status, 304);
    EXPECT_EQ(r.body, "");
    EXPECT_EQ(r.field("last-modified"), kModifiedText);
    EXPECT_EQ(r.field("date"), kNowText);
    EXPECT_EQ(c.files.open_count(), 0u);
    // Nothing followed the 304's head: the next answer parses.
    EXPECT_EQ(c.request(get("/data.bin")).body, "0123456789");
}

TEST_F(HttpResponder, IfModifiedSinceAnEarlierTimeSendsTheFile) {
    Response r = c.request(get("/hello.txt", std::string("If-Modified-Since: ") + kModifiedTextMinusOne + "\r\n"));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "Hello, world!\n");
    // A date in the future is invalid (RFC 9110 13.1.3) and ignored.
    Response future = c.request(get("/hello.txt", "If-Modified-Since: Tue, 14 Nov 2023 22:15:00 GMT\r\n"));
    EXPECT_EQ(future.status, 200);
}

TEST_F(HttpResponder, IfNoneMatchStarIs304) {
    Response r = c.request(get("/hello.txt", "If-None-Match: *\r\n"));
    EXPECT_EQ(r.status, 304);
}

// ---- refusals -------------------------------------------------------------------

TEST_F(HttpResponder, MissingFileIs404AndTheConnectionGoesOn) {
    Response r = c.request(get("/nope.txt"));
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.reason, "Not Found");
    EXPECT_EQ(r.body.substr(0, 4), "404 ");
    EXPECT_EQ(r.field("content-length"), std::to_string(r.body.size()));
    EXPECT_FALSE(r.has("connection"));
    EXPECT_EQ(c.request(get("/hello.txt")).status, 200);
    EXPECT_EQ(c.counters.responses[4], 1u);
}

TEST_F(HttpResponder, PathsAboveTheRootAre403WithoutALookupAndClose) {
    for (const char* target : {"/../etc", "/../etc/passwd", "/docs/../../etc", "/%2e%2e/etc", "/docs/%2E%2E/%2e%2e/x"}) {
        Client one;
        one.files.add_file("/etc", "no");
        one.connect();
        one.send(get(target) + get("/etc"));
        Response r = one.next();
        EXPECT_EQ(r.status, 403) << target;
        // A probe, not a mistake: nothing more is answered.
        EXPECT_EQ(r.field("connection"), "close") << target;
        EXPECT_TRUE(one.shut_down);
        EXPECT_TRUE(one.received.empty());
        EXPECT_EQ(one.files.opens, 0u);
    }
    // ".." that stays inside is just a path.
    EXPECT_EQ(c.request(get("/docs/../hello.txt")).body, "Hello, world!\n");
}

TEST_F(HttpResponder, RefusedAndUnservableNamesAre403) {
    EXPECT_EQ(c.request(get("/secret.txt")).status, 403);
    EXPECT_EQ(c.request(get("/device")).status, 403);
    EXPECT_EQ(c.files.open_count(), 0u);
}

TEST_F(HttpResponder, FileNamedAsDirectoryIs404) {
    EXPECT_EQ(c.request(get("/hello.txt/")).status, 404);
}

TEST_F(HttpResponder, PostIs405WithAllowAndCloses) {
    Response r = c.request("POST /hello.txt HTTP/1.1\r\nHost: test\r\nContent-Length: 3\r\n\r\nabc");
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(r.field("allow"), "GET, HEAD");
    EXPECT_EQ(r.field("connection"), "close");
    EXPECT_TRUE(c.shut_down);
}

TEST_F(HttpResponder, Http2Is505) {
    Response r = c.request("GET / HTTP/2.0\r\nHost: test\r\n\r\n");
    EXPECT_EQ(r.status, 505);
    EXPECT_EQ(r.field("connection"), "close");
}

TEST_F(HttpResponder, TheParsersRefusalsAreSentAndClose) {
    struct Case {
        std::string request;
        int status;
    };
    const Case cases[] = {
        {"GET /hello.txt HTTP/1.1\r\n\r\n", 400},  // HTTP/1.1 without Host
        {"GET /a b HTTP/1.1\r\nHost: test\r\n\r\n", 400},
        {"GET /" + std::string(2000, 'a') + " HTTP/1.1\r\nHost: test\r\n\r\n", 414},
        {"GET / HTTP/1.1\r\nHost: test\r\nX: " + std::string(5000, 'v') + "\r\n\r\n", 431},
        {"GET / HTTP/1.1\r\nHost: test\r\nContent-Length: 5000\r\n\r\n", 413},
        {"GET / HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n", 411},
    };
    for (const Case& k : cases) {
        Client one;
        one.files.add_file("/hello.txt", "hi");
        one.connect();
        one.send(k.request);
        Response r = one.next();
        EXPECT_EQ(r.status, k.status) << k.request.substr(0, 60);
        EXPECT_EQ(r.field("connection"), "close");
        EXPECT_TRUE(one.shut_down);
        EXPECT_EQ(one.counters.requests, 1u);
    }
}

// ---- directories -----------------------------------------------------------------

TEST_F(HttpResponder, DirectoryWithoutSlashRedirects) {
    Response r = c.request(get("/docs"));
    EXPECT_EQ(r.status, 301);
    EXPECT_EQ(r.field("location"), "/docs/");
    EXPECT_EQ(c.request(get("/docs?sort=name")).field("location"), "/docs/?sort=name");
    // The decoded path is encoded again.
    EXPECT_EQ(c.request(get("/my%20docs")).field("location"), "/my%20docs/");
    EXPECT_EQ(c.files.open_count(), 0u);
}

TEST_F(HttpResponder, DirectoryIsListed) {
    Response r = c.request(get("/docs/"));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.field("content-type"), "text/html; charset=utf-8");
    EXPECT_EQ(r.field("content-length"), std::to_string(r.body.size()));
    const std::string& page = r.body;
    EXPECT_NE(page.find("<a href=\"/docs/a.txt\">a.txt</a>"), std::string::npos) << page;
    EXPECT_NE(page.find("<a href=\"/docs/sub/\">sub/</a>"), std::string::npos) << page;
    // The odd name escaped for the URL and for the text.
    EXPECT_NE(page.find("href=\"/docs/b%26c%20%3Cd%3E.txt\""), std::string::npos) << page;
    EXPECT_NE(page.find(">b&amp;c &lt;d&gt;.txt<"), std::string::npos) << page;
    EXPECT_EQ(page.find("<d>"), std::string::npos);
    // The parent, and not the source's own "." and "..".
    EXPECT_NE(page.find("<a href=\"/\">../</a>"), std::string::npos) << page;
    EXPECT_EQ(page.find("/docs/./"), std::string::npos);
    EXPECT_EQ(page.find("/docs/../"), std::string::npos);
    EXPECT_EQ(count_of(page, "<li>"), 4u);  // parent, a.txt, b&c <d>.txt, sub
    // Measured exactly: nothing made up the length after the page's end.
    EXPECT_EQ(page.substr(page.size() - 8), "</html>\n");
    EXPECT_EQ(c.files.open_count(), 0u);
    EXPECT_TRUE(c.received.empty());
}

TEST_F(HttpResponder, RootListingHasNoParent) {
    Response r = c.request(get("/"));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body.find("../"), std::string::npos);
    EXPECT_NE(r.body.find("href=\"/hello.txt\""), std::string::npos);
    EXPECT_NE(r.body.find("href=\"/docs/\""), std::string::npos);
}

TEST_F(HttpResponder, HeadOfAListingHasTheLengthOfTheListing) {
    Response g = c.request(get("/docs/"));
    Response h = c.request(head("/docs/"), true);
    EXPECT_EQ(h.status, 200);
    EXPECT_EQ(h.field("content-length"), std::to_string(g.body.size()));
    EXPECT_EQ(h.body, "");
    EXPECT_EQ(c.request(get("/data.bin")).body, "0123456789");
}

TEST_F(HttpResponder, IndexHtmlStandsForItsDirectory) {
    Response r = c.request(get("/site/"));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "<h1>site</h1>\n");
    EXPECT_EQ(r.field("content-type"), "text/html; charset=utf-8");
    EXPECT_EQ(r.field("last-modified"), kModifiedText);
    EXPECT_EQ(c.files.open_count(), 0u);
}

TEST_F(HttpResponder, IndexHtmlThatIsNoFileIsNotServed) {
    c.files.add_dir("/odd");
    c.files.add_dir("/odd/index.html");
    Response listed = c.request(get("/odd/"));
    EXPECT_EQ(listed.status, 200);
    EXPECT_NE(listed.body.find("href=\"/odd/index.html/\""), std::string::npos) << listed.body;
    c.files.add_dir("/locked");
    c.files.add_file("/locked/index.html", "x");
    c.files.deny("/locked/index.html");
    EXPECT_EQ(c.request(get("/locked/")).status, 403);
}

TEST_F(HttpResponder, ListingLargerThanTheBufferIsStreamed) {
    c.files.add_dir("/big");
    std::vector<std::string> names;
    for (int i = 0; i < 500; ++i) {
        std::string name = "entry-" + std::to_string(1000 + i) + "-" + std::string(190, 'x');
        names.push_back(name);
        c.files.add_file("/big/" + name, "z");
    }
    c.write_size = 700;
    Response r = c.request(get("/big/"));
    EXPECT_EQ(r.status, 200);
    EXPECT_GT(r.body.size(), 4 * Connection::kOutputBytes);
    EXPECT_EQ(r.field("content-length"), std::to_string(r.body.size()));
    for (const std::string& name : names) EXPECT_EQ(count_of(r.body, "href=\"/big/" + name + "\""), 1u) << name;
    EXPECT_NE(r.body.find("</html>"), std::string::npos);
    EXPECT_LE(c.largest_output, Connection::kOutputBytes);
    EXPECT_TRUE(c.received.empty());
}

TEST_F(HttpResponder, ListingKeepsItsLengthWhenTheDirectoryChanges) {
    // Measured with 300 entries; some go and others come before the body
    // is written. The body is exactly as long as promised either way, so
    // the next answer on the connection is still found.
    for (int grow = 0; grow < 2; ++grow) {
        Client one;
        one.files.add_dir("/big");
        for (int i = 0; i < 300; ++i) one.files.add_file("/big/" + std::to_string(1000 + i) + std::string(100, 'y'), "z");
        one.files.add_file("/after.txt", "after");
        one.connect();
        // The request in, but only the first part of the answer out.
        std::string request = get("/big/");
        Span<char> space = one.connection->read_space();
        std::memcpy(space.data(), request.data(), request.size());
        one.connection->on_received(request.size(), one.now);
        for (int i = 0; i < 200; ++i) {
            std::string name = "/big/" + std::to_string(1000 + i) + std::string(100, 'y');
            if (grow) one.files.add_file(name + "-more", "z");
            else one.files.remove(name);
        }
        one.send(get("/after.txt"));
        Response r = one.next();
        EXPECT_EQ(r.field("content-length"), std::to_string(r.body.size()));
        Response after = one.next();
        EXPECT_EQ(after.status, 200);
        EXPECT_EQ(after.body, "after");
        one.connection.reset();
        EXPECT_EQ(one.files.open_count(), 0u);
    }
}

}  // namespace
