// TCP segments built and read byte by byte for the tests that drive the
// stack from the wire (net_tcp_test, socket_calls_test): not with the codec
// under test, so the tests check the wire, not the code's own opinion.
#pragma once

#include <gtest/gtest.h>

#include "net_frames.hpp"

namespace mote::test {

inline constexpr unsigned kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10, kFin = 0x01;

// A TCP segment from the peer, options raw (padded to 4 bytes by the caller).
inline Frame tcp(unsigned sport, unsigned dport, uint32_t seq, uint32_t ack, unsigned flags, unsigned window,
          const Frame& options = {}, const Frame& payload = {}, const Frame& src = kPeerIp,
          const Frame& dst = kOurIp) {
    Frame t;
    put16(t, sport);
    put16(t, dport);
    put32(t, seq);
    put32(t, ack);
    t.push_back(uint8_t(((20 + options.size()) / 4) << 4));
    t.push_back(uint8_t(flags));
    put16(t, window);
    put16(t, 0);
    put16(t, 0);
    append(t, options);
    append(t, payload);
    Frame pseudo = src;
    append(pseudo, dst);
    pseudo.push_back(0);
    pseudo.push_back(6);
    put16(pseudo, unsigned(t.size()));
    append(pseudo, t);
    uint16_t c = csum(pseudo);
    t[16] = uint8_t(c >> 8);
    t[17] = uint8_t(c);
    return t;
}

inline Frame tcp_frame(const Frame& segment, const Frame& dst_ip = kOurIp) {
    return ethernet(kOurMac, kPeerMac, 0x0800, ipv4(6, segment, kPeerIp, dst_ip));
}

inline uint32_t get32(const Frame& f, size_t at) { return (uint32_t(get16(f, at)) << 16) | get16(f, at + 2); }

// A segment Mote sent, read from the raw frame.
struct Sent {
    unsigned sport = 0, dport = 0, flags = 0, window = 0;
    uint32_t seq = 0, ack = 0;
    Frame options, payload;
    bool checksum_ok = false;
};

inline Sent read_sent(const Frame& f) {
    Sent s;
    EXPECT_GE(f.size(), 14u + 20 + 20);
    EXPECT_EQ(get16(f, 12), 0x0800u);
    const size_t ip = 14;
    const size_t ihl = (f[ip] & 15) * 4u;
    EXPECT_EQ(f[ip + 9], 6);
    const size_t total = get16(f, ip + 2);
    const size_t t = ip + ihl;
    Frame seg(f.begin() + long(t), f.begin() + long(ip + total));
    s.sport = get16(seg, 0);
    s.dport = get16(seg, 2);
    s.seq = get32(seg, 4);
    s.ack = get32(seg, 8);
    const size_t offset = (seg[12] >> 4) * 4u;
    s.flags = seg[13];
    s.window = get16(seg, 14);
    s.options.assign(seg.begin() + 20, seg.begin() + long(offset));
    s.payload.assign(seg.begin() + long(offset), seg.end());
    Frame pseudo(f.begin() + long(ip + 12), f.begin() + long(ip + 20));
    pseudo.push_back(0);
    pseudo.push_back(6);
    put16(pseudo, unsigned(seg.size()));
    append(pseudo, seg);
    s.checksum_ok = csum(pseudo) == 0;
    return s;
}

// The MSS option's value in a SYN's options, 0 if absent.
inline unsigned mss_of(const Frame& options) {
    for (size_t i = 0; i < options.size();) {
        if (options[i] == 0) break;
        if (options[i] == 1) {
            ++i;
            continue;
        }
        if (i + 1 >= options.size()) break;
        if (options[i] == 2 && options[i + 1] == 4) return get16(options, i + 2);
        i += options[i + 1] ? options[i + 1] : 1;
    }
    return 0;
}

}  // namespace mote::test
