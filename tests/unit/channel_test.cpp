// Channels through the syscall layer (channel_create, channel_send,
// channel_recv, close, signal): whole messages in order, the bounded queue
// and its backpressure, timeouts and cancellation, peer close in every
// state, the counters, and every page and slab object back when both ends
// are gone. Handles in messages: channel_transfer_test.cpp; the stream view
// and poll: channel_stream_test.cpp.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/channel_fixture.hpp"

namespace mote::test {

using abi::Err;
using abi::Sys;

TEST_F(ChannelPair, CreateGivesTwoEndsWithTheChannelRights) {
    as(B->thread(), [&](Thread& t) {
        i64 result = -1;
        abi::Stat s = stat(t, b, &result);
        EXPECT_EQ(result, 0);
        EXPECT_EQ(s.type, u32(abi::NodeType::Channel));
        EXPECT_EQ(s.rights, u32(abi::kRightRead | abi::kRightWrite | abi::kRightWait | abi::kRightDuplicate |
                                abi::kRightTransfer));
        EXPECT_EQ(s.size, 0u);
        return RunExit::Loop;
    });
    // An output pointer that is not writable: nothing is made.
    as(A->thread(), [&](Thread& t) {
        EXPECT_EQ(call(t, Sys::ChannelCreate, 0x1000), err(Err::BadAddress));
        return RunExit::Loop;
    });
    EXPECT_EQ(channels.stats().live, 1u);
}

TEST_F(ChannelPair, MessagesArriveWholeAndInOrder) {
    // Short (inline), empty, long (pages), longest.
    std::vector<std::string> sent = {"first", "", pattern(5000, 3), pattern(abi::kChannelMaxBytes, 9), "last"};
    as(A->thread(), [&](Thread& t) {
        for (const std::string& m : sent) EXPECT_EQ(send(t, a, m), 0) << m.size();
        return RunExit::Loop;
    });
    as(B->thread(), [&](Thread& t) {
        EXPECT_EQ(stat(t, b).size, sent.size()) << "stat counts the messages queued";
        for (const std::string& m : sent) {
            EXPECT_EQ(recv(t, b), i64(m.size()));
            auto got = received(*B);
            EXPECT_EQ(got.request.byte_count, m.size());
            EXPECT_EQ(got.request.handle_count, 0u);
            EXPECT_TRUE(got.bytes == m) << "message of " << m.size() << " bytes changed on the way";
        }
        EXPECT_EQ(recv(t, b), err(Err::WouldBlock));
        return RunExit::Loop;
    });
    // Too long, too many handles, a bad pointer: refused before anything is queued.
    as(A->thread(), [&](Thread& t) {
        u64 base = scratch(*A);
        abi::ChannelMessage request {base + kSendBytes, abi::kChannelMaxBytes + 1, 0, 0, 0};
        poke(*A, base + kSendRequest, request);
        EXPECT_EQ(call(t, Sys::ChannelSend, a, base + kSendRequest, 0), err(Err::InvalidArgument));
        request = {base + kSendBytes, 1, base + kSendHandles, abi::kChannelMaxHandles + 1, 0};
        poke(*A, base + kSendRequest, request);
        EXPECT_EQ(call(t, Sys::ChannelSend, a, base + kSendRequest, 0), err(Err::InvalidArgument));
        request = {0x1000, 10, 0, 0, 0};
        poke(*A, base + kSendRequest, request);
        EXPECT_EQ(call(t, Sys::ChannelSend, a, base + kSendRequest, 0), err(Err::BadAddress));
        EXPECT_EQ(call(t, Sys::ChannelSend, a, 0x1000, 0), err(Err::BadAddress));
        return RunExit::Loop;
    });
    EXPECT_EQ(channel->end(1).queued(), 0u);
}

TEST_F(ChannelPair, TheQueueIsBoundedAndAParkedSenderFinishesWhenRoomAppears) {
    as(A->thread(), [&](Thread& t) {
        for (u32 i = 0; i < abi::kChannelQueueDepth; ++i) EXPECT_EQ(send(t, a, "m" + std::to_string(i)), 0) << i;
        EXPECT_EQ(send(t, a, "overflow", {}, 0), err(Err::WouldBlock));
        // Now wait for room.
        clear_result(t);
        (void)send(t, a, "waited", {}, kForever);
        EXPECT_EQ(t.state(), ThreadState::Parked);
        EXPECT_STREQ(t.wait_reason(), "channel send");
        return RunExit::Parked;
    });
    EXPECT_EQ(channel->end(1).queued(), abi::kChannelQueueDepth);
    EXPECT_FALSE(frame(*A).has_result);
    as(B->thread(), [&](Thread& t) {
        EXPECT_EQ(recv(t, b), 2);
        EXPECT_EQ(received(*B).bytes, "m0");
        return RunExit::Loop;
    });
    // Taking one made room: the parked send finished, its message queued last.
    EXPECT_EQ(A->thread().state(), ThreadState::Runnable);
    EXPECT_TRUE(frame(*A).has_result);
    EXPECT_EQ(frame(*A).result, 0);
    EXPECT_EQ(channel->end(1).queued(), abi::kChannelQueueDepth);
    as(B->thread(), [&](Thread& t) {
        for (u32 i = 1; i < abi::kChannelQueueDepth; ++i) {
            EXPECT_GT(recv(t, b), 0);
            EXPECT_EQ(received(*B).bytes, "m" + std::to_string(i));
        }
        EXPECT_EQ(recv(t, b), 6);
        EXPECT_EQ(received(*B).bytes, "waited");
        return RunExit::Loop;
    });
    const ChannelStats& stats = channel->stats();
    EXPECT_EQ(stats.messages, abi::kChannelQueueDepth + 1);
    EXPECT_EQ(stats.high_water, abi::kChannelQueueDepth);
    EXPECT_EQ(stats.times_full, 2u) << "the WouldBlock send and the one that parked";
}

TEST_F(ChannelPair, ReceiveTimesOutAtTheDeadline) {
    Nanoseconds started = 0;
    as(B->thread(), [&](Thread& t) {
        started = host.time;
        clear_result(t);
        (void)recv(t, b, 5 * kMillisecond);
        EXPECT_EQ(t.state(), ThreadState::Parked);
        EXPECT_STREQ(t.wait_reason(), "channel receive");
        return RunExit::Parked;
    });
    // A idles; time moves on until B's timer fires.
    run_until([&] { return frame(*B).has_result; });
    ASSERT_TRUE(frame(*B).has_result);
    EXPECT_EQ(frame(*B).result, err(Err::Timeout));
    EXPECT_GE(host.time, started + 5 * kMillisecond);
    // The timed-out receiver is off the endpoint: a later message waits
    // for the next receive instead of vanishing into the old request.
    as(A->thread(), [&](Thread& t) {
        EXPECT_EQ(send(t, a, "later"), 0);
        return RunExit::Loop;
    });
    EXPECT_EQ(channel->end(1).queued(), 1u);
    as(B->thread(), [&](Thread& t) {
        EXPECT_EQ(recv(t, b), 5);
        EXPECT_EQ(received(*B).bytes, "later");
        return RunExit::Loop;
    });
}

TEST_F(ChannelPair, AParkedReceiveGetsTheMessageWhenItArrives) {
    as(B->thread(), [&](Thread& t) {
        (void)recv(t, b, kForever);
        return RunExit::Parked;
    });
    as(A->thread(), [&](Thread& t) {
        EXPECT_EQ(send(t, a, "wake up"), 0);
        return RunExit::Loop;
    });
    EXPECT_EQ(B->thread().state(), ThreadState::Runnable);
    EXPECT_EQ(frame(*B).result, 7);
    EXPECT_EQ(received(*B).bytes, "wake up");
    EXPECT_EQ(channel->end(1).queued(), 0u);
}

// A small message without handles to a receiver parked on an empty queue
// is copied straight into its buffer (ChannelEnd::hand_over); everything
// that path cannot finish as the queue would goes through the queue, with
// the queue's outcome.
TEST_F(ChannelPair, AParkedReceiverTakesASmallMessageStraightFromTheSender) {
    auto park_receiver = [&](u64 byte_room) {
        as(B->thread(), [&](Thread& t) {
            (void)recv(t, b, kForever, byte_room);
            EXPECT_EQ(t.state(), ThreadState::Parked);
            return RunExit::Parked;
        });
    };
    auto send_from_a = [&](const std::string& bytes) {
        as(A->thread(), [&](Thread& t) {
            EXPECT_EQ(send(t, a, bytes), 0) << bytes.size();
            return RunExit::Loop;
        });
    };
    const ChannelStats& stats = channel->stats();

    park_receiver(abi::kChannelMaxBytes);
    send_from_a("x");
    EXPECT_EQ(B->thread().state(), ThreadState::Runnable);
    EXPECT_EQ(frame(*B).result, 1);
    EXPECT_EQ(received(*B).bytes, "x");
    EXPECT_EQ(received(*B).request.handle_count, 0u);
    EXPECT_EQ(stats.handed_over, 1u);
    EXPECT_EQ(stats.high_water, 0u) << "the queue never held it";

    // Empty, and the longest that is handed over.
    park_receiver(abi::kChannelMaxBytes);
    send_from_a("");
    EXPECT_EQ(frame(*B).result, 0);
    EXPECT_EQ(received(*B).request.byte_count, 0u);
    park_receiver(abi::kChannelMaxBytes);
    send_from_a(pattern(ChannelEnd::kHandOverBytes, 5));
    EXPECT_EQ(received(*B).bytes, pattern(ChannelEnd::kHandOverBytes, 5));
    EXPECT_EQ(stats.handed_over, 3u);

    // One byte longer: the queue carries it, to the same effect.
    park_receiver(abi::kChannelMaxBytes);
    send_from_a(pattern(ChannelEnd::kHandOverBytes + 1, 6));
    EXPECT_EQ(frame(*B).result, i64(ChannelEnd::kHandOverBytes + 1));
    EXPECT_EQ(received(*B).bytes, pattern(ChannelEnd::kHandOverBytes + 1, 6));
    EXPECT_EQ(stats.handed_over, 3u);
    EXPECT_EQ(stats.high_water, 1u);

    // A buffer too small: Overflow with the size needed, the message queued.
    park_receiver(3);
    send_from_a("seven!!");
    EXPECT_EQ(frame(*B).result, err(Err::Overflow));
    EXPECT_EQ(received(*B).request.byte_count, 7u);
    EXPECT_EQ(channel->end(1).queued(), 1u);
    EXPECT_EQ(stats.handed_over, 3u);
    as(B->thread(), [&](Thread& t) {
        EXPECT_EQ(recv(t, b), 7);
        EXPECT_EQ(received(*B).bytes, "seven!!");
        return RunExit::Loop;
    });

    // A receive buffer that is not mapped: BadAddress, the message queued.
    as(B->thread(), [&](Thread& t) {
        u64 base = scratch(*B);
        poke(*B, base + kRecvRequest, abi::ChannelMessage {0x1000, 64, 0, 0, 0});
        (void)call(t, Sys::ChannelRecv, b, base + kRecvRequest, kForever);
        return RunExit::Parked;
    });
    send_from_a("lost?");
    EXPECT_EQ(frame(*B).result, err(Err::BadAddress));
    EXPECT_EQ(channel->end(1).queued(), 1u);
    EXPECT_EQ(stats.handed_over, 3u);
    EXPECT_EQ(stats.messages, 6u);
}

TEST_F(ChannelPair, AParkedStreamReaderTakesAWriteStraightOnlyWhenItFitsWhole) {
    as(B->thread(), [&](Thread& t) {
        (void)read(t, b, 100);
        return RunExit::Parked;
    });
    as(A->thread(), [&](Thread& t) {
        EXPECT_EQ(write(t, a, "whole"), 5);
        return RunExit::Loop;
    });
    EXPECT_EQ(frame(*B).result, 5);
    EXPECT_EQ(read_bytes(*B, 5), "whole");
    EXPECT_EQ(channel->stats().handed_over, 1u);
    // A read shorter than the write takes part; the rest stays queued.
    as(B->thread(), [&](Thread& t) {
        (void)read(t, b, 2);
        return RunExit::Parked;
    });
    as(A->thread(), [&](Thread& t) {
        EXPECT_EQ(write(t, a, "abcd"), 4);
        return RunExit::Loop;
    });
    EXPECT_EQ(frame(*B).result, 2);
    EXPECT_EQ(read_bytes(*B, 2), "ab");
    EXPECT_EQ(channel->end(1).queued(), 1u);
    EXPECT_EQ(channel->stats().handed_over, 1u);
    as(B->thread(), [&](Thread& t) {
        EXPECT_EQ(read(t, b, 100), 2);
        EXPECT_EQ(read_bytes(*B, 2), "cd");
        return RunExit::Loop;
    });
}

TEST_F(ChannelTest, CancelEndsAParkedReceive) {
    Process* parent = spawn_program("parent", {"parent"}).value();
    Process* child = spawn_program("child", {"child"}, {}, parent).value();
    abi::Handle full = parent->handles().install(*child, kProcessRights).value();
    abi::Handle no_signal = parent->handles().install(*child, abi::kRightWait).value();
    abi::Handle end = 0;
    as(child->thread(), [&](Thread& t) {
        end = create_channel(t).a;
        (void)recv(t, end, kForever);
        return RunExit::Parked;
    });
    as(parent->thread(), [&](Thread& t) {
        u64 denials = processes.audit().denials();
        EXPECT_EQ(call(t, Sys::Signal, no_signal, u64(abi::Signal::Cancel)), err(Err::AccessDenied));
        EXPECT_EQ(processes.audit().denials(), denials + 1);
        EXPECT_EQ(child->thread().state(), ThreadState::Parked) << "a refused cancel changes nothing";
        EXPECT_EQ(call(t, Sys::Signal, full, u64(abi::Signal::Cancel)), 0);
        return RunExit::Loop;
    });
    EXPECT_EQ(child->state(), ProcessState::Running) << "cancel ends the wait, not the process";
    EXPECT_TRUE(frame(*child).has_result);
    EXPECT_EQ(frame(*child).result, err(Err::Cancelled));
    // Nothing to cancel now; and the endpoint forgot the receiver.
    as(parent->thread(), [&](Thread& t) {
        EXPECT_EQ(call(t, Sys::Signal, full, u64(abi::Signal::Cancel)), err(Err::BadState));
        return RunExit::Loop;
    });
    as(child->thread(), [&](Thread& t) {
        abi::Handle other = 0;
        // The end's peer is in the child's own table; a message to it sits in the queue.
        t.process().handles().for_each([&](abi::Handle h, HandleRef held) {
            if (held.object->type() == ObjectType::Channel && h != end) other = h;
        });
        EXPECT_EQ(send(t, other, "after"), 0);
        EXPECT_EQ(recv(t, end), 5);
        return RunExit::Loop;
    });
}

// --- peer close ------------------------------------------------------------

TEST_F(ChannelPair, PeerClosedWithAnEmptyQueue) {
    as(A->thread(), [&](Thread& t) {
        EXPECT_EQ(call(t, Sys::Close, a), 0);
        return RunExit::Loop;
    });
    as(B->thread(), [&](Thread& t) {
        EXPECT_EQ(recv(t, b, kForever), err(Err::PeerClosed)) << "no wait: nothing can ever come";
        EXPECT_EQ(t.state(), ThreadState::Running);
        EXPECT_EQ(read(t, b, 16), 0) << "the stream view reads the end";
        EXPECT_EQ(send(t, b, "into the void"), err(Err::PeerClosed));
        EXPECT_EQ(write(t, b, "x"), err(Err::PeerClosed));
        return RunExit::Loop;
    });
}

TEST_F(ChannelPair, PeerCloseWakesAParkedReceiver) {
    as(B->thread(), [&](Thread& t) {
        (void)recv(t, b, kForever);
        return RunExit::Parked;
    });
    as(A->thread(), [&](Thread& t) {
        EXPECT_EQ(call(t, Sys::Close, a), 0);
        return RunExit::Loop;
    });
    EXPECT_EQ(B->thread().state(), ThreadState::Runnable);
    EXPECT_EQ(frame(*B).result, err(Err::PeerClosed));
}

TEST_F(ChannelPair, PeerCloseWakesAParkedStreamReaderWithTheEnd) {
    as(B->thread(), [&](Thread& t) {
        (void)read(t, b, 10);
        EXPECT_EQ(t.state(), ThreadState::Parked);
        return RunExit::Parked;
    });
    as(A->thread(), [&](Thread& t) {
        EXPECT_EQ(call(t, Sys::Close, a), 0);
        return RunExit::Loop;
    });
    EXPECT_EQ(frame(*B).result, 0);
}

TEST_F(ChannelPair, PeerCloseWakesAParkedSender) {
    as(A->thread(), [&](Thread& t) {
        for (u32 i = 0; i < abi::kChannelQueueDepth; ++i) EXPECT_EQ(send(t, a, "x"), 0);
        (void)send(t, a, "blocked", {}, kForever);
        return RunExit::Parked;
    });
    as(B->thread(), [&](Thread& t) {
        EXPECT_EQ(call(t, Sys::Close, b), 0);
        return RunExit::Loop;
    });
    EXPECT_EQ(A->thread().state(), ThreadState::Runnable);
    EXPECT_EQ(frame(*A).result, err(Err::PeerClosed));
}

TEST_F(ChannelPair, MessagesQueuedBeforeTheSenderClosedStayReadable) {
    as(A->thread(), [&](Thread& t) {
        EXPECT_EQ(send(t, a, "one"), 0);
        EXPECT_EQ(send(t, a, pattern(3000, 1)), 0);
        EXPECT_EQ(call(t, Sys::Close, a), 0);
        return RunExit::Loop;
    });
    as(B->thread(), [&](Thread& t) {
        u32 ready = 0;
        EXPECT_EQ(poll(t, b, abi::kPollReadable, 0, &ready), 1);
        EXPECT_EQ(ready, u32(abi::kPollReadable | abi::kPollHangup));
        EXPECT_EQ(recv(t, b), 3);
        EXPECT_EQ(received(*B).bytes, "one");
        EXPECT_EQ(recv(t, b), 3000);
        EXPECT_TRUE(received(*B).bytes == pattern(3000, 1));
        EXPECT_EQ(recv(t, b), err(Err::PeerClosed));
        return RunExit::Loop;
    });
}

// --- counters and memory ---------------------------------------------------------

TEST_F(ChannelPair, CountersForSys) {
    as(A->thread(), [&](Thread& t) {
        EXPECT_EQ(send(t, a, "12345"), 0);
        EXPECT_EQ(send(t, a, pattern(1000, 0)), 0);
        EXPECT_EQ(write(t, a, "abc"), 3);
        return RunExit::Loop;
    });
    as(B->thread(), [&](Thread& t) {
        EXPECT_EQ(send(t, b, "back"), 0);
        return RunExit::Loop;
    });
    const ChannelStats& stats = channel->stats();
    EXPECT_EQ(stats.messages, 4u);
    EXPECT_EQ(stats.bytes, 5u + 1000 + 3 + 4);
    EXPECT_EQ(stats.high_water, 3u);
    EXPECT_EQ(stats.times_full, 0u);
    EXPECT_EQ(stats.handles, 0u);
    EXPECT_EQ(channels.stats().created, 2u) << "the warm-up channel and this one";
    EXPECT_EQ(channels.stats().live, 1u);
}

TEST_F(ChannelPair, EveryPageAndObjectComesBackWhenBothEndsClose) {
    // Leave the queues as full of things as they get: long messages (pages),
    // short ones, messages carrying endpoints of other channels, a channel
    // whose end is queued in itself's peer's queue... then close.
    as(A->thread(), [&](Thread& t) {
        for (int i = 0; i < 4; ++i) EXPECT_EQ(send(t, a, pattern(20000, u8(i))), 0);
        Ends inner = create_channel(t);
        EXPECT_EQ(send(t, inner.a, pattern(9000, 7)), 0);
        EXPECT_EQ(send(t, a, "ends", {inner.a, inner.b}), 0);
        EXPECT_EQ(send(t, a, "short"), 0);
        return RunExit::Loop;
    });
    as(B->thread(), [&](Thread& t) {
        EXPECT_EQ(send(t, b, pattern(70, 1)), 0);
        EXPECT_EQ(recv(t, b), 20000);
        return RunExit::Loop;
    });
    EXPECT_GT(channel_objects_in_use(), 0u);
    EXPECT_EQ(channels.stats().live, 2u);
    as(A->thread(), [&](Thread& t) {
        EXPECT_EQ(call(t, Sys::Close, a), 0);
        return RunExit::Loop;
    });
    EXPECT_EQ(channels.stats().live, 2u) << "B's end still holds the channel";
    as(B->thread(), [&](Thread& t) {
        EXPECT_EQ(call(t, Sys::Close, b), 0);
        return RunExit::Loop;
    });
    EXPECT_EQ(channels.stats().live, 0u);
    EXPECT_EQ(channel_objects_in_use(), 0u);
    end_all();
    areas.clear();
    EXPECT_TRUE(same_free_state(pages.stats(), before));
}

TEST_F(ChannelPair, EndingAProcessClosesItsEnds) {
    as(A->thread(), [&](Thread& t) {
        EXPECT_EQ(send(t, a, pattern(5000, 2)), 0);
        (void)recv(t, a, kForever);
        return RunExit::Parked;
    });
    as(B->thread(), [&](Thread& t) {
        (void)call(t, Sys::Exit, 0);
        return RunExit::Ended;
    });
    EXPECT_EQ(frame(*A).result, err(Err::PeerClosed));
    end_all();
    EXPECT_EQ(channels.stats().live, 0u);
    EXPECT_EQ(channel_objects_in_use(), 0u);
    EXPECT_TRUE(same_free_state(pages.stats(), before));
}

}  // namespace mote::test
