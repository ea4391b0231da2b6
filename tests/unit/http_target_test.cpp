// Request-target decoding (user/programs/httpd/http_target.*): origin- and
// absolute-form, the query split off, percent-decoding and dot-segment
// removal (RFC 3986 5.2.4's results, except that climbing above the root
// is reported, not clamped). Expected paths are worked out by hand.
#include <gtest/gtest.h>

#include <string>

#include "httpd/http_target.hpp"

using namespace mote;
using namespace mote::httpd;

namespace {

struct Decoded {
    bool ok = false;
    TargetFault fault = TargetFault::None;
    std::string path, query, authority;
    bool has_query = false;
    bool escapes_root = false;
};

Decoded decode(const std::string& raw, usize storage_size = 2048) {
    std::string storage(storage_size, '\xee');
    Decoded d;
    auto t = decode_target(StringView(raw.data(), raw.size()), Span<char>(storage.data(), storage.size()), &d.fault);
    d.ok = t.ok();
    if (!d.ok) return d;
    d.path.assign(t.value().path.data(), t.value().path.length());
    d.query.assign(t.value().query.data(), t.value().query.length());
    d.authority.assign(t.value().authority.data(), t.value().authority.length());
    d.has_query = t.value().has_query;
    d.escapes_root = t.value().escapes_root;
    return d;
}

std::string path_of(const std::string& raw) {
    Decoded d = decode(raw);
    EXPECT_TRUE(d.ok) << raw << ": " << target_fault_name(d.fault);
    EXPECT_FALSE(d.escapes_root) << raw;
    return d.path;
}

TargetFault fault_of(const std::string& raw) {
    Decoded d = decode(raw);
    EXPECT_FALSE(d.ok) << raw;
    return d.fault;
}

TEST(HttpTarget, PlainPaths) {
    EXPECT_EQ(path_of("/"), "/");
    EXPECT_EQ(path_of("/index.html"), "/index.html");
    EXPECT_EQ(path_of("/a/b"), "/a/b");
    EXPECT_EQ(path_of("/a/b/"), "/a/b/");
}

TEST(HttpTarget, DotSegmentsAndEmptySegments) {
    EXPECT_EQ(path_of("//a///b"), "/a/b");
    EXPECT_EQ(path_of("/a/./b"), "/a/b");
    EXPECT_EQ(path_of("/./"), "/");
    EXPECT_EQ(path_of("/a/."), "/a/");
    EXPECT_EQ(path_of("/a/b/.."), "/a/");
    EXPECT_EQ(path_of("/a/b/../c"), "/a/c");
    EXPECT_EQ(path_of("/a/b/../../c/"), "/c/");
    EXPECT_EQ(path_of("/a/.."), "/");
    EXPECT_EQ(path_of("/a/../b/./../c/d/.."), "/c/");
    // Only a whole segment of one or two dots is special.
    EXPECT_EQ(path_of("/..a/b.."), "/..a/b..");
    EXPECT_EQ(path_of("/.../x"), "/.../x");
    EXPECT_EQ(path_of("/.hidden"), "/.hidden");
}

TEST(HttpTarget, PercentDecodingComesFirst) {
    EXPECT_EQ(path_of("/a%20b"), "/a b");
    EXPECT_EQ(path_of("/%41%62%7e"), "/Ab~");
    // An encoded '/' separates like a plain one (the file system sees it so).
    EXPECT_EQ(path_of("/a%2fb%2F"), "/a/b/");
    // Encoded dots are dot segments.
    EXPECT_EQ(path_of("/a/%2e%2E/b"), "/b");
    EXPECT_EQ(path_of("/a/%2e/b"), "/a/b");
    // Bytes above 0x7f may be in a name (UTF-8 names).
    EXPECT_EQ(path_of("/caf%C3%A9"), "/caf\xc3\xa9");
    // '%25' is a literal percent and is not decoded again.
    EXPECT_EQ(path_of("/100%252e"), "/100%2e");
}

TEST(HttpTarget, ClimbingAboveTheRootIsReported) {
    for (const char* raw : {"/..", "/../", "/../etc/passwd", "/a/../..", "/a/b/../../../c", "/%2e%2e/x",
                            "/a/%2E%2E/%2e%2e/b", "/..%2f..%2fetc", "/./../"}) {
        Decoded d = decode(raw);
        ASSERT_TRUE(d.ok) << raw;
        EXPECT_TRUE(d.escapes_root) << raw;
        EXPECT_EQ(d.path, "") << raw;
    }
}

TEST(HttpTarget, QueryIsSplitOffRaw) {
    Decoded d = decode("/search?q=a%20b&x=/../y");
    ASSERT_TRUE(d.ok);
    EXPECT_EQ(d.path, "/search");
    EXPECT_TRUE(d.has_query);
    EXPECT_EQ(d.query, "q=a%20b&x=/../y");
    d = decode("/?");
    EXPECT_TRUE(d.has_query);
    EXPECT_EQ(d.query, "");
    d = decode("/x");
    EXPECT_FALSE(d.has_query);
    // A '?' in the query is data.
    d = decode("/x?a?b");
    EXPECT_EQ(d.query, "a?b");
    // The query is not decoded, so a bad escape there is not the path's
    // business.
    d = decode("/x?%zz");
    EXPECT_TRUE(d.ok);
}

TEST(HttpTarget, AbsoluteForm) {
    Decoded d = decode("http://example.com:8080/a/../b?q");
    ASSERT_TRUE(d.ok);
    EXPECT_EQ(d.authority, "example.com:8080");
    EXPECT_EQ(d.path, "/b");
    EXPECT_EQ(d.query, "q");
    // An empty path is "/" (RFC 9112 3.2.1), also before a query.
    d = decode("HTTPS://h");
    ASSERT_TRUE(d.ok);
    EXPECT_EQ(d.authority, "h");
    EXPECT_EQ(d.path, "/");
    d = decode("http://h?x");
    ASSERT_TRUE(d.ok);
    EXPECT_EQ(d.path, "/");
    EXPECT_EQ(d.query, "x");
    d = decode("http://[::1]:80/x");
    ASSERT_TRUE(d.ok);
    EXPECT_EQ(d.authority, "[::1]:80");
    EXPECT_EQ(d.path, "/x");
}

TEST(HttpTarget, Faults) {
    EXPECT_EQ(fault_of(""), TargetFault::Empty);
    EXPECT_EQ(fault_of("*"), TargetFault::BadForm);
    EXPECT_EQ(fault_of("index.html"), TargetFault::BadForm);
    EXPECT_EQ(fault_of("example.com:80"), TargetFault::BadForm);  // authority-form is CONNECT's
    EXPECT_EQ(fault_of("ftp://h/x"), TargetFault::BadForm);
    EXPECT_EQ(fault_of("http:/x"), TargetFault::BadForm);
    EXPECT_EQ(fault_of("http:///x"), TargetFault::BadAuthority);
    EXPECT_EQ(fault_of("http://:80/x"), TargetFault::BadAuthority);
    EXPECT_EQ(fault_of("http://user@h/x"), TargetFault::BadAuthority);
    EXPECT_EQ(fault_of("/a b"), TargetFault::BadChar);
    EXPECT_EQ(fault_of("/a#frag"), TargetFault::BadChar);
    EXPECT_EQ(fault_of("/a\\b"), TargetFault::BadChar);
    EXPECT_EQ(fault_of("/caf\xc3\xa9"), TargetFault::BadChar);
    EXPECT_EQ(fault_of("/a\"b"), TargetFault::BadChar);
    EXPECT_EQ(fault_of("/a[1]"), TargetFault::BadChar);
    EXPECT_EQ(fault_of("/a?x=[1]"), TargetFault::BadChar);
    EXPECT_EQ(fault_of("/%"), TargetFault::BadEscape);
    EXPECT_EQ(fault_of("/%4"), TargetFault::BadEscape);
    EXPECT_EQ(fault_of("/%zz"), TargetFault::BadEscape);
    EXPECT_EQ(fault_of("/%4g"), TargetFault::BadEscape);
    EXPECT_EQ(fault_of("/a%00b"), TargetFault::ControlByte);
    EXPECT_EQ(fault_of("/%0a"), TargetFault::ControlByte);
    EXPECT_EQ(fault_of("/%0D%0AX"), TargetFault::ControlByte);
    EXPECT_EQ(fault_of("/%7F"), TargetFault::ControlByte);
}

TEST(HttpTarget, StorageBound) {
    // The decoded path never needs more than the raw target's length.
    std::string raw = "/abc/%41";
    EXPECT_TRUE(decode(raw, raw.size()).ok);
    EXPECT_TRUE(decode("/", 1).ok);
    EXPECT_TRUE(decode("http://h", 8).ok);
    Decoded d = decode("/abcdef", 3);
    EXPECT_FALSE(d.ok);
    EXPECT_EQ(d.fault, TargetFault::TooLong);
    // The trailing '/' a directory gets back fits too.
    EXPECT_EQ(decode("/a/b/..", 7).path, "/a/");
    EXPECT_EQ(decode("/a/", 3).path, "/a/");
    EXPECT_EQ(decode("/a/.", 4).path, "/a/");
}

}  // namespace
