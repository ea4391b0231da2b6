// The submission ring (ring_setup, ring_enter) on the host: a batch of
// reads completes with what plain reads give, an entry that would wait
// stays pending and completes later, out of order, and a header the
// process scribbled over is refused.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/channel_fixture.hpp"

namespace mote::test {

using abi::Err;
using abi::Sys;

class RingTest : public ChannelTest {
protected:
    static constexpr usize kTail = offsetof(abi::RingHeader, sq_tail);
    static constexpr usize kCqHead = offsetof(abi::RingHeader, cq_head);

    struct Ring {
        u64 base = 0;
        abi::RingHeader header {};
    };

    Ring setup(Thread& t, u32 entries) {
        Ring ring;
        i64 address = call(t, Sys::RingSetup, entries);
        EXPECT_GT(address, 0);
        if (address <= 0) return ring;
        ring.base = u64(address);
        ring.header = peek<abi::RingHeader>(t.process(), ring.base);
        return ring;
    }

    // Queues one entry as the process would: the slot at sq_tail, then sq_tail.
    void submit(Process& p, Ring& ring, const abi::RingEntry& entry) {
        abi::RingHeader h = peek<abi::RingHeader>(p, ring.base);
        u64 slot = ring.base + h.sq_offset + (h.sq_tail & (h.entries - 1)) * sizeof(abi::RingEntry);
        poke(p, slot, entry);
        poke<u32>(p, ring.base + kTail, h.sq_tail + 1);
    }

    // Takes every completion waiting, oldest first, and advances cq_head.
    std::vector<abi::RingCompletion> reap(Process& p, Ring& ring) {
        abi::RingHeader h = peek<abi::RingHeader>(p, ring.base);
        std::vector<abi::RingCompletion> out;
        for (u32 i = h.cq_head; i != h.cq_tail; ++i)
            out.push_back(peek<abi::RingCompletion>(
                p, ring.base + h.cq_offset + (i & (h.entries - 1)) * sizeof(abi::RingCompletion)));
        poke<u32>(p, ring.base + kCqHead, h.cq_tail);
        return out;
    }

    static abi::RingEntry read_entry(abi::Handle h, u64 buffer, u64 length, u64 user_data) {
        return {u32(Sys::Read), h, buffer, length, abi::kCurrentOffset, user_data};
    }
};

TEST_F(RingTest, SetupLaysOutTheHeaderAndRefusesASecondRing) {
    Process* p = spawn_program("ringer", {"ringer"}).value();
    as(p->thread(), [&](Thread& t) {
        EXPECT_EQ(call(t, Sys::RingEnter, 0, 0, 0), err(Err::BadState)) << "no ring yet";
        EXPECT_EQ(call(t, Sys::RingSetup, 0), err(Err::InvalidArgument));
        EXPECT_EQ(call(t, Sys::RingSetup, 6), err(Err::InvalidArgument)) << "not a power of two";
        EXPECT_EQ(call(t, Sys::RingSetup, abi::kRingMaxEntries * 2), err(Err::InvalidArgument));
        Ring ring = setup(t, 8);
        EXPECT_EQ(ring.header.entries, 8u);
        EXPECT_EQ(ring.header.sq_head, 0u);
        EXPECT_EQ(ring.header.sq_tail, 0u);
        EXPECT_EQ(ring.header.cq_head, 0u);
        EXPECT_EQ(ring.header.cq_tail, 0u);
        EXPECT_GE(ring.header.sq_offset, sizeof(abi::RingHeader));
        EXPECT_GE(ring.header.cq_offset, ring.header.sq_offset + 8 * sizeof(abi::RingEntry));
        // The whole area is the process's to write.
        u64 end = ring.base + ring.header.cq_offset + 8 * sizeof(abi::RingCompletion);
        EXPECT_TRUE(p->space().check_access(ring.base, end - ring.base, true).ok());
        EXPECT_EQ(call(t, Sys::RingSetup, 8), err(Err::BadState));
        EXPECT_EQ(call(t, Sys::RingEnter, 0, 0, 0), 0) << "nothing submitted, nothing waiting";
        return RunExit::Loop;
    });
}

TEST_F(RingTest, ABatchOfReadsGivesWhatPlainReadsGive) {
    Process* p = spawn_program("ringer", {"ringer"}).value();
    const std::vector<std::string> messages = {"alpha", "beta", "gamma-ray", "delta"};
    const std::vector<u64> lengths = {3, 100, 100, 4, 100};
    // The same reads twice over identical channels: plainly, then in one batch.
    std::vector<i64> plain_results, ring_results;
    std::vector<std::string> plain_bytes, ring_bytes;
    as(p->thread(), [&](Thread& t) {
        Ends one = create_channel(t);
        Ends two = create_channel(t);
        for (const std::string& m : messages) {
            EXPECT_EQ(write(t, one.a, m), i64(m.size()));
            EXPECT_EQ(write(t, two.a, m), i64(m.size()));
        }
        i64 write_only = call(t, Sys::Dup, one.b, abi::kRightWrite);
        i64 write_only_two = call(t, Sys::Dup, two.b, abi::kRightWrite);

        for (u64 length : lengths) {
            plain_results.push_back(read(t, one.b, length));
            plain_bytes.push_back(read_bytes(*p, usize(plain_results.back() > 0 ? plain_results.back() : 0)));
        }
        plain_results.push_back(read(t, abi::Handle(write_only), 4));
        plain_results.push_back(read(t, 0x4242, 4));

        Ring ring = setup(t, 8);
        u64 buffers = scratch(*p) + kRecvBytes;
        for (usize i = 0; i < lengths.size(); ++i)
            submit(*p, ring, read_entry(two.b, buffers + i * 256, lengths[i], 100 + i));
        submit(*p, ring, read_entry(abi::Handle(write_only_two), buffers, 4, 200));
        submit(*p, ring, read_entry(0x4242, buffers, 4, 201));
        EXPECT_EQ(call(t, Sys::RingEnter, 7, 7, 0), 7);
        auto done = reap(*p, ring);
        EXPECT_EQ(done.size(), 7u);
        for (usize i = 0; i < done.size(); ++i) {
            EXPECT_EQ(done[i].user_data, i < lengths.size() ? 100 + i : 200 + (i - lengths.size()));
            ring_results.push_back(done[i].result);
            if (i < lengths.size())
                ring_bytes.push_back(peek_string(*p, buffers + i * 256, usize(done[i].result > 0 ? done[i].result : 0)));
        }
        abi::RingHeader h = peek<abi::RingHeader>(*p, ring.base);
        EXPECT_EQ(h.sq_head, 7u);
        EXPECT_EQ(h.pending, 0u);
        return RunExit::Loop;
    });
    EXPECT_EQ(plain_results, (std::vector<i64> {3, 2, 4, 4, 5, err(Err::AccessDenied), err(Err::BadHandle)}));
    EXPECT_EQ(ring_results, plain_results);
    EXPECT_EQ(ring_bytes, plain_bytes);
    EXPECT_EQ(plain_bytes, (std::vector<std::string> {"alp", "ha", "beta", "gamm", "a-ray"}));
}

TEST_F(RingTest, AReceiveStaysPendingAndCompletesOutOfOrder) {
    Process* p = spawn_program("ringer", {"ringer"}).value();
    Process* peer = spawn_program("peer", {"peer"}).value();
    abi::Handle mine = 0, theirs = 0, ready_end = 0;
    Ring ring;
    as(p->thread(), [&](Thread& t) {
        Ends waiting = create_channel(t);
        Ends ready = create_channel(t);
        mine = waiting.b;
        theirs = give(*p, waiting.a, *peer);
        ready_end = ready.b;
        EXPECT_EQ(write(t, ready.a, "now"), 3);
        ring = setup(t, 4);
        u64 base = scratch(*p);
        abi::ChannelMessage request {base + kRecvBytes, 256, base + kRecvHandles, 4, 0};
        poke(*p, base + kRecvRequest, request);
        submit(*p, ring, {u32(Sys::ChannelRecv), mine, base + kRecvRequest, 0, 0, 1});
        submit(*p, ring, read_entry(ready_end, base + kSendBytes, 16, 2));
        // One completes now, one cannot.
        EXPECT_EQ(call(t, Sys::RingEnter, 2, 1, 0), 1);
        abi::RingHeader h = peek<abi::RingHeader>(*p, ring.base);
        EXPECT_EQ(h.sq_head, 2u);
        EXPECT_EQ(h.pending, 1u);
        auto done = reap(*p, ring);
        EXPECT_EQ(done.size(), 1u);
        if (!done.empty()) {
            EXPECT_EQ(done[0].user_data, 2u);
            EXPECT_EQ(done[0].result, 3);
        }
        // Wait for the other.
        (void)call(t, Sys::RingEnter, 0, 1, kForever);
        EXPECT_EQ(t.state(), ThreadState::Parked);
        EXPECT_STREQ(t.wait_reason(), "ring");
        return RunExit::Parked;
    });
    EXPECT_FALSE(frame(*p).has_result);
    as(peer->thread(), [&](Thread& t) {
        EXPECT_EQ(send(t, theirs, "late news"), 0);
        return RunExit::Loop;
    });
    EXPECT_EQ(p->thread().state(), ThreadState::Runnable);
    EXPECT_TRUE(frame(*p).has_result);
    EXPECT_EQ(frame(*p).result, 1);
    auto done = reap(*p, ring);
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].user_data, 1u);
    EXPECT_EQ(done[0].result, 9);
    EXPECT_EQ(read_bytes(*p, 9), "late news");
    EXPECT_EQ(peek<abi::RingHeader>(*p, ring.base).pending, 0u);
    EXPECT_EQ(peek<abi::ChannelMessage>(*p, scratch(*p) + kRecvRequest).byte_count, 9u);
}

TEST_F(RingTest, APendingEntryCompletesAtTheNextEnterWithoutParking) {
    Process* p = spawn_program("ringer", {"ringer"}).value();
    Process* peer = spawn_program("peer", {"peer"}).value();
    abi::Handle mine = 0, theirs = 0;
    Ring ring;
    as(p->thread(), [&](Thread& t) {
        Ends ends = create_channel(t);
        mine = ends.b;
        theirs = give(*p, ends.a, *peer);
        ring = setup(t, 4);
        submit(*p, ring, read_entry(mine, scratch(*p) + kRecvBytes, 64, 7));
        EXPECT_EQ(call(t, Sys::RingEnter, 1, 0, 0), 0);
        return RunExit::Loop;
    });
    as(peer->thread(), [&](Thread& t) {
        EXPECT_EQ(write(t, theirs, "xyz"), 3);
        return RunExit::Loop;
    });
    as(p->thread(), [&](Thread& t) {
        EXPECT_EQ(call(t, Sys::RingEnter, 0, 1, 0), 1);
        auto done = reap(*p, ring);
        EXPECT_EQ(done.size(), 1u);
        if (!done.empty()) EXPECT_EQ(done[0].result, 3);
        EXPECT_EQ(read_bytes(*p, 3), "xyz");
        return RunExit::Loop;
    });
}

TEST_F(RingTest, APollEntryCannotAskForSignals) {
    Process* p = spawn_program("ringer", {"ringer"}).value();
    as(p->thread(), [&](Thread& t) {
        Ends ends = create_channel(t);
        Ring ring = setup(t, 4);
        // A process's signals are taken only by poll() on kNoHandle.
        submit(*p, ring, {u32(Sys::Poll), ends.a, abi::kPollNotify, 0, 0, 5});
        submit(*p, ring, {u32(Sys::Poll), ends.a, abi::kPollWritable, 0, 0, 6});
        EXPECT_EQ(call(t, Sys::RingEnter, 2, 2, 0), 2);
        auto done = reap(*p, ring);
        EXPECT_EQ(done.size(), 2u);
        if (done.size() != 2) return RunExit::Loop;
        EXPECT_EQ(done[0].user_data, 5u);
        EXPECT_EQ(done[0].result, err(Err::InvalidArgument));
        EXPECT_EQ(done[1].user_data, 6u);
        EXPECT_EQ(done[1].result, i64(abi::kPollWritable));
        return RunExit::Loop;
    });
}

// channel_call is a send and a wait: not an entry (entries never wait).
TEST_F(RingTest, ACallEntryIsRefusedAndSendsNothing) {
    Process* p = spawn_program("ringer", {"ringer"}).value();
    as(p->thread(), [&](Thread& t) {
        Ends ends = create_channel(t);
        Ring ring = setup(t, 4);
        u64 base = scratch(*p);
        poke(*p, base + kSendRequest, abi::ChannelMessage {base + kSendBytes, 1, 0, 0, 0});
        poke(*p, base + kRecvRequest, abi::ChannelMessage {base + kRecvBytes, 1, 0, 0, 0});
        submit(*p, ring, {u32(Sys::ChannelCall), ends.a, base + kSendRequest, base + kRecvRequest, 0, 7});
        EXPECT_EQ(call(t, Sys::RingEnter, 1, 1, 0), 1);
        auto done = reap(*p, ring);
        EXPECT_EQ(done.size(), 1u);
        if (!done.empty()) EXPECT_EQ(done[0].result, err(Err::InvalidArgument));
        abi::Stat s {};
        EXPECT_EQ(call(t, Sys::Stat, ends.b, base + kPollItems), 0);
        s = peek<abi::Stat>(*p, base + kPollItems);
        EXPECT_EQ(s.size, 0u) << "nothing was queued";
        return RunExit::Loop;
    });
}

TEST_F(RingTest, BadHeaderIndicesAreMalformed) {
    Process* p = spawn_program("ringer", {"ringer"}).value();
    as(p->thread(), [&](Thread& t) {
        Ring ring = setup(t, 4);
        // More submitted than the ring holds.
        poke<u32>(*p, ring.base + kTail, 5);
        EXPECT_EQ(call(t, Sys::RingEnter, 5, 0, 0), err(Err::Malformed));
        poke<u32>(*p, ring.base + kTail, 0);
        // The reaper ran ahead of the kernel.
        poke<u32>(*p, ring.base + kCqHead, 1);
        EXPECT_EQ(call(t, Sys::RingEnter, 0, 0, 0), err(Err::Malformed));
        poke<u32>(*p, ring.base + kCqHead, 0);
        // An unknown operation completes with InvalidArgument; min_complete
        // beyond the ring is refused.
        submit(*p, ring, {u32(Sys::Spawn), 0, 0, 0, 0, 99});
        EXPECT_EQ(call(t, Sys::RingEnter, 1, 5, 0), err(Err::InvalidArgument));
        EXPECT_EQ(call(t, Sys::RingEnter, 1, 1, 0), 1);
        auto done = reap(*p, ring);
        EXPECT_EQ(done.size(), 1u);
        if (!done.empty()) {
            EXPECT_EQ(done[0].user_data, 99u);
            EXPECT_EQ(done[0].result, err(Err::InvalidArgument));
        }
        return RunExit::Loop;
    });
}

}  // namespace mote::test
