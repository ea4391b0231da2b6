// httpd's server loop (user/programs/httpd/http_server.*) over a simulated
// socket layer and clock (FakeHost below) and a file tree in memory
// (support/http_fixture.hpp): accepting, partial writes, the connection
// table and 503, poll timeouts and groups, closing, and the overload answer.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "httpd/http_server.hpp"
#include "support/http_fixture.hpp"

using namespace mote;
using namespace mote::httpd;
using namespace mote::httpd::test;

namespace {

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
