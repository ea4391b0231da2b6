// wget's URLs (user/programs/wget/url.*): what parse_url takes and refuses
// (each refusal by name), the request target it builds (dot segments
// removed, bytes encoded), redirect resolution against RFC 3986 5.4's
// examples (with the base's host an IPv4 address), the file name a URL is
// saved under, and the request written for it (request.*).
#include <gtest/gtest.h>

#include <string>

#include "wget/request.hpp"
#include "wget/url.hpp"

using namespace mote;
using namespace mote::wget;

namespace {

std::string str(StringView v) { return std::string(v.data(), v.length()); }

Url parsed(const std::string& text) {
    Url url;
    UrlFault fault = parse_url(StringView(text.data(), text.size()), url);
    EXPECT_EQ(fault, UrlFault::None) << text << ": " << url_fault_name(fault);
    return url;
}

UrlFault fault_of(const std::string& text) {
    Url url;
    return parse_url(StringView(text.data(), text.size()), url);
}

std::string target_of(const std::string& text) { return str(parsed(text).request_target()); }

TEST(WgetUrl, SplitsHostPortPathAndQuery) {
    Url url = parsed("http://10.0.2.2:8000/a/b.bin?x=1&y=2#part");
    EXPECT_EQ(url.address, 0x0a000202u);
    EXPECT_EQ(url.port, 8000);
    EXPECT_EQ(str(url.host()), "10.0.2.2:8000");
    EXPECT_EQ(str(url.request_target()), "/a/b.bin?x=1&y=2");  // the fragment is never sent
    EXPECT_EQ(str(url.path()), "/a/b.bin");
}

TEST(WgetUrl, PortDefaultsTo80AndHostLeavesItOut) {
    for (const char* text : {"http://1.2.3.4/", "http://1.2.3.4:80/", "http://1.2.3.4:/"}) {
        Url url = parsed(text);
        EXPECT_EQ(url.port, 80) << text;
        EXPECT_EQ(str(url.host()), "1.2.3.4") << text;
    }
    EXPECT_EQ(str(parsed("http://255.255.255.255:65535/").host()), "255.255.255.255:65535");
}

TEST(WgetUrl, EmptyPathIsTheRoot) {
    EXPECT_EQ(target_of("http://1.2.3.4"), "/");
    EXPECT_EQ(target_of("http://1.2.3.4?q"), "/?q");
    EXPECT_EQ(target_of("http://1.2.3.4#f"), "/");
    EXPECT_EQ(target_of("http://1.2.3.4/?"), "/?");
}

TEST(WgetUrl, SchemeIsCaseInsensitiveAndMayBeLeftOut) {
    EXPECT_EQ(parsed("HTTP://1.2.3.4/x").port, 80);
    EXPECT_EQ(parsed("HtTp://1.2.3.4/x").address, 0x01020304u);
    Url bare = parsed("10.0.2.2:8080/file");
    EXPECT_EQ(bare.port, 8080);
    EXPECT_EQ(str(bare.request_target()), "/file");
    EXPECT_EQ(str(parsed("//1.2.3.4/y").request_target()), "/y");
}

TEST(WgetUrl, RefusalsAreNamed) {
    struct Case {
        const char* text;
        UrlFault fault;
    };
    const Case cases[] = {
        {"", UrlFault::Empty},
        {"https://1.2.3.4/", UrlFault::Https},
        {"HTTPS://1.2.3.4/", UrlFault::Https},
        {"ftp://1.2.3.4/", UrlFault::UnsupportedScheme},
        {"file:///etc/caps", UrlFault::UnsupportedScheme},
        {"http://", UrlFault::MissingHost},
        {"http:///x", UrlFault::MissingHost},
        {"http://:80/", UrlFault::MissingHost},
        {"http://user:pw@1.2.3.4/", UrlFault::UserInfo},
        {"http://[::1]:80/", UrlFault::Ipv6},
        {"http://example.com/", UrlFault::HostName},
        {"http://localhost:8000/", UrlFault::HostName},
        {"localhost", UrlFault::HostName},
        {"http://300.1.1.1/", UrlFault::BadAddress},
        {"http://1.2.3/", UrlFault::BadAddress},
        {"http://1.2.3.4.5/", UrlFault::BadAddress},
        {"http://01.2.3.4/", UrlFault::BadAddress},
        {"http://1.2.3.4:0/", UrlFault::BadPort},
        {"http://1.2.3.4:65536/", UrlFault::BadPort},
        {"http://1.2.3.4:8a/", UrlFault::BadPort},
        {"http://1.2.3.4:-1/", UrlFault::BadPort},
        {"http://1.2.3.4/a\tb", UrlFault::ControlCharacter},
        {"http://1.2.3.4/a\x7f", UrlFault::ControlCharacter},
        {"http://1.2.3.4/\r\nHost: evil", UrlFault::ControlCharacter},
    };
    for (const Case& c : cases) EXPECT_EQ(fault_of(c.text), c.fault) << c.text;
}

TEST(WgetUrl, LengthsAreBounded) {
    EXPECT_EQ(fault_of("http://1.2.3.4/" + std::string(kMaxUrlBytes, 'a')), UrlFault::TooLong);
    // Exactly the largest target fits; one more byte does not.
    const std::string longest = "/" + std::string(kMaxTargetBytes - 1, 'a');
    EXPECT_EQ(target_of("http://1.2.3.4" + longest), longest);
    EXPECT_EQ(fault_of("http://1.2.3.4" + longest + "a"), UrlFault::TargetTooLong);
    // Encoding makes a target three times longer.
    EXPECT_EQ(fault_of("http://1.2.3.4/" + std::string(700, ' ')), UrlFault::TargetTooLong);
    EXPECT_EQ(fault_of("http://1.2.3.4/?" + std::string(kMaxTargetBytes, 'q')), UrlFault::TargetTooLong);
}

TEST(WgetUrl, BytesOutsideTheGrammarAreEncoded) {
    EXPECT_EQ(target_of("http://1.2.3.4/a b"), "/a%20b");
    EXPECT_EQ(target_of("http://1.2.3.4/\"<>\\^`{|}"), "/%22%3C%3E%5C%5E%60%7B%7C%7D");
    EXPECT_EQ(target_of("http://1.2.3.4/caf\xc3\xa9"), "/caf%C3%A9");
    // An escape stays as it is; a '%' that starts none is encoded.
    EXPECT_EQ(target_of("http://1.2.3.4/%41%2f"), "/%41%2f");
    EXPECT_EQ(target_of("http://1.2.3.4/100%"), "/100%25");
    EXPECT_EQ(target_of("http://1.2.3.4/%4"), "/%254");
    EXPECT_EQ(target_of("http://1.2.3.4/%zz"), "/%25zz");
    EXPECT_EQ(target_of("http://1.2.3.4/a?b c=d?e/f"), "/a?b%20c=d?e/f");
    // What the grammar allows goes as it is.
    EXPECT_EQ(target_of("http://1.2.3.4/-._~!$&'()*+,;=:@"), "/-._~!$&'()*+,;=:@");
}

TEST(WgetUrl, DotSegmentsAreRemovedFromThePathOnly) {
    EXPECT_EQ(target_of("http://1.2.3.4/a/b/../c/./d"), "/a/c/d");
    EXPECT_EQ(target_of("http://1.2.3.4/../a"), "/a");
    EXPECT_EQ(target_of("http://1.2.3.4/a/.."), "/");
    EXPECT_EQ(target_of("http://1.2.3.4/a/."), "/a/");
    EXPECT_EQ(target_of("http://1.2.3.4/a/../../../b"), "/b");
    EXPECT_EQ(target_of("http://1.2.3.4/a?x=/../y"), "/a?x=/../y");
}

// RFC 3986 5.4, with the base "http://a/b/c/d;p?q" given an address.
std::string resolved(const std::string& reference) {
    Url base = parsed("http://1.2.3.4/b/c/d;p?q");
    Url out;
    UrlFault fault = resolve_reference(base, StringView(reference.data(), reference.size()), out);
    if (fault != UrlFault::None) return std::string("fault:") + url_fault_name(fault);
    return "http://" + str(out.host()) + str(out.request_target());
}

TEST(WgetUrl, ResolvesRfc3986NormalExamples) {
    const std::pair<const char*, const char*> cases[] = {
        {"g", "/b/c/g"},         {"./g", "/b/c/g"},         {"g/", "/b/c/g/"},
        {"/g", "/g"},            {"?y", "/b/c/d;p?y"},      {"g?y", "/b/c/g?y"},
        {"#s", "/b/c/d;p?q"},    {"g#s", "/b/c/g"},         {"g?y#s", "/b/c/g?y"},
        {";x", "/b/c/;x"},       {"g;x", "/b/c/g;x"},       {"g;x?y#s", "/b/c/g;x?y"},
        {"", "/b/c/d;p?q"},      {".", "/b/c/"},            {"./", "/b/c/"},
        {"..", "/b/"},           {"../", "/b/"},            {"../g", "/b/g"},
        {"../..", "/"},          {"../../", "/"},           {"../../g", "/g"},
    };
    for (const auto& [reference, path] : cases) EXPECT_EQ(resolved(reference), std::string("http://1.2.3.4") + path) << reference;
}

TEST(WgetUrl, ResolvesRfc3986AbnormalExamples) {
    const std::pair<const char*, const char*> cases[] = {
        {"../../../g", "/g"},       {"../../../../g", "/g"},     {"/./g", "/g"},
        {"/../g", "/g"},            {"g.", "/b/c/g."},           {".g", "/b/c/.g"},
        {"g..", "/b/c/g.."},        {"..g", "/b/c/..g"},         {"./../g", "/b/g"},
        {"./g/.", "/b/c/g/"},       {"g/./h", "/b/c/g/h"},       {"g/../h", "/b/c/h"},
        {"g;x=1/./y", "/b/c/g;x=1/y"}, {"g;x=1/../y", "/b/c/y"}, {"g?y/./x", "/b/c/g?y/./x"},
        {"g?y/../x", "/b/c/g?y/../x"}, {"g#s/./x", "/b/c/g"},    {"g#s/../x", "/b/c/g"},
    };
    for (const auto& [reference, path] : cases) EXPECT_EQ(resolved(reference), std::string("http://1.2.3.4") + path) << reference;
}

TEST(WgetUrl, ResolvesAbsoluteAndNetworkPathReferences) {
    EXPECT_EQ(resolved("http://5.6.7.8:81/z?w"), "http://5.6.7.8:81/z?w");
    EXPECT_EQ(resolved("HTTP://5.6.7.8"), "http://5.6.7.8/");
    EXPECT_EQ(resolved("//5.6.7.8/x"), "http://5.6.7.8/x");
    EXPECT_EQ(resolved("http://5.6.7.8/a/../b"), "http://5.6.7.8/b");
    // What a Location may not lead to.
    EXPECT_EQ(resolved("https://5.6.7.8/"), "fault:Https");
    EXPECT_EQ(resolved("ftp://5.6.7.8/"), "fault:UnsupportedScheme");
    EXPECT_EQ(resolved("//g"), "fault:HostName");
    EXPECT_EQ(resolved("http:g"), "fault:MissingHost");  // RFC 3986 5.4.2: a strict parser's answer
    EXPECT_EQ(resolved("http:/g"), "fault:MissingHost");
    EXPECT_EQ(resolved("g\r\nSet-Cookie: x"), "fault:ControlCharacter");
    EXPECT_EQ(resolved(std::string(kMaxUrlBytes + 1, 'g')), "fault:TooLong");
    // A long relative reference under a long base path is bounded too.
    EXPECT_EQ(resolved(std::string(kMaxUrlBytes, 'g')), "fault:TargetTooLong");
    std::string spaces;
    for (int i = 0; i < 300; ++i) spaces += "%20";
    EXPECT_EQ(resolved(std::string(300, ' ')), "http://1.2.3.4/b/c/" + spaces);
}

TEST(WgetUrl, ResolvedUrlIsSelfContained) {
    Url base = parsed("http://1.2.3.4:8000/dir/page");
    Url first;
    Url second;
    ASSERT_EQ(resolve_reference(base, "other?x", first), UrlFault::None);
    // The next redirect resolves against the previous result.
    ASSERT_EQ(resolve_reference(first, "../up", second), UrlFault::None);
    base = Url {};
    EXPECT_EQ(str(second.host()), "1.2.3.4:8000");
    EXPECT_EQ(str(second.request_target()), "/up");
    EXPECT_EQ(str(first.request_target()), "/dir/other?x");
}

TEST(WgetUrl, DefaultFileNameIsTheLastSegment) {
    EXPECT_EQ(str(default_file_name(parsed("http://1.2.3.4/a/b.txt"))), "b.txt");
    EXPECT_EQ(str(default_file_name(parsed("http://1.2.3.4/a/b.txt?x=1"))), "b.txt");
    EXPECT_EQ(str(default_file_name(parsed("http://1.2.3.4"))), "index.html");
    EXPECT_EQ(str(default_file_name(parsed("http://1.2.3.4/dir/"))), "index.html");
    EXPECT_EQ(str(default_file_name(parsed("http://1.2.3.4/dir/.."))), "index.html");
    EXPECT_EQ(str(default_file_name(parsed("http://1.2.3.4/a%20b"))), "a%20b");
    // Never a path: a name has no '/'.
    EXPECT_EQ(str(default_file_name(parsed("http://1.2.3.4/x/%2e%2e"))), "%2e%2e");
}

TEST(WgetUrl, FaultNamesAndTextsCoverEveryFault) {
    for (int f = int(UrlFault::None); f <= int(UrlFault::TargetTooLong); ++f) {
        EXPECT_STRNE(url_fault_name(UrlFault(f)), "UnknownUrlFault") << f;
        EXPECT_STRNE(url_fault_text(UrlFault(f)), "unknown URL fault") << f;
    }
    EXPECT_STREQ(url_fault_name(UrlFault(200)), "UnknownUrlFault");
    // The two a user meets most say what to do.
    EXPECT_NE(std::string(url_fault_text(UrlFault::Https)).find("https is not supported"), std::string::npos);
    EXPECT_NE(std::string(url_fault_text(UrlFault::HostName)).find("DNS"), std::string::npos);
}

TEST(WgetRequest, IsAGetWithTheFieldsWgetSends) {
    char out[kMaxRequestBytes];
    Url url = parsed("http://10.0.2.2:8000/a%20b?c");
    usize n = write_request(url, Span<char>(out, sizeof(out)));
    EXPECT_EQ(std::string(out, n),
              "GET /a%20b?c HTTP/1.1\r\n"
              "Host: 10.0.2.2:8000\r\n"
              "User-Agent: Mote-wget/1.0\r\n"
              "Accept: */*\r\n"
              "Accept-Encoding: identity\r\n"
              "Connection: close\r\n"
              "\r\n");
    // The longest target fits kMaxRequestBytes.
    Url longest = parsed("http://255.255.255.255:65535/" + std::string(kMaxTargetBytes - 1, 'a'));
    EXPECT_GT(write_request(longest, Span<char>(out, sizeof(out))), kMaxTargetBytes);
    char tiny[16];
    EXPECT_EQ(write_request(url, Span<char>(tiny, sizeof(tiny))), 0u);
}

}  // namespace
