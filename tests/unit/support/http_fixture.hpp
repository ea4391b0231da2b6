// What the tests of httpd's connection (http_connection_test.cpp), its
// answers (http_responder_test.cpp) and its server loop
// (http_server_test.cpp) share: a FileSource held in memory (FakeFiles),
// a small HTTP/1.1 reader that takes apart what the server sent
// (take_response: status line, fields, a body framed by Content-Length),
// one connection driven as a socket would drive it (Client), and the
// fixture with a small file tree (HttpFixture). The expected dates were
// computed independently (Python's email.utils.formatdate) for the times
// used here.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "httpd/http_connection.hpp"

namespace mote::httpd::test {

// The wall clock in these tests, and a file time well before it.
inline constexpr i64 kNow = 1700000000;
inline constexpr const char* kNowText = "Tue, 14 Nov 2023 22:13:20 GMT";
inline constexpr i64 kModified = 784111777;
inline constexpr const char* kModifiedText = "Sun, 06 Nov 1994 08:49:37 GMT";
inline constexpr const char* kModifiedTextMinusOne = "Sun, 06 Nov 1994 08:49:36 GMT";
// Neither the file's time nor in the future.
inline constexpr const char* kOtherDateText = "Sun, 13 Sep 2020 12:26:40 GMT";

inline constexpr u64 kSecond = kNsPerSecond;

inline StringView view(const std::string& s) { return StringView(s.data(), s.size()); }

inline std::string lower(std::string s) {
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
inline std::optional<Response> take_response(std::string& stream, bool answers_head = false) {
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

inline std::string get(const std::string& target, const std::string& extra = "") {
    return "GET " + target + " HTTP/1.1\r\nHost: test\r\n" + extra + "\r\n";
}
inline std::string head(const std::string& target, const std::string& extra = "") {
    return "HEAD " + target + " HTTP/1.1\r\nHost: test\r\n" + extra + "\r\n";
}

inline std::string pattern(usize length, u32 seed) {
    std::string s(length, '\0');
    u32 x = seed;
    for (char& c : s) {
        x = x * 1103515245u + 12345u;
        c = char(x >> 24);
    }
    return s;
}

inline usize count_of(const std::string& text, const std::string& piece) {
    usize n = 0;
    for (usize at = text.find(piece); at != std::string::npos; at = text.find(piece, at + 1)) ++n;
    return n;
}

class HttpFixture : public ::testing::Test {
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

}  // namespace mote::httpd::test
