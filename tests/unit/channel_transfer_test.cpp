// Handles in channel messages: they move with the message keeping their
// rights, all or none (a denial or a full receiving table moves nothing and
// loses nothing), an endpoint cannot travel through its own channel, and a
// receive buffer too small is Overflow with the sizes it needs.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/channel_fixture.hpp"

namespace mote::test {

using abi::Err;
using abi::Sys;

// --- handles in messages -----------------------------------------------------

TEST_F(ChannelPair, HandlesMoveWithTheMessageKeepingTheirRights) {
    abi::Handle x = 0, y = 0, weak = 0;
    as(A->thread(), [&](Thread& t) {
        Ends other = create_channel(t);
        x = other.a;
        y = other.b;
        // A copy of y that can only write and move on.
        weak = abi::Handle(call(t, Sys::Dup, y, abi::kRightWrite | abi::kRightTransfer));
        EXPECT_GT(i64(weak), 0);
        u64 audit_total = processes.audit().total();
        EXPECT_EQ(send(t, a, "two ends", {x, weak}), 0);
        EXPECT_EQ(processes.audit().total(), audit_total + 2) << "each handle sent is on the record";
        // They left A's table.
        EXPECT_EQ(call(t, Sys::Close, x), err(Err::BadHandle));
        EXPECT_EQ(call(t, Sys::Close, weak), err(Err::BadHandle));
        return RunExit::Loop;
    });
    EXPECT_EQ(channel->stats().handles, 2u);
    abi::Handle got_x = 0, got_weak = 0;
    as(B->thread(), [&](Thread& t) {
        u32 used = B->handles().used();
        EXPECT_EQ(recv(t, b), 8);
        auto got = received(*B);
        EXPECT_EQ(got.bytes, "two ends");
        if (got.handles.size() != 2) {
            ADD_FAILURE() << got.handles.size() << " handles arrived";
            return RunExit::Loop;
        }
        EXPECT_EQ(B->handles().used(), used + 2);
        got_x = got.handles[0];
        got_weak = got.handles[1];
        EXPECT_EQ(stat(t, got_x).rights, kChannelRights);
        EXPECT_EQ(stat(t, got_weak).rights, u32(abi::kRightWrite | abi::kRightTransfer));
        // They work: B writes through the weak copy of y, A reads at x's peer... (B holds x).
        EXPECT_EQ(write(t, got_weak, "via weak"), 8);
        EXPECT_EQ(read(t, got_x, 64), 8);
        EXPECT_EQ(read_bytes(*B, 8), "via weak");
        // The weak one cannot read.
        EXPECT_EQ(read(t, got_weak, 1), err(Err::AccessDenied));
        return RunExit::Loop;
    });
    // A still holds y itself; B reaches it through x.
    as(B->thread(), [&](Thread& t) {
        EXPECT_EQ(write(t, got_x, "to y"), 4);
        return RunExit::Loop;
    });
    as(A->thread(), [&](Thread& t) {
        EXPECT_EQ(read(t, y, 64), 4);
        EXPECT_EQ(read_bytes(*A, 4), "to y");
        return RunExit::Loop;
    });
}

TEST_F(ChannelPair, SendingWithoutTransferIsDeniedAndMovesNothing) {
    abi::Handle x = 0, y = 0, stuck = 0;
    as(A->thread(), [&](Thread& t) {
        Ends other = create_channel(t);
        x = other.a;
        y = other.b;
        stuck = abi::Handle(call(t, Sys::Dup, y, abi::kRightRead | abi::kRightWrite));
        EXPECT_GT(i64(stuck), 0);
        u32 used = A->handles().used();
        u64 denials = processes.audit().denials();
        // The second handle spoils the whole send: the first stays too.
        EXPECT_EQ(send(t, a, "nope", {x, stuck}), err(Err::AccessDenied));
        EXPECT_EQ(processes.audit().denials(), denials + 1);
        EXPECT_EQ(A->handles().used(), used);
        EXPECT_EQ(stat(t, x).rights, kChannelRights);
        EXPECT_EQ(stat(t, stuck).rights, u32(abi::kRightRead | abi::kRightWrite));
        // A forged value, a repeated one: refused the same way.
        EXPECT_EQ(send(t, a, "nope", {x, 0x12345678u}), err(Err::BadHandle));
        EXPECT_EQ(send(t, a, "nope", {x, x}), err(Err::InvalidArgument));
        EXPECT_EQ(A->handles().used(), used);
        return RunExit::Loop;
    });
    EXPECT_EQ(channel->end(1).queued(), 0u);
    EXPECT_EQ(channel->stats().messages, 0u);
}

TEST_F(ChannelPair, AnEndpointCannotTravelThroughItsOwnChannel) {
    as(A->thread(), [&](Thread& t) {
        // A still holds b's twin? No: b moved to B. Make A hold a dup of a.
        abi::Handle copy = abi::Handle(call(t, Sys::Dup, a, kChannelRights));
        EXPECT_EQ(send(t, a, "", {copy}), err(Err::InvalidArgument));
        EXPECT_EQ(stat(t, copy).rights, kChannelRights) << "refused: the handle stays";
        return RunExit::Loop;
    });
    as(B->thread(), [&](Thread& t) {
        abi::Handle copy = abi::Handle(call(t, Sys::Dup, b, kChannelRights));
        EXPECT_EQ(send(t, b, "", {copy}), err(Err::InvalidArgument)) << "the receiving end through itself";
        return RunExit::Loop;
    });
    as(A->thread(), [&](Thread& t) {
        // And the peer's end sent from this end.
        abi::Handle peer_copy = give(*B, b, *A);
        EXPECT_EQ(send(t, a, "", {peer_copy}), err(Err::InvalidArgument));
        return RunExit::Loop;
    });
    EXPECT_EQ(channel->stats().messages, 0u);
}

TEST_F(ChannelPair, AReceiverWithAFullTableGetsTooManyAndTheMessageStays) {
    abi::Handle x = 0;
    as(A->thread(), [&](Thread& t) {
        Ends other = create_channel(t);
        x = other.a;
        EXPECT_EQ(send(t, a, "carry", {x, other.b}), 0);
        return RunExit::Loop;
    });
    // Fill B's table to one free slot (the message carries two handles).
    std::vector<abi::Handle> fillers;
    while (B->handles().free_slots() > 1) fillers.push_back(B->handles().install(channel->end(1), kChannelRights).value());
    as(B->thread(), [&](Thread& t) {
        u64 denials = processes.audit().denials();
        EXPECT_EQ(recv(t, b), err(Err::TooMany));
        EXPECT_EQ(processes.audit().denials(), denials + 1);
        EXPECT_EQ(stat(t, b).size, 1u) << "the message stays queued";
        EXPECT_EQ(B->handles().free_slots(), 1u) << "nothing half-installed";
        EXPECT_EQ(call(t, Sys::Close, fillers.back()), 0);
        fillers.pop_back();
        EXPECT_EQ(recv(t, b), 5);
        auto got = received(*B);
        EXPECT_EQ(got.bytes, "carry");
        EXPECT_EQ(got.handles.size(), 2u);
        EXPECT_EQ(B->handles().free_slots(), 0u);
        return RunExit::Loop;
    });
}

TEST_F(ChannelPair, ARecvBufferTooSmallIsOverflowWithTheSizesNeeded) {
    abi::Handle x = 0;
    as(A->thread(), [&](Thread& t) {
        x = create_channel(t).a;
        EXPECT_EQ(send(t, a, pattern(100, 5), {x}), 0);
        return RunExit::Loop;
    });
    as(B->thread(), [&](Thread& t) {
        EXPECT_EQ(recv(t, b, 0, 10, 8), err(Err::Overflow));
        auto got = received(*B);
        EXPECT_EQ(got.request.byte_count, 100u);
        EXPECT_EQ(got.request.handle_count, 1u);
        EXPECT_EQ(recv(t, b, 0, 4096, 0), err(Err::Overflow)) << "no room for the handle";
        got = received(*B);
        EXPECT_EQ(got.request.byte_count, 100u);
        EXPECT_EQ(got.request.handle_count, 1u);
        EXPECT_EQ(stat(t, b).size, 1u);
        // Exactly enough.
        EXPECT_EQ(recv(t, b, 0, 100, 1), 100);
        got = received(*B);
        EXPECT_TRUE(got.bytes == pattern(100, 5));
        EXPECT_EQ(got.handles.size(), 1u);
        return RunExit::Loop;
    });
}

TEST_F(ChannelPair, NullArraysAreFineWhereNothingGoesInThem) {
    // A receiver that expects no handles passes no array; an empty message
    // needs no buffer either (the runtime's channel_recv(end, 0, 0, 0, 0)).
    as(A->thread(), [&](Thread& t) {
        EXPECT_EQ(send(t, a, "abc"), 0);
        EXPECT_EQ(send(t, a, ""), 0);
        u64 base = scratch(*A);
        abi::ChannelMessage request {0, 0, 0, 0, 0};
        poke(*A, base + kSendRequest, request);
        EXPECT_EQ(call(t, Sys::ChannelSend, a, base + kSendRequest, 0), 0) << "an empty send with null pointers";
        return RunExit::Loop;
    });
    as(B->thread(), [&](Thread& t) {
        u64 base = scratch(*B);
        abi::ChannelMessage request {base + kRecvBytes, 16, 0, 0, 0};
        poke(*B, base + kRecvRequest, request);
        EXPECT_EQ(call(t, Sys::ChannelRecv, b, base + kRecvRequest, 0), 3);
        EXPECT_EQ(read_bytes(*B, 3), "abc");
        for (int i = 0; i < 2; ++i) {
            request = {0, 0, 0, 0, 0};
            poke(*B, base + kRecvRequest, request);
            EXPECT_EQ(call(t, Sys::ChannelRecv, b, base + kRecvRequest, 0), 0) << i;
        }
        EXPECT_EQ(stat(t, b).size, 0u);
        return RunExit::Loop;
    });
}

}  // namespace mote::test
