// A channel endpoint's stream view (read/write, what pipes use) and its
// poll readiness: partial reads, the end as a read of 0, one queue shared
// with messages, parked readers and pollers woken.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/channel_fixture.hpp"

namespace mote::test {

using abi::Err;
using abi::Sys;

// --- the stream view -----------------------------------------------------------

TEST_F(ChannelPair, StreamReadsArePartialAndEndWithZero) {
    as(A->thread(), [&](Thread& t) {
        EXPECT_EQ(write(t, a, "hello world"), 11);
        EXPECT_EQ(write(t, a, ""), 0) << "an empty write sends nothing";
        EXPECT_EQ(write(t, a, "ab"), 2);
        EXPECT_EQ(write(t, a, "cd"), 2);
        return RunExit::Loop;
    });
    EXPECT_EQ(channel->end(1).queued(), 3u);
    as(B->thread(), [&](Thread& t) {
        EXPECT_EQ(read(t, b, 4), 4);
        EXPECT_EQ(read_bytes(*B, 4), "hell");
        EXPECT_EQ(read(t, b, 100), 7) << "the rest of the head message, no more";
        EXPECT_EQ(read_bytes(*B, 7), "o world");
        EXPECT_EQ(read(t, b, 100), 2);
        EXPECT_EQ(read_bytes(*B, 2), "ab");
        return RunExit::Loop;
    });
    as(A->thread(), [&](Thread& t) {
        EXPECT_EQ(call(t, Sys::Close, a), 0);
        return RunExit::Loop;
    });
    as(B->thread(), [&](Thread& t) {
        EXPECT_EQ(read(t, b, 100), 2);
        EXPECT_EQ(read_bytes(*B, 2), "cd");
        EXPECT_EQ(read(t, b, 100), 0);
        EXPECT_EQ(read(t, b, 100), 0);
        return RunExit::Loop;
    });
}

TEST_F(ChannelPair, StreamAndMessagesShareOneQueue) {
    abi::Handle x = 0;
    as(A->thread(), [&](Thread& t) {
        EXPECT_EQ(write(t, a, "streamed"), 8);
        x = create_channel(t).a;
        EXPECT_EQ(send(t, a, "with a handle", {x}), 0);
        return RunExit::Loop;
    });
    as(B->thread(), [&](Thread& t) {
        EXPECT_EQ(recv(t, b), 8) << "a stream write is one message";
        EXPECT_EQ(received(*B).bytes, "streamed");
        EXPECT_EQ(read(t, b, 100), err(Err::BadState)) << "the stream view cannot carry handles";
        EXPECT_EQ(recv(t, b), 13);
        return RunExit::Loop;
    });
}

TEST_F(ChannelPair, AParkedStreamReaderIsWokenByAWrite) {
    as(B->thread(), [&](Thread& t) {
        (void)read(t, b, 100);
        EXPECT_EQ(t.state(), ThreadState::Parked);
        return RunExit::Parked;
    });
    as(A->thread(), [&](Thread& t) {
        EXPECT_EQ(write(t, a, "pipe"), 4);
        return RunExit::Loop;
    });
    EXPECT_EQ(frame(*B).result, 4);
    EXPECT_EQ(read_bytes(*B, 4), "pipe");
}

// --- poll --------------------------------------------------------------------

TEST_F(ChannelPair, PollSaysReadableWritableAndHangup) {
    const u32 all = abi::kPollReadable | abi::kPollWritable;
    as(B->thread(), [&](Thread& t) {
        u32 ready = 0;
        EXPECT_EQ(poll(t, b, abi::kPollReadable, 0, &ready), 0);
        EXPECT_EQ(ready, 0u);
        EXPECT_EQ(poll(t, b, all, 0, &ready), 1);
        EXPECT_EQ(ready, u32(abi::kPollWritable));
        return RunExit::Loop;
    });
    as(A->thread(), [&](Thread& t) {
        for (u32 i = 0; i < abi::kChannelQueueDepth; ++i) EXPECT_EQ(send(t, a, "x"), 0);
        u32 ready = 0;
        EXPECT_EQ(poll(t, a, abi::kPollWritable, 0, &ready), 0) << "the peer's queue is full";
        EXPECT_EQ(ready, 0u);
        return RunExit::Loop;
    });
    as(B->thread(), [&](Thread& t) {
        u32 ready = 0;
        EXPECT_EQ(poll(t, b, all, 0, &ready), 1);
        EXPECT_EQ(ready, all);
        return RunExit::Loop;
    });
    as(A->thread(), [&](Thread& t) {
        EXPECT_EQ(call(t, Sys::Close, a), 0);
        return RunExit::Loop;
    });
    as(B->thread(), [&](Thread& t) {
        u32 ready = 0;
        EXPECT_EQ(poll(t, b, abi::kPollWritable, 0, &ready), 1);
        EXPECT_EQ(ready, u32(abi::kPollHangup)) << "hangup is reported unasked; writable no more";
        return RunExit::Loop;
    });
}

TEST_F(ChannelPair, AParkedPollIsWokenByAMessageAndByAHangup) {
    as(B->thread(), [&](Thread& t) {
        (void)poll(t, b, abi::kPollReadable, kForever);
        EXPECT_EQ(t.state(), ThreadState::Parked);
        return RunExit::Parked;
    });
    as(A->thread(), [&](Thread& t) {
        EXPECT_EQ(send(t, a, "ping"), 0);
        return RunExit::Loop;
    });
    EXPECT_EQ(frame(*B).result, 1);
    EXPECT_EQ(peek<abi::PollItem>(*B, scratch(*B) + kPollItems).ready, u32(abi::kPollReadable));
    as(B->thread(), [&](Thread& t) {
        EXPECT_EQ(recv(t, b), 4);
        (void)poll(t, b, abi::kPollReadable, kForever);
        return RunExit::Parked;
    });
    as(A->thread(), [&](Thread& t) {
        EXPECT_EQ(call(t, Sys::Close, a), 0);
        return RunExit::Loop;
    });
    EXPECT_EQ(frame(*B).result, 1);
    EXPECT_EQ(peek<abi::PollItem>(*B, scratch(*B) + kPollItems).ready, u32(abi::kPollReadable | abi::kPollHangup));
}

// Known limitation (ChannelEnd keeps one m_poller): two threads polling
// the same endpoint, the first is never told. Enable when an endpoint can
// have several watchers.
TEST_F(ChannelPair, TwoPollersOfOneEndAreBothWoken) {
    Process* C = spawn_program("gamma", {"gamma"}).value();
    abi::Handle b_in_c = 0;
    as(B->thread(), [&](Thread& t) {
        b_in_c = give(*B, abi::Handle(call(t, Sys::Dup, b, kChannelRights)), *C);
        (void)poll(t, b, abi::kPollReadable, kForever);
        return RunExit::Parked;
    });
    as(C->thread(), [&](Thread& t) {
        (void)poll(t, b_in_c, abi::kPollReadable, kForever);
        return RunExit::Parked;
    });
    as(A->thread(), [&](Thread& t) {
        EXPECT_EQ(send(t, a, "for both"), 0);
        return RunExit::Loop;
    });
    EXPECT_EQ(frame(*C).result, 1);
    EXPECT_TRUE(frame(*B).has_result) << "the first poller was forgotten";
    EXPECT_EQ(frame(*B).result, 1);
}

}  // namespace mote::test
