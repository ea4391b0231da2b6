// httpd's per-connection state machine (user/programs/httpd/
// http_connection.*) over a file tree in memory (support/http_fixture.hpp):
// keep-alive and pipelining, closing and lingering, every way of cutting
// the bytes, the header, idle, send and linger timers, and bounded memory.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "support/http_fixture.hpp"

using namespace mote;
using namespace mote::httpd;
using namespace mote::httpd::test;

namespace {

using HttpConnection = HttpFixture;

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

}  // namespace
