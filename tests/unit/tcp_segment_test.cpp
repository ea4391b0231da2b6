// The TCP header codec, the byte ring and the out-of-order ranges.
#include <gtest/gtest.h>

#include <vector>

#include "net/checksum.hpp"
#include "net/ipv4.hpp"
#include "net/tcp/tcp_reassembly.hpp"
#include "base/byte_ring.hpp"
#include "net/tcp/tcp_segment.hpp"

using namespace mote;

namespace {

const Ipv4Address kA {0x0a000201};  // 10.0.2.1
const Ipv4Address kB {0x0a00020f};  // 10.0.2.15

// A header by hand: ports 1234 -> 80, seq 1000, ack 2000, flags, window
// 512, options appended, then payload; checksum filled in.
std::vector<u8> handmade(u8 flags, std::vector<u8> options, std::vector<u8> payload = {}, int data_offset_words = -1) {
    while (options.size() % 4) options.push_back(0);
    std::vector<u8> b = {0x04, 0xd2, 0x00, 0x50, 0, 0, 0x03, 0xe8, 0, 0, 0x07, 0xd0};
    const usize words = data_offset_words >= 0 ? usize(data_offset_words) : (20 + options.size()) / 4;
    b.push_back(u8(words << 4));
    b.push_back(flags);
    b.insert(b.end(), {0x02, 0x00, 0, 0, 0, 0});
    b.insert(b.end(), options.begin(), options.end());
    b.insert(b.end(), payload.begin(), payload.end());
    u64 sum = checksum_add_pseudo_header(0, kA, kB, kIpProtocolTcp, u16(b.size()));
    const u16 c = checksum_finish(checksum_add(sum, ReadonlyBytes(b.data(), b.size())));
    b[16] = u8(c >> 8);
    b[17] = u8(c);
    return b;
}

Result<TcpSegment> parse(const std::vector<u8>& b, TcpFault* fault, bool verify = true) {
    return parse_tcp_segment(ReadonlyBytes(b.data(), b.size()), kA, kB, verify, fault);
}

}  // namespace

// checksum_add's word-at-a-time path against the two-bytes-a-step
// definition, at every alignment and length the wire gives, from pieces.
TEST(InternetChecksum, WordSumsMatchTheBytePairDefinition) {
    auto reference = [](u64 sum, const u8* p, usize n) {
        for (; n >= 2; p += 2, n -= 2) sum += (u32(p[0]) << 8) | p[1];
        if (n) sum += u32(p[0]) << 8;
        return sum;
    };
    std::vector<u8> bytes(4096 + 8);
    u32 seed = 12345;
    for (u8& b : bytes) {
        seed = seed * 1103515245 + 12345;
        b = u8(seed >> 16);
    }
    for (usize offset = 0; offset < 8; ++offset)
        for (usize length : {0u, 1u, 2u, 3u, 31u, 32u, 33u, 34u, 35u, 63u, 64u, 65u, 1448u, 1449u, 1500u, 4096u}) {
            const u8* p = bytes.data() + offset;
            const u16 want = checksum_finish(reference(0, p, length));
            EXPECT_EQ(checksum_finish(checksum_add(0, ReadonlyBytes(p, length))), want) << offset << " " << length;
            // In two pieces, the first of even length (the header, then the payload).
            const usize cut = (length / 3) & ~usize(1);
            const u64 pieces = checksum_add(checksum_add(0, ReadonlyBytes(p, cut)), ReadonlyBytes(p + cut, length - cut));
            EXPECT_EQ(checksum_finish(pieces), want) << offset << " " << length;
        }
    // All ones, the case where folding carries matters most.
    std::vector<u8> ones(1500, 0xff);
    EXPECT_EQ(checksum_finish(checksum_add(0, ReadonlyBytes(ones.data(), ones.size()))),
              checksum_finish(reference(0, ones.data(), ones.size())));
}

TEST(TcpSegment, DecodesAHandmadeSynWithEveryOption) {
    // MSS 1460, SACK-permitted, timestamps 7/0, NOP, window scale 7.
    auto b = handmade(tcp_flag::kSyn, {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 7, 0, 0, 0, 0, 1, 3, 3, 7});
    TcpFault fault;
    auto s = parse(b, &fault);
    ASSERT_FALSE(s.is_error()) << tcp_fault_name(fault);
    EXPECT_EQ(s.value().source_port, 1234);
    EXPECT_EQ(s.value().destination_port, 80);
    EXPECT_EQ(s.value().seq, 1000u);
    EXPECT_EQ(s.value().ack, 2000u);
    EXPECT_EQ(s.value().window, 512);
    EXPECT_TRUE(s.value().has(tcp_flag::kSyn));
    EXPECT_EQ(s.value().options.mss, 1460);
    EXPECT_TRUE(s.value().options.sack_permitted);
    EXPECT_TRUE(s.value().options.has_timestamps);
    EXPECT_EQ(s.value().options.ts_value, 7u);
    EXPECT_TRUE(s.value().options.has_window_scale);
    EXPECT_EQ(s.value().options.window_scale, 7);
    EXPECT_EQ(s.value().payload.size(), 0u);
    EXPECT_EQ(s.value().sequence_length(), 1u);
}

TEST(TcpSegment, WindowScaleAboveFourteenIsTakenAsFourteen) {
    auto b = handmade(tcp_flag::kSyn, {1, 3, 3, 20});
    auto s = parse(b, nullptr);
    ASSERT_FALSE(s.is_error());
    EXPECT_EQ(s.value().options.window_scale, 14);  // RFC 7323 2.3
}

TEST(TcpSegment, SackBlocksAndUnknownOptionsAreRead) {
    // Unknown kind 30 of length 4 is skipped; SACK with two blocks.
    auto b = handmade(tcp_flag::kAck, {30, 4, 9, 9, 1, 1, 5, 18, 0, 0, 0, 10, 0, 0, 0, 20, 0, 0, 0, 30, 0, 0, 0, 40},
                      {'h', 'i'});
    auto s = parse(b, nullptr);
    ASSERT_FALSE(s.is_error());
    ASSERT_EQ(s.value().options.sack_count, 2);
    EXPECT_EQ(s.value().options.sack[0].left, 10u);
    EXPECT_EQ(s.value().options.sack[0].right, 20u);
    EXPECT_EQ(s.value().options.sack[1].left, 30u);
    EXPECT_EQ(s.value().options.sack[1].right, 40u);
    ASSERT_EQ(s.value().payload.size(), 2u);
    EXPECT_EQ(s.value().payload.data()[0], 'h');
}

TEST(TcpSegment, MalformedHeadersAreRefusedByName) {
    TcpFault fault;
    std::vector<u8> short_one(19, 0);
    EXPECT_TRUE(parse(short_one, &fault).is_error());
    EXPECT_EQ(fault, TcpFault::Truncated);

    EXPECT_TRUE(parse(handmade(tcp_flag::kAck, {}, {}, 4), &fault).is_error());  // below five words
    EXPECT_EQ(fault, TcpFault::BadDataOffset);
    EXPECT_TRUE(parse(handmade(tcp_flag::kAck, {}, {1, 2, 3}, 6), &fault, false).is_error());  // past the end
    EXPECT_EQ(fault, TcpFault::BadDataOffset);

    EXPECT_TRUE(parse(handmade(tcp_flag::kAck, {1, 1, 1, 8}), &fault).is_error());  // TS kind, no length byte room
    EXPECT_EQ(fault, TcpFault::OptionOverrun);
    EXPECT_TRUE(parse(handmade(tcp_flag::kAck, {8, 10, 0, 0}), &fault).is_error());  // TS says 10, header has 4
    EXPECT_EQ(fault, TcpFault::OptionOverrun);

    EXPECT_TRUE(parse(handmade(tcp_flag::kSyn, {2, 3, 5, 1}), &fault).is_error());  // MSS of length 3
    EXPECT_EQ(fault, TcpFault::BadOptionLength);
    EXPECT_TRUE(parse(handmade(tcp_flag::kSyn, {30, 0, 0, 0}), &fault).is_error());  // length 0 would loop
    EXPECT_EQ(fault, TcpFault::BadOptionLength);
    EXPECT_TRUE(parse(handmade(tcp_flag::kAck, {5, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}), &fault).is_error());  // SACK not 2+8n
    EXPECT_EQ(fault, TcpFault::BadOptionLength);

    auto b = handmade(tcp_flag::kAck, {}, {'x'});
    b[20] ^= 1;
    EXPECT_TRUE(parse(b, &fault).is_error());
    EXPECT_EQ(fault, TcpFault::BadChecksum);
    EXPECT_FALSE(parse(b, &fault, false).is_error());  // unverified, it decodes
}

TEST(TcpSegment, EncodedSegmentsDecodeToTheSameFields) {
    u8 first[] = {'a', 'b', 'c'};
    u8 second[] = {'d', 'e'};
    TcpSegment s;
    s.source_port = 49152;
    s.destination_port = 80;
    s.seq = 0xfffffff0;
    s.ack = 77;
    s.flags = tcp_flag::kAck | tcp_flag::kPsh;
    s.window = 4000;
    s.options.has_timestamps = true;
    s.options.ts_value = 123456;
    s.options.ts_echo = 654321;
    s.options.sack_count = 3;
    s.options.sack[0] = {100, 200};
    s.options.sack[1] = {300, 400};
    s.options.sack[2] = {500, 600};
    s.payload = ReadonlyBytes(first, 3);
    s.payload_more = ReadonlyBytes(second, 2);
    u8 out[100];
    auto n = write_tcp_segment(Bytes(out, sizeof out), s, kA, kB);
    ASSERT_FALSE(n.is_error());
    EXPECT_EQ(n.value(), 20u + 12 + 4 + 24 + 5);
    // The checksum verifies over the pseudo header: the sum of everything is 0.
    u64 sum = checksum_add_pseudo_header(0, kA, kB, kIpProtocolTcp, u16(n.value()));
    EXPECT_EQ(checksum_finish(checksum_add(sum, ReadonlyBytes(out, n.value()))), 0);
    auto d = parse_tcp_segment(ReadonlyBytes(out, n.value()), kA, kB, true, nullptr);
    ASSERT_FALSE(d.is_error());
    EXPECT_EQ(d.value().seq, 0xfffffff0u);
    EXPECT_EQ(d.value().ack, 77u);
    EXPECT_EQ(d.value().flags, tcp_flag::kAck | tcp_flag::kPsh);
    EXPECT_EQ(d.value().window, 4000);
    EXPECT_EQ(d.value().options.ts_value, 123456u);
    EXPECT_EQ(d.value().options.ts_echo, 654321u);
    ASSERT_EQ(d.value().options.sack_count, 3);
    EXPECT_EQ(d.value().options.sack[2].right, 600u);
    ASSERT_EQ(d.value().payload.size(), 5u);
    EXPECT_EQ(std::string((const char*)d.value().payload.data(), 5), "abcde");
    // A SYN carries MSS, SACK-permitted and window scale; a data segment
    // does not, even when the fields are set.
    TcpSegment syn;
    syn.flags = tcp_flag::kSyn;
    syn.options.mss = 1460;
    syn.options.has_window_scale = true;
    syn.options.window_scale = 3;
    syn.options.sack_permitted = true;
    auto n2 = write_tcp_segment(Bytes(out, sizeof out), syn, kA, kB);
    ASSERT_FALSE(n2.is_error());
    EXPECT_EQ(n2.value(), 32u);  // 20 + MSS 4 + NOP NOP SACKOK 4 + NOP WS 4
    auto d2 = parse_tcp_segment(ReadonlyBytes(out, n2.value()), kA, kB, true, nullptr);
    ASSERT_FALSE(d2.is_error());
    EXPECT_EQ(d2.value().options.mss, 1460);
    EXPECT_TRUE(d2.value().options.sack_permitted);
    EXPECT_EQ(d2.value().options.window_scale, 3);
    EXPECT_FALSE(d2.value().options.has_timestamps);
    // Too small a buffer is Overflow, not a short write.
    EXPECT_TRUE(write_tcp_segment(Bytes(out, 30), syn, kA, kB).is_error());
}

TEST(ByteRing, WrapsAndViewsInTwoPieces) {
    u8 storage[8];
    ByteRing ring(Bytes(storage, sizeof storage));
    const u8 a[] = {1, 2, 3, 4, 5, 6};
    EXPECT_EQ(ring.push(ReadonlyBytes(a, 6)), 6u);
    u8 out[8];
    EXPECT_EQ(ring.read(Bytes(out, 4)), 4u);
    EXPECT_EQ(out[3], 4);
    const u8 b[] = {7, 8, 9, 10, 11, 12, 13};
    EXPECT_EQ(ring.push(ReadonlyBytes(b, 7)), 6u);  // only six fit
    EXPECT_EQ(ring.size(), 8u);
    ReadonlyBytes first, second;
    ring.view(1, 6, first, second);
    EXPECT_EQ(first.size() + second.size(), 6u);
    EXPECT_EQ(first.size(), 3u);  // storage[5..7], then it wraps to storage[0]
    EXPECT_EQ(first.data()[0], 6);
    EXPECT_EQ(second.data()[0], 9);
    EXPECT_EQ(ring.read(Bytes(out, 8)), 8u);
    EXPECT_EQ(out[0], 5);
    EXPECT_EQ(out[7], 12);
    EXPECT_TRUE(ring.empty());
}

TEST(ByteRing, BytesWrittenPastTheContentsJoinThemOnCommit) {
    u8 storage[8];
    ByteRing ring(Bytes(storage, sizeof storage));
    const u8 late[] = {5, 6};
    ring.write_at(4, ReadonlyBytes(late, 2));  // out of order: bytes 4..5
    const u8 early[] = {1, 2, 3, 4};
    EXPECT_EQ(ring.push(ReadonlyBytes(early, 4)), 4u);
    ring.commit(2);
    u8 out[6];
    EXPECT_EQ(ring.read(Bytes(out, 6)), 6u);
    for (u8 i = 0; i < 6; ++i) EXPECT_EQ(out[i], i + 1);
}

// A writer that copies from elsewhere fills the free space in place (two
// pieces across the wrap) and commits it.
TEST(ByteRing, FreeSpaceFilledInPlaceJoinsTheContentsOnCommit) {
    u8 storage[8];
    ByteRing ring(Bytes(storage, sizeof storage));
    const u8 a[] = {1, 2, 3, 4, 5};
    ASSERT_EQ(ring.push(ReadonlyBytes(a, 5)), 5u);
    u8 out[8];
    ASSERT_EQ(ring.read(Bytes(out, 4)), 4u);  // contents: storage[4] = 5
    Bytes first, second;
    ring.space(6, first, second);
    ASSERT_EQ(first.size(), 3u);  // storage[5..7]
    ASSERT_EQ(second.size(), 3u);  // storage[0..2]
    EXPECT_EQ(first.data(), storage + 5);
    EXPECT_EQ(second.data(), storage);
    for (u8 i = 0; i < 3; ++i) first.data()[i] = u8(6 + i), second.data()[i] = u8(9 + i);
    EXPECT_EQ(ring.size(), 1u);  // nothing joins before the commit
    ring.commit(6);
    ASSERT_EQ(ring.read(Bytes(out, 8)), 7u);
    for (u8 i = 0; i < 7; ++i) EXPECT_EQ(out[i], i + 5);
    ring.space(0, first, second);
    EXPECT_EQ(first.size() + second.size(), 0u);
}

TEST(TcpReassembly, MergesAdvancesAndReportsTheNewestFirst) {
    TcpReassembly r;
    EXPECT_TRUE(r.add(Seq(100), Seq(200)));
    EXPECT_TRUE(r.add(Seq(300), Seq(400)));
    EXPECT_TRUE(r.add(Seq(200), Seq(250)));  // touches the first: merged
    ASSERT_EQ(r.count(), 2u);
    EXPECT_EQ(r.at(0).left, Seq(100));
    EXPECT_EQ(r.at(0).right, Seq(250));
    TcpOptions o;
    r.sack_blocks(o, 4);
    ASSERT_EQ(o.sack_count, 2);
    EXPECT_EQ(o.sack[0].left, 100u);  // the range the newest bytes went to
    EXPECT_EQ(o.sack[1].left, 300u);
    EXPECT_TRUE(r.add(Seq(240), Seq(310)));  // bridges both
    ASSERT_EQ(r.count(), 1u);
    EXPECT_EQ(r.at(0).right, Seq(400));
    EXPECT_EQ(r.advance(Seq(50)), Seq(50));    // a hole remains before 100
    EXPECT_EQ(r.advance(Seq(100)), Seq(400));  // the hole filled: all of it joins
    EXPECT_TRUE(r.empty());
}

TEST(TcpReassembly, RangesAreBoundedAndWorkAcrossTheWrap) {
    TcpReassembly r;
    const u32 base = 0xfffffff0;
    for (u32 i = 0; i < TcpReassembly::kMaxRanges; ++i) EXPECT_TRUE(r.add(Seq(base + i * 10), Seq(base + i * 10 + 5)));
    EXPECT_FALSE(r.add(Seq(base + 200), Seq(base + 210)));  // a ninth range is refused
    EXPECT_EQ(r.count(), TcpReassembly::kMaxRanges);
    EXPECT_TRUE(r.add(Seq(base + 5), Seq(base + 10)));  // fills a gap: one fewer range
    EXPECT_EQ(r.count(), TcpReassembly::kMaxRanges - 1);
    EXPECT_EQ(r.advance(Seq(base)), Seq(base + 15));  // across 2^32
}
