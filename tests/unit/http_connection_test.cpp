// httpd's connection state machine and answers (user/programs/httpd/
// http_connection.*, responder.*) and its server loop (http_server.*), over
// a FileSource held in memory and, for the server, a simulated socket layer
// and clock. What the connection sends is taken apart by the small HTTP/1.1
// reader below (status line, fields, a body framed by Content-Length) and
// compared with the files' own bytes and with values worked out from the
// RFCs; the expected dates were computed independently (Python's
// email.utils.formatdate) for the times used here.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "httpd/http_connection.hpp"
#include "httpd/http_server.hpp"

using namespace mote;
using namespace mote::httpd;

namespace {

// The wall clock in these tests, and a file time well before it.
constexpr i64 kNow = 1700000000;
constexpr const char* kNowText = "Tue, 14 Nov 2023 22:13:20 GMT";
constexpr i64 kModified = 784111777;
constexpr const char* kModifiedText = "Sun, 06 Nov 1994 08:49:37 GMT";
constexpr const char* kModifiedTextMinusOne = "Sun, 06 Nov 1994 08:49:36 GMT";
// Neither the file's time nor in the future.
constexpr const char* kOtherDateText = "Sun, 13 Sep 2020 12:26:40 GMT";

constexpr u64 kSecond = kNsPerSecond;

StringView view(const std::string& s) { return StringView(s.data(), s.size()); }

std::string lower(std::string s) {
    for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// ---- a file tree in memory -------------------------------------------------

class FakeFiles final : public FileSource {
public:
    struct Node {
        FileKind kind = FileKind::File;
        std::string data;
        i64 modified = kModified;
        bool denied = false;
    };

    FakeFiles() { m_nodes["/"] = Node {FileKind::Directory, "", kModified, false}; }

    void add_file(const std::string& path, const std::string& data, i64 modified = kModified) {
        m_nodes[path] = Node {FileKind::File, data, modified, false};
        m_listed.clear();
    }
    void add_dir(const std::string& path) {
        m_nodes[path] = Node {FileKind::Directory, "", kModified, false};
        m_listed.clear();
    }
    void add_other(const std::string& path) { m_nodes[path] = Node {FileKind::Other, "", kModified, false}; }
    void deny(const std::string& path) { m_nodes[path].denied = true; }
    void remove(const std::string& path) {
        m_nodes.erase(path);
        m_listed.clear();
    }
    Node& node(const std::string& path) { return m_nodes.at(path); }

    usize open_count() const { return m_open.size(); }
    usize most_open = 0;  // the most files open at once
    usize opens = 0;
    usize reads = 0;
    usize largest_read = 0;  // the largest buffer a read was offered

    Result<OpenFile> open(StringView raw) override {
        ++opens;
        std::string path(raw.data(), raw.length());
        EXPECT_FALSE(path.empty());
        EXPECT_EQ(path[0], '/');
        // As the kernel's walk: a trailing '/' asks for a directory.
        bool want_directory = path.size() > 1 && path.back() == '/';
        if (want_directory) path.pop_back();
        auto it = m_nodes.find(path);
        if (it == m_nodes.end()) return Error::NotFound;
        if (it->second.denied) return Error::AccessDenied;
        if (want_directory && it->second.kind != FileKind::Directory) return Error::NotFound;
        FileId id = m_next_id++;
        m_open[id] = path;
        most_open = std::max(most_open, m_open.size());
        OpenFile file;
        file.id = id;
        file.info = {it->second.kind, it->second.data.size(), it->second.modified};
        return file;
    }

    Result<usize> read(FileId id, u64 offset, Span<char> out) override {
        auto it = m_open.find(id);
        EXPECT_NE(it, m_open.end());
        if (it == m_open.end()) return Error::InvalidArgument;
        ++reads;
        largest_read = std::max(largest_read, out.size());
        auto node = m_nodes.find(it->second);
        if (node == m_nodes.end()) return usize(0);  // removed while open: reads as empty
        const std::string& data = node->second.data;
        if (offset >= data.size()) return usize(0);
        usize n = std::min<usize>(out.size(), data.size() - offset);
        std::memcpy(out.data(), data.data() + offset, n);
        return n;
    }

    Result<bool> read_entry(FileId dir, u64 index, DirectoryEntry& out) override {
        auto it = m_open.find(dir);
        EXPECT_NE(it, m_open.end());
        if (it == m_open.end()) return Error::InvalidArgument;
        const auto& entries = entries_of(it->second);
        if (index >= entries.size()) return false;
        const auto& [name, is_directory] = entries[index];
        EXPECT_LE(name.size(), sizeof(out.name));
        std::memcpy(out.name, name.data(), name.size());
        out.name_length = name.size();
        out.is_directory = is_directory;
        return true;
    }

    void close(FileId id) override { EXPECT_EQ(m_open.erase(id), 1u) << "closed twice or never opened: " << id; }

private:
    using Entries = std::vector<std::pair<std::string, bool>>;

    // The names in directory `parent`, as (name, is_directory), kept until
    // the tree changes.
    const Entries& entries_of(const std::string& parent) {
        auto cached = m_listed.find(parent);
        if (cached != m_listed.end()) return cached->second;
        // "." and ".." first, as many file systems give them.
        Entries entries = {{".", true}, {"..", true}};
        for (const auto& [path, node] : m_nodes) {
            if (path == "/") continue;
            usize slash = path.rfind('/');
            std::string holder = slash == 0 ? "/" : path.substr(0, slash);
            if (holder == parent) entries.push_back({path.substr(slash + 1), node.kind == FileKind::Directory});
        }
        return m_listed[parent] = entries;
    }

    std::map<std::string, Node> m_nodes;
    std::map<std::string, Entries> m_listed;
    std::map<FileId, std::string> m_open;
    FileId m_next_id = 100;
};

// ---- reading what the server sent -------------------------------------------

struct Response {
    std::string version;
    int status = 0;
    std::string reason;
    std::map<std::string, std::string> fields;  // names lower-cased
    std::string body;

    bool has(const std::string& name) const { return fields.count(name) != 0; }
    std::string field(const std::string& name) const {
        auto it = fields.find(name);
        return it == fields.end() ? std::string() : it->second;
    }
};

// Takes one response off the front of `stream`, or nothing if it is not
// all there. The body is framed as RFC 9112 6.3 says for a response: none
// after HEAD or for 304, else Content-Length bytes (httpd never sends
// another framing, so a missing Content-Length is a failure here).
std::optional<Response> take_response(std::string& stream, bool answers_head = false) {
    usize end = stream.find("\r\n\r\n");
    if (end == std::string::npos) return std::nullopt;
    std::string head = stream.substr(0, end);
    Response r;
    usize line_end = head.find("\r\n");
    std::string status_line = head.substr(0, line_end);
    // HTTP-version SP 3DIGIT SP reason-phrase
    EXPECT_GE(status_line.size(), 13u) << status_line;
    if (status_line.size() < 13) return std::nullopt;
    r.version = status_line.substr(0, 8);
    EXPECT_EQ(status_line[8], ' ');
    r.status = std::atoi(status_line.substr(9, 3).c_str());
    EXPECT_EQ(status_line[12], ' ');
    r.reason = status_line.substr(13);
    usize at = line_end == std::string::npos ? head.size() : line_end + 2;
    while (at < head.size()) {
        usize next = head.find("\r\n", at);
        if (next == std::string::npos) next = head.size();
        std::string line = head.substr(at, next - at);
        usize colon = line.find(": ");
        EXPECT_NE(colon, std::string::npos) << line;
        if (colon == std::string::npos) return std::nullopt;
        std::string name = lower(line.substr(0, colon));
        EXPECT_FALSE(r.has(name)) << "field sent twice: " << name;
        r.fields[name] = line.substr(colon + 2);
        at = next + 2;
    }
    usize body_length = 0;
    if (!answers_head && r.status != 304) {
        EXPECT_TRUE(r.has("content-length")) << status_line;
        body_length = std::strtoull(r.field("content-length").c_str(), nullptr, 10);
    }
    if (stream.size() - (end + 4) < body_length) return std::nullopt;
    r.body = stream.substr(end + 4, body_length);
    stream.erase(0, end + 4 + body_length);
    return r;
}

// ---- driving one connection --------------------------------------------------

struct Client {
    FakeFiles files;
    ConnectionConfig config;
    HttpCounters counters;
    Time now {5 * kSecond, kNow};
    std::unique_ptr<Connection> connection;
    std::string received;  // what the connection sent, not yet taken apart
    usize total_received = 0;
    bool shut_down = false;
    usize largest_output = 0;
    usize write_size = SIZE_MAX;  // bytes the "socket" takes per write

    void connect() { connection = std::make_unique<Connection>(files, config, counters, now); }

    // Takes what the connection has to send, as a socket would.
    void drain() {
        while (connection->wants_write()) {
            StringView out = connection->output();
            largest_output = std::max(largest_output, out.length());
            usize n = std::min(write_size, out.length());
            received.append(out.data(), n);
            total_received += n;
            connection->on_sent(n, now);
        }
        if (connection->wants_shutdown()) {
            connection->on_shutdown(now);
            shut_down = true;
        }
    }

    // Delivers `bytes` as reads of whatever room the connection offers,
    // sending its answers whenever it stops taking input.
    void send(const std::string& bytes) {
        usize at = 0;
        while (at < bytes.size()) {
            if (!connection->wants_read()) {
                if (!connection->wants_write()) break;
                drain();
                continue;
            }
            Span<char> space = connection->read_space();
            usize n = std::min(space.size(), bytes.size() - at);
            std::memcpy(space.data(), bytes.data() + at, n);
            connection->on_received(n, now);
            at += n;
        }
        drain();
    }

    void pass(u64 ns) {
        now.monotonic_ns += ns;
        connection->on_timer(now);
        drain();
    }

    Response next(bool answers_head = false) {
        auto r = take_response(received, answers_head);
        EXPECT_TRUE(r.has_value()) << "no whole response in: " << received.substr(0, 200);
        return r.value_or(Response {});
    }

    Response request(const std::string& bytes, bool answers_head = false) {
        send(bytes);
        return next(answers_head);
    }
};

std::string get(const std::string& target, const std::string& extra = "") {
    return "GET " + target + " HTTP/1.1\r\nHost: test\r\n" + extra + "\r\n";
}
std::string head(const std::string& target, const std::string& extra = "") {
    return "HEAD " + target + " HTTP/1.1\r\nHost: test\r\n" + extra + "\r\n";
}

std::string pattern(usize length, u32 seed) {
    std::string s(length, '\0');
    u32 x = seed;
    for (char& c : s) {
        x = x * 1103515245u + 12345u;
        c = char(x >> 24);
    }
    return s;
}

usize count_of(const std::string& text, const std::string& piece) {
    usize n = 0;
    for (usize at = text.find(piece); at != std::string::npos; at = text.find(piece, at + 1)) ++n;
    return n;
}

class HttpConnection : public ::testing::Test {
protected:
    void SetUp() override {
        c.files.add_file("/hello.txt", "Hello, world!\n");
        c.files.add_file("/data.bin", "0123456789");
        c.files.add_file("/empty.txt", "");
        c.files.add_file("/secret.txt", "no");
        c.files.deny("/secret.txt");
        c.files.add_other("/device");
        c.files.add_dir("/docs");
        c.files.add_file("/docs/a.txt", "alpha\n");
        c.files.add_file("/docs/b&c <d>.txt", "bc\n");
        c.files.add_dir("/docs/sub");
        c.files.add_dir("/site");
        c.files.add_file("/site/index.html", "<h1>site</h1>\n");
        c.files.add_dir("/my docs");
        c.connect();
    }
    void TearDown() override {
        // Whatever happened, no file is left open once the connection is.
        c.connection.reset();
        EXPECT_EQ(c.files.open_count(), 0u);
        // One connection never holds more than one file open, so the
        // server's handle budget (ServerConfig) holds.
        EXPECT_LE(c.files.most_open, 1u);
    }

    Client c;
};

// ---- files ------------------------------------------------------------------------

TEST_F(HttpConnection, GetSendsTheFileWithItsFields) {
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

TEST_F(HttpConnection, TypesFollowTheExtension) {
    c.files.add_file("/page.HTML", "<p>");
    c.files.add_file("/blob", "?");
    EXPECT_EQ(c.request(get("/page.HTML")).field("content-type"), "text/html; charset=utf-8");
    EXPECT_EQ(c.request(get("/blob")).field("content-type"), "application/octet-stream");
}

TEST_F(HttpConnection, EmptyFile) {
    Response r = c.request(get("/empty.txt"));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.field("content-length"), "0");
    EXPECT_EQ(r.body, "");
    EXPECT_EQ(c.files.open_count(), 0u);
}

TEST_F(HttpConnection, FileTimeAheadOfTheClockIsSentAsTheDate) {
    // RFC 9110 8.8.2.1: never a Last-Modified later than the Date.
    c.files.add_file("/future.txt", "f", kNow + 3600);
    Response r = c.request(get("/future.txt"));
    EXPECT_EQ(r.field("last-modified"), kNowText);
}

TEST_F(HttpConnection, HeadSendsTheHeadAlone) {
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

TEST_F(HttpConnection, SingleRangeGetsPartialContent) {
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

TEST_F(HttpConnection, RangeOutsideTheFileIs416) {
    Response r = c.request(get("/data.bin", "Range: bytes=10-\r\n"));
    EXPECT_EQ(r.status, 416);
    EXPECT_EQ(r.field("content-range"), "bytes */10");
    EXPECT_EQ(c.files.open_count(), 0u);
    // Not an error of the connection's framing: it stays open.
    EXPECT_FALSE(r.has("connection"));
    EXPECT_EQ(c.request(get("/data.bin")).body, "0123456789");
}

TEST_F(HttpConnection, SeveralRangesOrAnInvalidOneGetTheWholeFile) {
    Response many = c.request(get("/data.bin", "Range: bytes=0-1,4-5\r\n"));
    EXPECT_EQ(many.status, 200);
    EXPECT_EQ(many.body, "0123456789");
    EXPECT_FALSE(many.has("content-range"));
    Response other_unit = c.request(get("/data.bin", "Range: lines=1-2\r\n"));
    EXPECT_EQ(other_unit.status, 200);
    EXPECT_EQ(other_unit.body, "0123456789");
}

TEST_F(HttpConnection, IfRangeMustMatchTheFileTime) {
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

TEST_F(HttpConnection, IfModifiedSinceTheFileTimeIs304) {
    Response r = c.request(get("/hello.txt", std::string("If-Modified-Since: ") + kModifiedText + "\r\n"));
    EXPECT_EQ(r.status, 304);
    EXPECT_EQ(r.body, "");
    EXPECT_EQ(r.field("last-modified"), kModifiedText);
    EXPECT_EQ(r.field("date"), kNowText);
    EXPECT_EQ(c.files.open_count(), 0u);
    // Nothing followed the 304's head: the next answer parses.
    EXPECT_EQ(c.request(get("/data.bin")).body, "0123456789");
}

TEST_F(HttpConnection, IfModifiedSinceAnEarlierTimeSendsTheFile) {
    Response r = c.request(get("/hello.txt", std::string("If-Modified-Since: ") + kModifiedTextMinusOne + "\r\n"));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "Hello, world!\n");
    // A date in the future is invalid (RFC 9110 13.1.3) and ignored.
    Response future = c.request(get("/hello.txt", "If-Modified-Since: Tue, 14 Nov 2023 22:15:00 GMT\r\n"));
    EXPECT_EQ(future.status, 200);
}

TEST_F(HttpConnection, IfNoneMatchStarIs304) {
    Response r = c.request(get("/hello.txt", "If-None-Match: *\r\n"));
    EXPECT_EQ(r.status, 304);
}

// ---- refusals -------------------------------------------------------------------

TEST_F(HttpConnection, MissingFileIs404AndTheConnectionGoesOn) {
    Response r = c.request(get("/nope.txt"));
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.reason, "Not Found");
    EXPECT_EQ(r.body.substr(0, 4), "404 ");
    EXPECT_EQ(r.field("content-length"), std::to_string(r.body.size()));
    EXPECT_FALSE(r.has("connection"));
    EXPECT_EQ(c.request(get("/hello.txt")).status, 200);
    EXPECT_EQ(c.counters.responses[4], 1u);
}

TEST_F(HttpConnection, PathsAboveTheRootAre403WithoutALookupAndClose) {
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

TEST_F(HttpConnection, RefusedAndUnservableNamesAre403) {
    EXPECT_EQ(c.request(get("/secret.txt")).status, 403);
    EXPECT_EQ(c.request(get("/device")).status, 403);
    EXPECT_EQ(c.files.open_count(), 0u);
}

TEST_F(HttpConnection, FileNamedAsDirectoryIs404) {
    EXPECT_EQ(c.request(get("/hello.txt/")).status, 404);
}

TEST_F(HttpConnection, PostIs405WithAllowAndCloses) {
    Response r = c.request("POST /hello.txt HTTP/1.1\r\nHost: test\r\nContent-Length: 3\r\n\r\nabc");
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(r.field("allow"), "GET, HEAD");
    EXPECT_EQ(r.field("connection"), "close");
    EXPECT_TRUE(c.shut_down);
}

TEST_F(HttpConnection, Http2Is505) {
    Response r = c.request("GET / HTTP/2.0\r\nHost: test\r\n\r\n");
    EXPECT_EQ(r.status, 505);
    EXPECT_EQ(r.field("connection"), "close");
}

TEST_F(HttpConnection, TheParsersRefusalsAreSentAndClose) {
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

TEST_F(HttpConnection, DirectoryWithoutSlashRedirects) {
    Response r = c.request(get("/docs"));
    EXPECT_EQ(r.status, 301);
    EXPECT_EQ(r.field("location"), "/docs/");
    EXPECT_EQ(c.request(get("/docs?sort=name")).field("location"), "/docs/?sort=name");
    // The decoded path is encoded again.
    EXPECT_EQ(c.request(get("/my%20docs")).field("location"), "/my%20docs/");
    EXPECT_EQ(c.files.open_count(), 0u);
}

TEST_F(HttpConnection, DirectoryIsListed) {
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

TEST_F(HttpConnection, RootListingHasNoParent) {
    Response r = c.request(get("/"));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body.find("../"), std::string::npos);
    EXPECT_NE(r.body.find("href=\"/hello.txt\""), std::string::npos);
    EXPECT_NE(r.body.find("href=\"/docs/\""), std::string::npos);
}

TEST_F(HttpConnection, HeadOfAListingHasTheLengthOfTheListing) {
    Response g = c.request(get("/docs/"));
    Response h = c.request(head("/docs/"), true);
    EXPECT_EQ(h.status, 200);
    EXPECT_EQ(h.field("content-length"), std::to_string(g.body.size()));
    EXPECT_EQ(h.body, "");
    EXPECT_EQ(c.request(get("/data.bin")).body, "0123456789");
}

TEST_F(HttpConnection, IndexHtmlStandsForItsDirectory) {
    Response r = c.request(get("/site/"));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "<h1>site</h1>\n");
    EXPECT_EQ(r.field("content-type"), "text/html; charset=utf-8");
    EXPECT_EQ(r.field("last-modified"), kModifiedText);
    EXPECT_EQ(c.files.open_count(), 0u);
}

TEST_F(HttpConnection, IndexHtmlThatIsNoFileIsNotServed) {
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

TEST_F(HttpConnection, ListingLargerThanTheBufferIsStreamed) {
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

TEST_F(HttpConnection, ListingKeepsItsLengthWhenTheDirectoryChanges) {
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

// ---- connections -----------------------------------------------------------------

TEST_F(HttpConnection, PipelinedRequestsAreAnsweredInOrder) {
    c.send(get("/hello.txt") + head("/data.bin") + get("/nope") + get("/data.bin", "Range: bytes=0-0\r\n"));
    Response first = c.next();
    Response second = c.next(true);
    Response third = c.next();
    Response fourth = c.next();
    EXPECT_EQ(first.body, "Hello, world!\n");
    EXPECT_EQ(second.status, 200);
    EXPECT_EQ(second.field("content-length"), "10");
    EXPECT_EQ(third.status, 404);
    EXPECT_EQ(fourth.status, 206);
    EXPECT_EQ(fourth.body, "0");
    EXPECT_TRUE(c.received.empty());
    EXPECT_EQ(c.counters.requests, 4u);
}

TEST_F(HttpConnection, PipelinedRequestsArrivingByteByByte) {
    std::string both = get("/hello.txt") + get("/data.bin");
    for (char ch : both) c.send(std::string(1, ch));
    EXPECT_EQ(c.next().body, "Hello, world!\n");
    EXPECT_EQ(c.next().body, "0123456789");
}

TEST_F(HttpConnection, ManyPipelinedRequestsBeyondTheInputBuffer) {
    // More requests than the input buffer holds at once: reading pauses
    // while answers wait, and every one is answered in order.
    std::string all;
    const int count = 400;
    for (int i = 0; i < count; ++i) all += get(i % 2 ? "/data.bin" : "/hello.txt");
    ASSERT_GT(all.size(), Connection::kInputBytes);
    c.write_size = 100;
    c.send(all);
    for (int i = 0; i < count; ++i) EXPECT_EQ(c.next().body, i % 2 ? "0123456789" : "Hello, world!\n") << i;
    EXPECT_TRUE(c.received.empty());
}

TEST_F(HttpConnection, ConnectionCloseEndsAfterTheAnswer) {
    Response r = c.request(get("/hello.txt", "Connection: close\r\n"));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "Hello, world!\n");
    EXPECT_EQ(r.field("connection"), "close");
    EXPECT_TRUE(c.shut_down);
    EXPECT_FALSE(c.connection->finished());
    // Lingering: what the client still sends is read and dropped.
    c.send(get("/data.bin"));
    EXPECT_TRUE(c.received.empty());
    c.connection->on_end_of_stream(c.now);
    EXPECT_TRUE(c.connection->finished());
}

TEST_F(HttpConnection, RequestsAfterConnectionCloseAreNotAnswered) {
    c.send(get("/hello.txt", "Connection: close\r\n") + get("/data.bin"));
    EXPECT_EQ(c.next().body, "Hello, world!\n");
    EXPECT_TRUE(c.received.empty());
    EXPECT_EQ(c.counters.requests, 1u);
}

TEST_F(HttpConnection, LingeringEndsAtItsTimeout) {
    c.request(get("/hello.txt", "Connection: close\r\n"));
    ASSERT_TRUE(c.shut_down);
    c.pass(c.config.linger_timeout_ns - 1);
    EXPECT_FALSE(c.connection->finished());
    c.pass(1);
    EXPECT_TRUE(c.connection->finished());
}

TEST_F(HttpConnection, Http10ClosesUnlessAskedToKeepAlive) {
    Response r = c.request("GET /hello.txt HTTP/1.0\r\n\r\n");
    EXPECT_EQ(r.version, "HTTP/1.1");  // a server sends its own version (RFC 9110 2.5)
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "Hello, world!\n");
    EXPECT_EQ(r.field("connection"), "close");
    EXPECT_TRUE(c.shut_down);

    Client kept;
    kept.files.add_file("/hello.txt", "hi");
    kept.connect();
    Response first = kept.request("GET /hello.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    EXPECT_EQ(first.field("connection"), "keep-alive");
    EXPECT_FALSE(kept.shut_down);
    Response second = kept.request("GET /hello.txt HTTP/1.0\r\n\r\n");
    EXPECT_EQ(second.body, "hi");
    EXPECT_EQ(second.field("connection"), "close");
    EXPECT_TRUE(kept.shut_down);
}

TEST_F(HttpConnection, ClientEndingAfterItsRequestStillGetsTheAnswer) {
    c.send(get("/hello.txt") + get("/data.bin"));
    c.connection->on_end_of_stream(c.now);
    c.drain();
    EXPECT_EQ(c.next().body, "Hello, world!\n");
    EXPECT_EQ(c.next().body, "0123456789");
    // The client already ended its side: no shutdown dance, just close.
    EXPECT_TRUE(c.connection->finished());
    EXPECT_FALSE(c.shut_down);
}

TEST_F(HttpConnection, ClientEndingInTheMiddleOfARequestGetsNothing) {
    c.send("GET /hello.txt HTTP/1.1\r\nHo");
    c.connection->on_end_of_stream(c.now);
    c.drain();
    EXPECT_TRUE(c.received.empty());
    EXPECT_TRUE(c.connection->finished());
}

TEST_F(HttpConnection, HowBytesAreCutNeverChangesWhatIsSent) {
    // A mix of pipelined requests, answered once with everything arriving
    // at once and the socket taking all, then again and again with the
    // input in random pieces and the socket taking random amounts: the
    // bytes sent must be the same every time (the clock stands still).
    c.files.add_file("/large.bin", pattern(70000, 11));
    const std::vector<std::string> requests = {
        get("/hello.txt"),
        head("/docs/"),
        get("/docs/"),
        get("/large.bin", "Range: bytes=100-40000\r\n"),
        get("/nope"),
        get("/docs"),
        "\r\n" + get("/site/"),
        get("/data.bin", std::string("If-Modified-Since: ") + kModifiedText + "\r\n"),
        get("/large.bin"),
        get("/data.bin", "Range: bytes=50-\r\n"),
        "GET /data.bin HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        get("/secret.txt"),
    };
    std::string all;
    for (int i = 0; i < 40; ++i) all += requests[(i * 7) % requests.size()];
    all += get("/hello.txt", "Connection: close\r\n");

    Client whole;
    whole.files = c.files;
    whole.connect();
    whole.send(all);
    const std::string expected = whole.received;
    EXPECT_TRUE(whole.shut_down);

    u32 seed = 12345;
    auto next_random = [&](u32 bound) {
        seed = seed * 1664525u + 1013904223u;
        return (seed >> 8) % bound;
    };
    for (int round = 0; round < 6; ++round) {
        Client cut;
        cut.files = c.files;
        cut.connect();
        usize at = 0;
        while (at < all.size() && cut.connection->wants_read()) {
            usize piece = 1 + next_random(round % 2 ? 7 : 3000);
            cut.write_size = 1 + next_random(round < 3 ? 50 : 20000);
            std::string bytes = all.substr(at, piece);
            Span<char> space = cut.connection->read_space();
            usize n = std::min(space.size(), bytes.size());
            std::memcpy(space.data(), bytes.data(), n);
            cut.connection->on_received(n, cut.now);
            at += n;
            // Only part of what is pending goes out before the next piece.
            if (cut.connection->wants_write()) {
                StringView out = cut.connection->output();
                usize sent = std::min<usize>(cut.write_size, out.length());
                cut.received.append(out.data(), sent);
                cut.connection->on_sent(sent, cut.now);
            }
            if (!cut.connection->wants_read()) cut.drain();
        }
        cut.write_size = SIZE_MAX;
        cut.drain();
        EXPECT_TRUE(cut.received == expected) << "round " << round << ": " << cut.received.size() << " bytes, "
                                              << expected.size() << " expected";
        EXPECT_TRUE(cut.shut_down);
        cut.connection.reset();
        EXPECT_EQ(cut.files.open_count(), 0u);
    }
    // And what was sent is the answers, one for each request, in order.
    std::string stream = expected;
    usize answers = 0;
    for (int i = 0; i < 40; ++i) {
        const std::string& request = requests[(i * 7) % requests.size()];
        auto r = take_response(stream, request.rfind("HEAD", 0) == 0);
        ASSERT_TRUE(r.has_value()) << i;
        ++answers;
    }
    EXPECT_TRUE(take_response(stream).has_value());
    EXPECT_TRUE(stream.empty());
    EXPECT_EQ(answers, 40u);
}

// ---- timers -------------------------------------------------------------------------

TEST_F(HttpConnection, TricklingClientGets408AtTheHeaderTimeout) {
    // One byte a second never finishes a request within 10 seconds,
    // however steadily the bytes come.
    const std::string request = get("/hello.txt");
    ASSERT_GT(request.size(), 12u);
    usize at = 0;
    for (; at < 10; ++at) {
        c.send(request.substr(at, 1));
        EXPECT_LE(c.connection->deadline(), c.now.monotonic_ns + c.config.header_timeout_ns);
        c.pass(kSecond);
        if (!c.received.empty()) break;
    }
    EXPECT_EQ(at, 9u) << "answered after " << at + 1 << " seconds";
    Response r = c.next();
    EXPECT_EQ(r.status, 408);
    EXPECT_EQ(r.field("connection"), "close");
    EXPECT_TRUE(c.shut_down);
    EXPECT_EQ(c.counters.header_timeouts, 1u);
}

TEST_F(HttpConnection, SlowButTimelyRequestIsServed) {
    const std::string request = get("/hello.txt");
    const u64 step = (c.config.header_timeout_ns - kSecond) / request.size();
    for (char ch : request) {
        c.pass(step);
        c.send(std::string(1, ch));
    }
    EXPECT_EQ(c.next().status, 200);
}

TEST_F(HttpConnection, HeaderTimerRunsFromTheFirstByteOfLaterRequests) {
    EXPECT_EQ(c.request(get("/hello.txt")).status, 200);
    // Idle for a while (under the idle timeout), then a slow request.
    c.pass(c.config.idle_timeout_ns - kSecond);
    c.send("GET /data");
    c.pass(c.config.header_timeout_ns - 1);
    EXPECT_TRUE(c.received.empty());
    c.pass(1);
    EXPECT_EQ(c.next().status, 408);
}

TEST_F(HttpConnection, IdleKeptAliveConnectionIsClosedQuietly) {
    EXPECT_EQ(c.request(get("/hello.txt")).status, 200);
    c.pass(c.config.idle_timeout_ns - 1);
    EXPECT_FALSE(c.connection->finished());
    c.pass(1);
    EXPECT_TRUE(c.connection->finished());
    EXPECT_TRUE(c.received.empty());
    EXPECT_EQ(c.counters.idle_closes, 1u);
}

TEST_F(HttpConnection, AnswersWaitingToBeReadHoldOffTheIdleTimer) {
    // A client slow to read its answer is not idle: only the send timer
    // runs until it has read everything.
    Client slow;
    slow.config.idle_timeout_ns = 5 * kSecond;
    slow.config.send_timeout_ns = 30 * kSecond;
    slow.files.add_file("/hello.txt", "Hello, world!\n");
    slow.connect();
    std::string request = get("/hello.txt");
    Span<char> space = slow.connection->read_space();
    std::memcpy(space.data(), request.data(), request.size());
    slow.connection->on_received(request.size(), slow.now);
    ASSERT_TRUE(slow.connection->wants_write());
    slow.now.monotonic_ns += 20 * kSecond;
    slow.connection->on_timer(slow.now);
    EXPECT_FALSE(slow.connection->finished());
    slow.drain();
    EXPECT_EQ(slow.next().body, "Hello, world!\n");
    // Now it is idle, from the moment it read the last byte.
    slow.pass(5 * kSecond - 1);
    EXPECT_FALSE(slow.connection->finished());
    slow.pass(1);
    EXPECT_TRUE(slow.connection->finished());
}

TEST_F(HttpConnection, SilentNewConnectionIsClosedQuietly) {
    EXPECT_EQ(c.connection->deadline(), c.now.monotonic_ns + c.config.header_timeout_ns);
    c.pass(c.config.header_timeout_ns);
    EXPECT_TRUE(c.connection->finished());
    EXPECT_TRUE(c.received.empty());
}

TEST_F(HttpConnection, ClientThatStopsReadingIsDropped) {
    c.files.add_file("/large.bin", pattern(200000, 1));
    std::string request = get("/large.bin");
    Span<char> space = c.connection->read_space();
    std::memcpy(space.data(), request.data(), request.size());
    c.connection->on_received(request.size(), c.now);
    ASSERT_TRUE(c.connection->wants_write());
    EXPECT_EQ(c.connection->deadline(), c.now.monotonic_ns + c.config.send_timeout_ns);
    c.now.monotonic_ns += c.config.send_timeout_ns;
    c.connection->on_timer(c.now);
    EXPECT_TRUE(c.connection->finished());
    EXPECT_EQ(c.counters.aborted, 1u);
    EXPECT_EQ(c.files.open_count(), 0u);
}

// ---- bounded memory ------------------------------------------------------------------

TEST_F(HttpConnection, LargeFileIsStreamedInBoundedChunks) {
    const std::string content = pattern(1024 * 1024 + 123, 7);
    c.files.add_file("/large.bin", content);
    c.write_size = 1460;
    Response r = c.request(get("/large.bin"));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.field("content-length"), std::to_string(content.size()));
    EXPECT_TRUE(r.body == content);
    // Never more than the output buffer at once, read in many pieces.
    EXPECT_LE(c.largest_output, Connection::kOutputBytes);
    EXPECT_LE(c.files.largest_read, Connection::kOutputBytes);
    EXPECT_GE(c.files.reads, content.size() / Connection::kOutputBytes);
    EXPECT_LT(sizeof(Connection), Connection::kInputBytes + Connection::kOutputBytes + 4096);
    EXPECT_EQ(c.counters.bytes_sent, c.total_received);
}

TEST_F(HttpConnection, LargeRangeIsStreamedToo) {
    const std::string content = pattern(300000, 9);
    c.files.add_file("/large.bin", content);
    c.write_size = 5000;
    Response r = c.request(get("/large.bin", "Range: bytes=1000-250999\r\n"));
    EXPECT_EQ(r.status, 206);
    EXPECT_EQ(r.field("content-range"), "bytes 1000-250999/300000");
    EXPECT_TRUE(r.body == content.substr(1000, 250000));
}

TEST_F(HttpConnection, FileShrinkingMidBodyDropsTheConnection) {
    c.files.add_file("/large.bin", pattern(200000, 3));
    std::string request = get("/large.bin");
    Span<char> space = c.connection->read_space();
    std::memcpy(space.data(), request.data(), request.size());
    c.connection->on_received(request.size(), c.now);
    c.files.node("/large.bin").data.resize(50000);
    c.drain();
    // The head promised 200000 bytes that cannot come: the only honest
    // end is to drop the connection.
    EXPECT_TRUE(c.connection->finished());
    EXPECT_EQ(c.counters.aborted, 1u);
    EXPECT_LT(c.received.size(), 60000u);
    EXPECT_EQ(c.files.open_count(), 0u);
}

// ---- the server loop -------------------------------------------------------------------

// Sockets, a listener queue and a clock: poll answers from the sockets'
// state, and when nothing is ready lets the whole timeout pass.
class FakeHost final : public ServerHost {
public:
    static constexpr SocketId kListener = 1;

    struct Socket {
        std::string inbound;      // sent by the client, not yet read
        bool client_ended = false;
        std::string outbound;     // what the server sent
        bool shut = false;
        bool closed = false;
        usize room = SIZE_MAX;    // bytes one send takes at most
    };

    std::deque<SocketId> queue;
    std::map<SocketId, Socket> sockets;
    u64 monotonic = 5 * kSecond;
    u64 last_timeout = 0;
    bool cancel = false;
    bool writable = true;  // whether sockets have room in their send buffers
    long live_blocks = 0;
    usize polls = 0;
    usize poll_limit = mote::abi::kPollMaxItems;  // the kernel's bound

    SocketId connect(const std::string& bytes = "") {
        SocketId id = m_next++;
        sockets[id].inbound = bytes;
        queue.push_back(id);
        return id;
    }

    Result<SocketId> accept() override {
        if (queue.empty()) return Error::WouldBlock;
        SocketId id = queue.front();
        queue.pop_front();
        return id;
    }
    Result<usize> receive(SocketId id, Span<char> into) override {
        Socket& s = live(id);
        if (s.inbound.empty()) return s.client_ended ? Result<usize>(usize(0)) : Result<usize>(Error::WouldBlock);
        usize n = std::min(into.size(), s.inbound.size());
        std::memcpy(into.data(), s.inbound.data(), n);
        s.inbound.erase(0, n);
        return n;
    }
    Result<usize> send(SocketId id, StringView bytes) override {
        Socket& s = live(id);
        EXPECT_FALSE(s.shut);
        // A real socket would wait here, and with it the whole server.
        EXPECT_TRUE(writable || s.outbound.empty()) << "a write to a socket with no room";
        usize n = std::min(s.room, bytes.length());
        s.outbound.append(bytes.data(), n);
        return n;
    }
    void shutdown_send(SocketId id) override { live(id).shut = true; }
    void close(SocketId id) override { live(id).closed = true; }
    Result<usize> poll(Span<mote::abi::PollItem> items, u64 timeout_ns) override {
        ++polls;
        // As Mote's kernel: a set larger than the limit is refused.
        EXPECT_LE(items.size(), poll_limit);
        if (items.size() > poll_limit) return Error::InvalidArgument;
        last_timeout = timeout_ns;
        if (cancel) return Error::Cancelled;
        usize ready = 0;
        for (mote::abi::PollItem& item : items) {
            u32 now_ready = 0;
            if (item.handle == kListener) {
                if (!queue.empty()) now_ready |= mote::abi::kPollReadable;
            } else {
                Socket& s = live(item.handle);
                if (!s.inbound.empty() || s.client_ended) now_ready |= mote::abi::kPollReadable;
                if (!s.shut && writable) now_ready |= mote::abi::kPollWritable;
            }
            item.ready = now_ready & item.events;
            if (item.ready) ++ready;
        }
        if (ready == 0) {
            EXPECT_NE(timeout_ns, ~u64(0)) << "the server would wait forever";
            if (timeout_ns == ~u64(0)) return Error::Cancelled;
            monotonic += timeout_ns;
        }
        return ready;
    }
    Time now() override { return {monotonic, kNow + i64(monotonic / kSecond)}; }
    void* allocate(usize bytes) override {
        ++live_blocks;
        return std::malloc(bytes);
    }
    void release(void* block) override {
        --live_blocks;
        std::free(block);
    }

private:
    Socket& live(SocketId id) {
        auto it = sockets.find(id);
        EXPECT_NE(it, sockets.end()) << id;
        EXPECT_FALSE(it->second.closed) << "socket used after close: " << id;
        return it->second;
    }
    SocketId m_next = 10;
};

class HttpServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        files.add_file("/hello.txt", "Hello, world!\n");
        files.add_file("/large.bin", large);
    }
    void run(int turns) {
        for (int i = 0; i < turns; ++i) ASSERT_TRUE(server.run_once());
    }

    FakeFiles files;
    FakeHost host;
    std::string large = pattern(100000, 5);
    ServerConfig config = [] {
        ServerConfig c;
        c.max_connections = 3;
        return c;
    }();
    HttpServer server {host, files, FakeHost::kListener, config};
};

TEST_F(HttpServerTest, AcceptsReadsAnswersAndKeepsTheConnection) {
    SocketId id = host.connect(get("/hello.txt"));
    run(1);  // accepted
    EXPECT_TRUE(host.sockets[id].outbound.empty());
    // Read, answered and written in one turn: the first write on a
    // connection needs no poll (its send buffer is empty).
    run(1);
    Response r = take_response(host.sockets[id].outbound).value_or(Response {});
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "Hello, world!\n");
    EXPECT_FALSE(host.sockets[id].closed);
    EXPECT_EQ(server.connection_count(), 1u);
    EXPECT_EQ(server.counters().connections, 1u);
    EXPECT_EQ(host.live_blocks, 1);
    // A second request on it: now writes wait for poll to say writable.
    host.sockets[id].inbound = get("/hello.txt");
    host.writable = false;
    run(1);
    EXPECT_TRUE(host.sockets[id].outbound.empty());
    host.writable = true;
    run(1);
    EXPECT_EQ(take_response(host.sockets[id].outbound).value_or(Response {}).body, "Hello, world!\n");
}

TEST_F(HttpServerTest, PartialWritesCarryALargeFile) {
    SocketId id = host.connect(get("/large.bin"));
    host.sockets[id].room = 3000;
    std::string& outbound = host.sockets[id].outbound;
    // One write per turn, each taking 3000 bytes.
    int turns = 0;
    for (; turns < 200; ++turns) {
        std::string copy = outbound;
        if (take_response(copy)) break;
        ASSERT_TRUE(server.run_once());
    }
    EXPECT_GE(turns, int(large.size() / 3000));
    EXPECT_EQ(server.counters().bytes_sent, outbound.size());
    Response r = take_response(outbound).value_or(Response {});
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(r.body == large);
    EXPECT_TRUE(outbound.empty());
}

TEST_F(HttpServerTest, ConnectionsBeyondTheTableAreAnswered503) {
    SocketId a = host.connect();
    SocketId b = host.connect();
    SocketId d = host.connect();
    SocketId e = host.connect();
    run(1);
    EXPECT_EQ(server.connection_count(), 3u);
    EXPECT_FALSE(host.sockets[a].closed);
    EXPECT_FALSE(host.sockets[b].closed);
    EXPECT_FALSE(host.sockets[d].closed);
    EXPECT_TRUE(host.sockets[e].closed);
    Response r = take_response(host.sockets[e].outbound).value_or(Response {});
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.field("connection"), "close");
    EXPECT_EQ(server.counters().refused, 1u);
    EXPECT_EQ(host.live_blocks, 3);
}

TEST_F(HttpServerTest, PollWaitsUntilTheNearestDeadline) {
    SocketId id = host.connect();
    run(1);  // accepted
    EXPECT_FALSE(host.sockets[id].closed);
    // Nothing arrives: the poll's timeout is the header timer, which then
    // closes the silent connection.
    run(1);
    EXPECT_EQ(host.last_timeout, config.connection.header_timeout_ns);
    EXPECT_TRUE(host.sockets[id].closed);
    EXPECT_TRUE(host.sockets[id].outbound.empty());
    EXPECT_EQ(server.connection_count(), 0u);
    EXPECT_EQ(host.live_blocks, 0);
    // With no connection left, the server waits for the next one forever.
    host.cancel = true;
    EXPECT_FALSE(server.run_once());
    EXPECT_EQ(host.last_timeout, ~u64(0));
    EXPECT_EQ(server.last_error(), Error::Cancelled);
}

TEST_F(HttpServerTest, ClosingConnectionShutsDownThenClosesWhenTheClientEnds) {
    SocketId id = host.connect(get("/hello.txt", "Connection: close\r\n"));
    run(2);
    FakeHost::Socket& s = host.sockets[id];
    EXPECT_TRUE(s.shut);
    EXPECT_FALSE(s.closed);
    Response r = take_response(s.outbound).value_or(Response {});
    EXPECT_EQ(r.field("connection"), "close");
    s.client_ended = true;
    run(1);
    EXPECT_TRUE(s.closed);
    EXPECT_EQ(host.live_blocks, 0);
    EXPECT_EQ(files.open_count(), 0u);
}

TEST_F(HttpServerTest, TheServerClosesWhatItHoldsWhenDestroyed) {
    FakeHost own;
    auto temporary = std::make_unique<HttpServer>(own, files, FakeHost::kListener, config);
    SocketId id = own.connect(get("/large.bin"));
    own.sockets[id].room = 100;
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(temporary->run_once());
    EXPECT_EQ(files.open_count(), 1u);  // in the middle of the body
    EXPECT_EQ(own.live_blocks, 1);
    temporary.reset();
    EXPECT_TRUE(own.sockets[id].closed);
    EXPECT_EQ(own.live_blocks, 0);
    EXPECT_EQ(files.open_count(), 0u);
}

TEST_F(HttpServerTest, MoreSocketsThanOnePollTakes) {
    // 40 clients that send half a request and stop, then one that asks
    // properly: 41 connections and the listener, polled 16 at a time.
    FakeHost own;
    own.poll_limit = 16;  // a kernel that takes fewer items than the server has sockets
    ServerConfig wide;
    wide.max_connections = 50;
    wide.poll_limit = 16;
    HttpServer big(own, files, FakeHost::kListener, wide);
    std::vector<SocketId> idle;
    for (int i = 0; i < 40; ++i) idle.push_back(own.connect("GET / HTT"));
    SocketId normal = own.connect(get("/hello.txt"));
    const u64 start = own.monotonic;
    for (int i = 0; i < 6; ++i) ASSERT_TRUE(big.run_once());
    EXPECT_EQ(big.connection_count(), 41u);
    Response r = take_response(own.sockets[normal].outbound).value_or(Response {});
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "Hello, world!\n");
    // Waiting with sockets outside the group waited on is short.
    EXPECT_LE(own.last_timeout, wide.sweep_ns);
    // At the header timeout every half request is answered 408.
    for (int i = 0; i < 10000 && own.monotonic < start + wide.connection.header_timeout_ns + kSecond; ++i)
        ASSERT_TRUE(big.run_once());
    for (SocketId id : idle) {
        Response timed_out = take_response(own.sockets[id].outbound).value_or(Response {});
        EXPECT_EQ(timed_out.status, 408) << id;
        EXPECT_TRUE(own.sockets[id].shut) << id;
    }
    EXPECT_EQ(big.counters().header_timeouts, 40u);
}

TEST(HttpOverload, ResponseIsComplete) {
    char out[256];
    usize n = write_overload_response(kNow, Span<char>(out));
    std::string stream(out, n);
    Response r = take_response(stream).value_or(Response {});
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.field("date"), kNowText);
    EXPECT_EQ(r.field("connection"), "close");
    EXPECT_TRUE(stream.empty());
    char tiny[16];
    EXPECT_EQ(write_overload_response(kNow, Span<char>(tiny)), 0u);
}

}  // namespace
