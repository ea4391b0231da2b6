// The TCP state machine driven by crafted segments: one Mote layer, and a
// "peer" that is only this test writing segments by hand and reading what
// Mote sent back (TcpHost::sent).
#include <gtest/gtest.h>

#include <string>

#include "support/tcp_sim.hpp"

using namespace mote;
using namespace mote::test;

namespace {

const Ipv4Address kPeer {0x0a000202};  // 10.0.2.2
const Ipv4Address kMote {0x0a00020f};  // 10.0.2.15

class TcpCrafted : public ::testing::Test {
protected:
    TcpCrafted() : mote(sim.add_host(kMote)) {}
    ~TcpCrafted() override { mote.tcp->unlisten(listener); }

    // Delivers a segment from the peer (port `from_port`) to Mote.
    void inject(TcpSegment s, u16 from_port = 40000, u16 to_port = 80) {
        s.source_port = from_port;
        s.destination_port = to_port;
        u8 bytes[2000];
        auto n = write_tcp_segment(Bytes(bytes, sizeof bytes), s, kPeer, kMote);
        ASSERT_FALSE(n.is_error());
        mote.tcp->receive(ReadonlyBytes(bytes, n.value()), kPeer, kMote);
    }
    TcpSegment segment(u8 flags, u32 seq, u32 ack = 0, const char* text = nullptr) {
        TcpSegment s;
        s.flags = flags;
        s.seq = seq;
        s.ack = ack;
        s.window = 65535;
        if (text) s.payload = ReadonlyBytes(reinterpret_cast<const u8*>(text), std::string(text).size());
        return s;
    }
    const TcpSegment& last() {
        EXPECT_FALSE(mote.sent.empty());
        return mote.sent.back();
    }
    // Listens on 80 and completes a handshake from the peer's port 40000
    // with sequence number 1000 (no options unless `options`). Returns the
    // accepted connection; `iss` is Mote's.
    TcpConnection* open(bool timestamps = false) {
        EXPECT_FALSE(mote.tcp->listen(listener, Ipv4Address {}, 80).is_error());
        TcpSegment syn = segment(tcp_flag::kSyn, 1000);
        syn.options.mss = 1460;
        if (timestamps) {
            syn.options.has_timestamps = true;
            syn.options.ts_value = 100;
        }
        inject(syn);
        iss = last().seq;
        TcpSegment ack = segment(tcp_flag::kAck, 1001, iss + 1);
        if (timestamps) {
            ack.options.has_timestamps = true;
            ack.options.ts_value = 101;
            ack.options.ts_echo = last().options.ts_value;
        }
        inject(ack);
        TcpConnection* c = listener.accept();
        EXPECT_NE(c, nullptr);
        if (c) c->set_user(&user);
        return c;
    }

    TcpSim sim;
    TcpHost& mote;
    CountingListenerUser listener_user;
    TcpListener listener {&listener_user, 4};
    CountingUser user;
    u32 iss = 0;
};

}  // namespace

TEST_F(TcpCrafted, PassiveOpenAnswersSynWithTheOptionsThePeerOffered) {
    ASSERT_FALSE(mote.tcp->listen(listener, Ipv4Address {}, 80).is_error());
    TcpSegment syn = segment(tcp_flag::kSyn, 1000);
    syn.options.mss = 1400;
    syn.options.has_window_scale = true;
    syn.options.window_scale = 2;
    syn.options.sack_permitted = true;
    syn.options.has_timestamps = true;
    syn.options.ts_value = 500;
    inject(syn);
    ASSERT_EQ(mote.sent.size(), 1u);
    const TcpSegment& synack = last();
    EXPECT_EQ(synack.flags, tcp_flag::kSyn | tcp_flag::kAck);
    EXPECT_EQ(synack.ack, 1001u);
    EXPECT_EQ(synack.source_port, 80);
    EXPECT_EQ(synack.destination_port, 40000);
    EXPECT_EQ(synack.options.mss, 1460);
    EXPECT_TRUE(synack.options.has_window_scale);
    EXPECT_TRUE(synack.options.sack_permitted);
    EXPECT_TRUE(synack.options.has_timestamps);
    EXPECT_EQ(synack.options.ts_echo, 500u);
    EXPECT_EQ(listener.half_open(), 1u);
    EXPECT_EQ(listener.pending(), 0u);

    TcpSegment ack = segment(tcp_flag::kAck, 1001, synack.seq + 1);
    ack.options.has_timestamps = true;
    ack.options.ts_value = 501;
    ack.options.ts_echo = synack.options.ts_value;
    inject(ack);
    EXPECT_EQ(listener_user.ready, 1u);
    TcpConnection* c = listener.accept();
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->state(), TcpState::Established);
    EXPECT_EQ(c->send_mss(), 1400 - 12);  // the peer's MSS less the timestamp option
    EXPECT_EQ(listener.accept(), nullptr);
    c->close();
}

TEST_F(TcpCrafted, DataIsAcknowledgedAfterTheDelayOrAtTheSecondSegment) {
    TcpConnection* c = open();
    ASSERT_NE(c, nullptr);
    const usize before = mote.sent.size();
    inject(segment(tcp_flag::kAck | tcp_flag::kPsh, 1001, iss + 1, "hello"));
    EXPECT_EQ(mote.sent.size(), before);  // the ACK waits
    EXPECT_EQ(user.changes, 1u);
    char buffer[16] = {};
    auto n = c->read(Bytes(reinterpret_cast<u8*>(buffer), sizeof buffer));
    ASSERT_FALSE(n.is_error());
    EXPECT_EQ(std::string(buffer, n.value()), "hello");
    sim.run_for(TcpConnection::kDelayedAck + kMillisecond);
    ASSERT_EQ(mote.sent.size(), before + 1);
    EXPECT_EQ(last().ack, 1006u);
    EXPECT_EQ(last().flags, tcp_flag::kAck);

    inject(segment(tcp_flag::kAck, 1006, iss + 1, "ab"));
    inject(segment(tcp_flag::kAck, 1008, iss + 1, "cd"));
    ASSERT_EQ(mote.sent.size(), before + 2);  // the second segment is acknowledged at once
    EXPECT_EQ(last().ack, 1010u);

    auto w = c->write(ReadonlyBytes(reinterpret_cast<const u8*>("world"), 5));
    ASSERT_FALSE(w.is_error());
    EXPECT_EQ(w.value(), 5u);
    EXPECT_EQ(last().seq, iss + 1);
    EXPECT_EQ(last().payload_length(), 5u);
    EXPECT_TRUE(last().has(tcp_flag::kPsh));
    c->close();
}

TEST_F(TcpCrafted, OutOfOrderDataIsHeldAndReportedWithSack) {
    ASSERT_FALSE(mote.tcp->listen(listener, Ipv4Address {}, 80).is_error());
    TcpSegment syn = segment(tcp_flag::kSyn, 1000);
    syn.options.sack_permitted = true;
    inject(syn);
    iss = last().seq;
    inject(segment(tcp_flag::kAck, 1001, iss + 1));
    TcpConnection* c = listener.accept();
    ASSERT_NE(c, nullptr);
    inject(segment(tcp_flag::kAck, 1004, iss + 1, "def"));  // "abc" is missing
    EXPECT_EQ(c->readable(), 0u);
    EXPECT_EQ(last().ack, 1001u);  // a duplicate ACK at once
    ASSERT_EQ(last().options.sack_count, 1);
    EXPECT_EQ(last().options.sack[0].left, 1004u);
    EXPECT_EQ(last().options.sack[0].right, 1007u);
    inject(segment(tcp_flag::kAck, 1001, iss + 1, "abc"));
    EXPECT_EQ(last().ack, 1007u);  // the hole filled: acknowledged at once, no SACK
    EXPECT_EQ(last().options.sack_count, 0);
    char buffer[8] = {};
    auto n = c->read(Bytes(reinterpret_cast<u8*>(buffer), sizeof buffer));
    ASSERT_FALSE(n.is_error());
    EXPECT_EQ(std::string(buffer, n.value()), "abcdef");
    EXPECT_EQ(c->stats().out_of_order, 1u);
    c->close();
}

TEST_F(TcpCrafted, SegmentsForNobodyAreAnsweredWithReset) {
    inject(segment(tcp_flag::kSyn, 5000), 40000, 81);
    ASSERT_EQ(mote.sent.size(), 1u);
    EXPECT_EQ(last().flags, tcp_flag::kRst | tcp_flag::kAck);
    EXPECT_EQ(last().seq, 0u);
    EXPECT_EQ(last().ack, 5001u);  // RFC 9293 3.10.7.1: SEG.SEQ + SEG.LEN
    inject(segment(tcp_flag::kAck, 5000, 777, "xy"), 40000, 81);
    ASSERT_EQ(mote.sent.size(), 2u);
    EXPECT_EQ(last().flags, tcp_flag::kRst);
    EXPECT_EQ(last().seq, 777u);  // <SEQ=SEG.ACK><CTL=RST>
    inject(segment(tcp_flag::kRst, 5000), 40000, 81);
    EXPECT_EQ(mote.sent.size(), 2u);  // never a reset for a reset
    EXPECT_EQ(mote.tcp->counters.no_socket, 3u);
    EXPECT_EQ(mote.tcp->counters.resets_sent, 2u);
}

TEST_F(TcpCrafted, AResetMustHitTheExactSequenceNumber) {
    TcpConnection* c = open();
    ASSERT_NE(c, nullptr);
    const usize before = mote.sent.size();
    inject(segment(tcp_flag::kRst, 1001 + 100));  // in the window, not exact
    ASSERT_EQ(mote.sent.size(), before + 1);
    EXPECT_EQ(last().flags, tcp_flag::kAck);  // a challenge ACK (RFC 5961 3.2)
    EXPECT_EQ(last().ack, 1001u);
    EXPECT_EQ(c->state(), TcpState::Established);
    inject(segment(tcp_flag::kRst, 1001 + 10'000'000));  // out of the window: silently dropped
    EXPECT_EQ(mote.sent.size(), before + 1);
    inject(segment(tcp_flag::kRst, 1001));
    EXPECT_EQ(c->state(), TcpState::Closed);
    EXPECT_TRUE(c->failed());
    EXPECT_EQ(c->error(), Error::PeerClosed);
    u8 buffer[4];
    auto r = c->read(Bytes(buffer, 4));
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error(), Error::PeerClosed);
    EXPECT_GE(user.changes, 1u);
    c->close();
    sim.run_for(kMillisecond);
    EXPECT_EQ(mote.connections.live, 0u);
}

TEST_F(TcpCrafted, ABatchOfSegmentsIsAcknowledgedOnceAtItsEnd) {
    TcpConnection* c = open();
    ASSERT_NE(c, nullptr);
    const usize before = mote.sent.size();
    // Five segments in one poll of the device: one ACK, at the batch's end.
    mote.tcp->begin_batch();
    for (u32 i = 0; i < 5; ++i) inject(segment(tcp_flag::kAck, 1001 + 2 * i, iss + 1, "ab"));
    EXPECT_EQ(mote.sent.size(), before);
    mote.tcp->end_batch();
    ASSERT_EQ(mote.sent.size(), before + 1);
    EXPECT_EQ(last().ack, 1011u);
    EXPECT_EQ(last().flags, tcp_flag::kAck);

    // A long batch is still acknowledged every kBatchAckSegments segments,
    // and its end owes nothing more when the last of them was acknowledged.
    const u32 n = 2 * TcpConnection::kBatchAckSegments;
    mote.tcp->begin_batch();
    for (u32 i = 0; i < n; ++i) inject(segment(tcp_flag::kAck, 1011 + 2 * i, iss + 1, "cd"));
    EXPECT_EQ(mote.sent.size(), before + 3);
    mote.tcp->end_batch();
    EXPECT_EQ(mote.sent.size(), before + 3);
    EXPECT_EQ(last().ack, 1011u + 2 * n);

    // A hole inside a batch is reported at once (the duplicate ACK that
    // starts the sender's fast retransmit), not at the batch's end.
    const u32 next = 1011 + 2 * n;
    mote.tcp->begin_batch();
    inject(segment(tcp_flag::kAck, next + 2, iss + 1, "ef"));
    EXPECT_EQ(mote.sent.size(), before + 4);
    EXPECT_EQ(last().ack, next);
    mote.tcp->end_batch();
    EXPECT_EQ(mote.sent.size(), before + 4);

    // Outside a batch every second segment is acknowledged at once, as before.
    inject(segment(tcp_flag::kAck, next, iss + 1, "gh"));  // fills the hole: at once
    ASSERT_EQ(mote.sent.size(), before + 5);
    EXPECT_EQ(last().ack, next + 4);
    char drain[256];
    while (true) {
        auto got = c->read(Bytes(reinterpret_cast<u8*>(drain), sizeof drain));
        if (got.is_error() || got.value() == 0) break;
    }
    c->close();
}

TEST_F(TcpCrafted, SynOnAnOpenConnectionGetsAChallengeAck) {
    TcpConnection* c = open();
    ASSERT_NE(c, nullptr);
    inject(segment(tcp_flag::kSyn, 1001 + 50));
    EXPECT_EQ(last().flags, tcp_flag::kAck);  // RFC 5961 4.2: not a reset
    EXPECT_EQ(last().ack, 1001u);
    EXPECT_EQ(c->state(), TcpState::Established);
    EXPECT_EQ(mote.tcp->counters.challenge_acks, 1u);
    c->close();
}

TEST_F(TcpCrafted, UnacceptableSegmentsAreAnsweredWithAnAckAndDropped) {
    TcpConnection* c = open();
    ASSERT_NE(c, nullptr);
    inject(segment(tcp_flag::kAck, 1001 + 200000, iss + 1, "far"));  // beyond the window
    EXPECT_EQ(last().ack, 1001u);
    EXPECT_EQ(c->readable(), 0u);
    inject(segment(tcp_flag::kAck, 1001, iss + 50, "bad"));  // acknowledges data never sent
    EXPECT_EQ(last().ack, 1001u);
    EXPECT_EQ(c->readable(), 0u);
    inject(segment(tcp_flag::kAck, 901, iss + 1, "old"));  // wholly before rcv_nxt: a duplicate
    EXPECT_EQ(last().ack, 1001u);
    EXPECT_EQ(c->readable(), 0u);
    c->close();
}

TEST_F(TcpCrafted, OldTimestampsAreRejectedByPaws) {
    TcpConnection* c = open(true);
    ASSERT_NE(c, nullptr);
    TcpSegment s = segment(tcp_flag::kAck, 1001, iss + 1, "new");
    s.options.has_timestamps = true;
    s.options.ts_value = 200;
    inject(s);
    EXPECT_EQ(c->readable(), 3u);
    TcpSegment old = segment(tcp_flag::kAck, 1004, iss + 1, "old");
    old.options.has_timestamps = true;
    old.options.ts_value = 150;  // older than the 200 kept
    inject(old);
    EXPECT_EQ(c->readable(), 3u);
    EXPECT_EQ(c->stats().paws_rejected, 1u);
    EXPECT_EQ(last().ack, 1004u);
    c->close();
}

TEST_F(TcpCrafted, AListenersBacklogBoundsHalfOpenConnections) {
    TcpListener small(&listener_user, 2);
    ASSERT_FALSE(mote.tcp->listen(small, Ipv4Address {}, 8080).is_error());
    for (u16 port = 1000; port < 1003; ++port) inject(segment(tcp_flag::kSyn, 7000), port, 8080);
    EXPECT_EQ(small.half_open(), 2u);
    EXPECT_EQ(mote.tcp->counters.syn_backlog_full, 1u);
    EXPECT_EQ(mote.connections.live, 2u) << "the third SYN made no connection";
    // It was answered all the same, with a SYN cookie.
    ASSERT_EQ(mote.sent.size(), 3u);
    EXPECT_EQ(last().flags, tcp_flag::kSyn | tcp_flag::kAck);
    EXPECT_EQ(last().ack, 7001u);
    EXPECT_EQ(mote.tcp->counters.syn_cookies_sent, 1u);
    mote.tcp->unlisten(small);
    EXPECT_EQ(mote.connections.live, 0u);
    EXPECT_EQ(last().flags & tcp_flag::kRst, tcp_flag::kRst);  // the half-open ones were reset
}

TEST_F(TcpCrafted, ASynCookieReturnedByTheAckMakesTheConnection) {
    TcpListener small(&listener_user, 1);
    ASSERT_FALSE(mote.tcp->listen(small, Ipv4Address {}, 8080).is_error());
    inject(segment(tcp_flag::kSyn, 7000), 1000, 8080);  // fills the half-open table
    TcpSegment syn = segment(tcp_flag::kSyn, 9000);
    syn.options.mss = 1400;
    syn.options.has_window_scale = true;
    syn.options.window_scale = 7;
    syn.options.sack_permitted = true;
    inject(syn, 2000, 8080);
    const TcpSegment cookie = last();
    ASSERT_EQ(cookie.flags, tcp_flag::kSyn | tcp_flag::kAck);
    EXPECT_EQ(cookie.options.mss, 1460);
    EXPECT_FALSE(cookie.options.has_window_scale) << "a cookie cannot remember it";
    EXPECT_FALSE(cookie.options.sack_permitted);
    EXPECT_EQ(mote.connections.live, 1u);

    // A forged ACK (wrong cookie) is reset and makes nothing.
    inject(segment(tcp_flag::kAck, 9001, cookie.seq + 2), 2000, 8080);
    EXPECT_EQ(mote.connections.live, 1u);
    EXPECT_EQ(mote.tcp->counters.syn_cookies_rejected, 1u);
    EXPECT_EQ(last().flags & tcp_flag::kRst, tcp_flag::kRst);
    // The same ACK from another port does not match either.
    inject(segment(tcp_flag::kAck, 9001, cookie.seq + 1), 2001, 8080);
    EXPECT_EQ(mote.tcp->counters.syn_cookies_rejected, 2u);

    // The real one, with data: an established connection, in the accept
    // queue, the data readable, acknowledged, and its MSS what the cookie kept.
    inject(segment(tcp_flag::kAck | tcp_flag::kPsh, 9001, cookie.seq + 1, "hello"), 2000, 8080);
    EXPECT_EQ(mote.tcp->counters.syn_cookies_accepted, 1u);
    ASSERT_EQ(small.pending(), 1u);
    TcpConnection* c = small.accept();
    ASSERT_NE(c, nullptr);
    c->set_user(&user);
    EXPECT_EQ(c->state(), TcpState::Established);
    EXPECT_EQ(c->tuple().remote_port, 2000);
    EXPECT_EQ(c->send_mss(), 1400);
    EXPECT_EQ(c->readable(), 5u);
    u8 buffer[8];
    EXPECT_EQ(c->read(Bytes(buffer, sizeof buffer)).value(), 5u);
    EXPECT_EQ(std::string(reinterpret_cast<char*>(buffer), 5), "hello");
    // And it sends from the cookie's next number.
    EXPECT_EQ(c->write(ReadonlyBytes(reinterpret_cast<const u8*>("ok"), 2)).value(), 2u);
    EXPECT_EQ(last().seq, cookie.seq + 1);
    EXPECT_EQ(last().payload_length(), 2u);

    // Two slots later the same cookie has expired.
    inject(segment(tcp_flag::kSyn, 11000), 3000, 8080);
    const TcpSegment late = last();
    sim.now += 3 * Tcp::kCookieSlot;
    inject(segment(tcp_flag::kAck, 11001, late.seq + 1), 3000, 8080);
    EXPECT_EQ(mote.tcp->counters.syn_cookies_accepted, 1u);
    c->abort();
    c->close();
    mote.tcp->unlisten(small);
}

TEST_F(TcpCrafted, ASynRetransmitsWithBackoffThenTimesOut) {
    auto c = mote.tcp->connect(kMote, 0, kPeer, 80, {}, &user);
    ASSERT_FALSE(c.is_error());
    ASSERT_EQ(mote.sent.size(), 1u);
    EXPECT_EQ(last().flags, tcp_flag::kSyn);
    EXPECT_GE(last().source_port, Tcp::kEphemeralFirst);
    std::vector<Nanoseconds> times {sim.now};
    usize seen = 1;
    sim.run_until(
        [&] {
            if (mote.sent.size() > seen) {
                seen = mote.sent.size();
                times.push_back(sim.now);
            }
            return c.value()->state() == TcpState::Closed;
        },
        600 * kSecond);
    EXPECT_EQ(c.value()->error(), Error::Timeout);
    // The first SYN and kMaxSynRetries more, each wait twice the last.
    ASSERT_GE(times.size(), 1 + TcpConnection::kMaxSynRetries);
    for (usize i = 1; i < 1 + TcpConnection::kMaxSynRetries; ++i) {
        EXPECT_EQ(mote.sent[i].flags, tcp_flag::kSyn);
        EXPECT_EQ(times[i] - times[i - 1], TcpConnection::kInitialRto << (i - 1));
    }
    c.value()->close();
    sim.run_for(kMillisecond);
    EXPECT_EQ(mote.connections.live, 0u);
}

TEST_F(TcpCrafted, AnActiveOpenRefusedWithResetFails) {
    auto c = mote.tcp->connect(kMote, 50000, kPeer, 80, {}, &user);
    ASSERT_FALSE(c.is_error());
    const u32 syn_seq = last().seq;
    inject(segment(tcp_flag::kRst | tcp_flag::kAck, 0, syn_seq + 7), 80, 50000);  // wrong ACK: ignored
    EXPECT_EQ(c.value()->state(), TcpState::SynSent);
    inject(segment(tcp_flag::kRst | tcp_flag::kAck, 0, syn_seq + 1), 80, 50000);
    EXPECT_EQ(c.value()->state(), TcpState::Closed);
    EXPECT_EQ(c.value()->error(), Error::PeerClosed);
    c.value()->close();
}

TEST_F(TcpCrafted, ClosingWithUnreadDataResetsThePeer) {
    TcpConnection* c = open();
    ASSERT_NE(c, nullptr);
    inject(segment(tcp_flag::kAck, 1001, iss + 1, "unread"));
    c->close();
    EXPECT_EQ(last().flags & tcp_flag::kRst, tcp_flag::kRst);
    sim.run_for(kMillisecond);
    EXPECT_EQ(mote.connections.live, 0u);
}

TEST_F(TcpCrafted, APassiveCloseGoesThroughCloseWaitAndLastAck) {
    TcpConnection* c = open();
    ASSERT_NE(c, nullptr);
    inject(segment(tcp_flag::kAck | tcp_flag::kFin, 1001, iss + 1, "bye"));
    EXPECT_EQ(c->state(), TcpState::CloseWait);
    EXPECT_EQ(last().ack, 1005u);  // three bytes and the FIN, at once
    u8 buffer[8];
    EXPECT_EQ(c->read(Bytes(buffer, 8)).value(), 3u);
    EXPECT_EQ(c->read(Bytes(buffer, 8)).value(), 0u);  // end of stream
    EXPECT_TRUE(c->end_of_stream());
    // Half-closed: writing still works.
    EXPECT_EQ(c->write(ReadonlyBytes(reinterpret_cast<const u8*>("ok"), 2)).value(), 2u);
    c->close();
    EXPECT_EQ(last().flags & tcp_flag::kFin, tcp_flag::kFin);
    EXPECT_EQ(last().seq, iss + 3);  // "ok" went when written; the FIN follows it
    EXPECT_EQ(last().payload_length(), 0u);
    EXPECT_EQ(c->state(), TcpState::LastAck);
    inject(segment(tcp_flag::kAck, 1005, iss + 4));
    sim.run_for(kMillisecond);
    EXPECT_EQ(mote.connections.live, 0u);  // LAST-ACK done: released
    EXPECT_EQ(mote.tcp->time_wait_count(), 0u);
}

TEST_F(TcpCrafted, BadSegmentsAreCountedByName) {
    u8 bytes[24] = {};
    mote.tcp->receive(ReadonlyBytes(bytes, 10), kPeer, kMote);
    EXPECT_EQ(mote.tcp->counters.truncated, 1u);
    bytes[12] = 0x40;  // four words
    mote.tcp->receive(ReadonlyBytes(bytes, 20), kPeer, kMote, false);
    EXPECT_EQ(mote.tcp->counters.bad_data_offset, 1u);
    bytes[12] = 0x60;  // six words: 24 bytes
    bytes[20] = 2;     // MSS ...
    bytes[21] = 9;     // ... that runs off the end
    mote.tcp->receive(ReadonlyBytes(bytes, 24), kPeer, kMote, false);
    EXPECT_EQ(mote.tcp->counters.option_overrun, 1u);
    bytes[21] = 3;
    mote.tcp->receive(ReadonlyBytes(bytes, 24), kPeer, kMote, false);
    EXPECT_EQ(mote.tcp->counters.bad_option_length, 1u);
    bytes[12] = 0x50;
    bytes[0] = 1;  // source port 256, destination 0
    mote.tcp->receive(ReadonlyBytes(bytes, 20), kPeer, kMote, false);
    EXPECT_EQ(mote.tcp->counters.bad_address, 1u);
    bytes[3] = 80;
    mote.tcp->receive(ReadonlyBytes(bytes, 20), kPeer, kMote, true);
    EXPECT_EQ(mote.tcp->counters.bad_checksum, 1u);
    mote.tcp->receive(ReadonlyBytes(bytes, 20), kPeer, Ipv4Address {0xffffffff}, false);
    EXPECT_EQ(mote.tcp->counters.bad_address, 2u);
    EXPECT_TRUE(mote.sent.empty());  // none of it was answered
}
