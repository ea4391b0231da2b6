// channel_call (ChannelEnd::call): a request and its reply in one syscall.
// The request goes out without waiting, then the caller receives as
// channel_recv does; every failure found before the send leaves nothing
// sent, and the ones after it say the request went.
#include <gtest/gtest.h>

#include <string>

#include "support/channel_fixture.hpp"

namespace mote::test {

using abi::Err;
using abi::Sys;

namespace {

class ChannelCall : public ChannelPair {
protected:
    // channel_call of `request` from t's scratch area, the reply into the
    // receive buffer (room for `reply_room` bytes, no handles).
    i64 call_with(Thread& t, abi::Handle end, const std::string& request, Nanoseconds timeout = kForever,
                  u64 reply_room = abi::kChannelMaxBytes) {
        Process& p = t.process();
        u64 base = scratch(p);
        if (!request.empty()) poke_string(p, base + kSendBytes, request);
        poke(p, base + kSendRequest, abi::ChannelMessage {base + kSendBytes, request.size(), 0, 0, 0});
        poke(p, base + kRecvRequest, abi::ChannelMessage {base + kRecvBytes, reply_room, 0, 0, 0});
        return call(t, Sys::ChannelCall, end, base + kSendRequest, base + kRecvRequest, timeout);
    }
};

}  // namespace

TEST_F(ChannelCall, TheRequestGoesOutAndTheReplyComesBack) {
    // The server waits for a request.
    as(B->thread(), [&](Thread& t) {
        (void)recv(t, b, kForever);
        return RunExit::Parked;
    });
    as(A->thread(), [&](Thread& t) {
        (void)call_with(t, a, "ping");
        EXPECT_EQ(t.state(), ThreadState::Parked) << "waiting for the reply";
        return RunExit::Parked;
    });
    EXPECT_EQ(frame(*B).result, 4);
    EXPECT_EQ(received(*B).bytes, "ping");
    // The server answers and waits for the next request, in one call too.
    as(B->thread(), [&](Thread& t) {
        (void)call_with(t, b, "pong!");
        EXPECT_EQ(t.state(), ThreadState::Parked);
        return RunExit::Parked;
    });
    EXPECT_EQ(A->thread().state(), ThreadState::Runnable);
    EXPECT_EQ(frame(*A).result, 5);
    EXPECT_EQ(received(*A).bytes, "pong!");
    EXPECT_EQ(received(*A).request.byte_count, 5u);
    // A reply already queued is taken at once, without parking.
    as(A->thread(), [&](Thread& t) {
        EXPECT_EQ(send(t, a, "second"), 0);  // B's call takes it
        return RunExit::Loop;
    });
    EXPECT_EQ(received(*B).bytes, "second");
    as(B->thread(), [&](Thread& t) {
        EXPECT_EQ(send(t, b, "queued"), 0);
        return RunExit::Loop;
    });
    as(A->thread(), [&](Thread& t) {
        EXPECT_EQ(call_with(t, a, "third"), 6);
        EXPECT_EQ(received(*A).bytes, "queued");
        return RunExit::Loop;
    });
    EXPECT_EQ(channel->end(1).queued(), 1u) << "'third' waits for B";
    EXPECT_EQ(channel->stats().messages, 5u);
}

TEST_F(ChannelCall, FailuresBeforeTheSendLeaveNothingSent) {
    as(A->thread(), [&](Thread& t) -> RunExit {
        u64 base = scratch(*A);
        // A reply header that cannot be written back.
        poke(*A, base + kSendRequest, abi::ChannelMessage {base + kSendBytes, 1, 0, 0, 0});
        EXPECT_EQ(call(t, Sys::ChannelCall, a, base + kSendRequest, 0x1000, kForever), err(Err::BadAddress));
        // A bad request.
        poke(*A, base + kRecvRequest, abi::ChannelMessage {base + kRecvBytes, 64, 0, 0, 0});
        EXPECT_EQ(call(t, Sys::ChannelCall, a, 0x1000, base + kRecvRequest, kForever), err(Err::BadAddress));
        // Both rights are needed.
        i64 write_only = call(t, Sys::Dup, a, abi::kRightWrite);
        EXPECT_GT(write_only, 0);
        EXPECT_EQ(call_with(t, abi::Handle(write_only), "x"), err(Err::AccessDenied));
        EXPECT_EQ(call_with(t, abi::Handle(0x7777), "x"), err(Err::BadHandle));
        // A full queue: WouldBlock at once, whatever the timeout.
        for (u32 i = 0; i < abi::kChannelQueueDepth; ++i) EXPECT_EQ(send(t, a, "m"), 0);
        EXPECT_EQ(call_with(t, a, "one more"), err(Err::WouldBlock));
        EXPECT_EQ(t.state(), ThreadState::Running);
        return RunExit::Loop;
    });
    EXPECT_EQ(channel->end(1).queued(), abi::kChannelQueueDepth);
    EXPECT_EQ(channel->stats().messages, abi::kChannelQueueDepth);
    EXPECT_EQ(channel->stats().times_full, 1u);
}

TEST_F(ChannelCall, ATimeoutComesAfterTheSend) {
    as(A->thread(), [&](Thread& t) {
        (void)call_with(t, a, "anyone?", 5 * kMillisecond);
        return RunExit::Parked;
    });
    run_until([&] { return frame(*A).has_result; });
    EXPECT_EQ(frame(*A).result, err(Err::Timeout));
    EXPECT_EQ(channel->end(1).queued(), 1u) << "the request was sent";
    // A reply too long for the room given: Overflow, and it stays queued.
    as(B->thread(), [&](Thread& t) {
        EXPECT_EQ(recv(t, b), 7);
        EXPECT_EQ(send(t, b, "a long reply"), 0);
        return RunExit::Loop;
    });
    as(A->thread(), [&](Thread& t) {
        EXPECT_EQ(call_with(t, a, "again", kForever, 4), err(Err::Overflow));
        EXPECT_EQ(received(*A).request.byte_count, 12u) << "the size it takes";
        EXPECT_EQ(recv(t, a), 12);
        EXPECT_EQ(received(*A).bytes, "a long reply");
        return RunExit::Loop;
    });
}

TEST_F(ChannelCall, APeerThatClosesEndsTheWait) {
    as(A->thread(), [&](Thread& t) {
        (void)call_with(t, a, "hello");
        return RunExit::Parked;
    });
    as(B->thread(), [&](Thread& t) {
        EXPECT_EQ(call(t, Sys::Close, b), 0);
        return RunExit::Loop;
    });
    EXPECT_EQ(frame(*A).result, err(Err::PeerClosed));
    // With the peer gone, nothing is sent at all.
    as(A->thread(), [&](Thread& t) {
        EXPECT_EQ(call_with(t, a, "hello?"), err(Err::PeerClosed));
        return RunExit::Loop;
    });
    EXPECT_EQ(channel->stats().messages, 1u);
}

}  // namespace mote::test
