// Builders for the frames the network tests push into the stack, written
// independently of kernel/net (plain std::vector code) so a test checks the
// stack against a second implementation, not against itself.
#pragma once

#include <cstdint>
#include <vector>

namespace mote::test {

using Frame = std::vector<uint8_t>;

inline const Frame kOurMac = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
inline const Frame kPeerMac = {0x52, 0x55, 0x0a, 0x00, 0x02, 0x02};
inline const Frame kBroadcastMac = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
inline const Frame kOurIp = {10, 0, 2, 15};
inline const Frame kPeerIp = {10, 0, 2, 2};

inline void put16(Frame& f, unsigned v) {
    f.push_back(uint8_t(v >> 8));
    f.push_back(uint8_t(v));
}
inline void put32(Frame& f, uint32_t v) {
    put16(f, v >> 16);
    put16(f, v & 0xffff);
}
inline void append(Frame& f, const Frame& more) { f.insert(f.end(), more.begin(), more.end()); }
inline unsigned get16(const Frame& f, size_t at) { return (unsigned(f[at]) << 8) | f[at + 1]; }

inline uint16_t csum(const Frame& data, uint32_t sum = 0) {
    for (size_t i = 0; i + 1 < data.size(); i += 2) sum += (unsigned(data[i]) << 8) | data[i + 1];
    if (data.size() % 2) sum += unsigned(data.back()) << 8;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return uint16_t(~sum);
}

inline Frame ethernet(const Frame& dst, const Frame& src, unsigned type, const Frame& payload, bool pad = true) {
    Frame f = dst;
    append(f, src);
    put16(f, type);
    append(f, payload);
    while (pad && f.size() < 60) f.push_back(0);
    return f;
}

inline Frame arp(unsigned op, const Frame& sha, const Frame& spa, const Frame& tha, const Frame& tpa) {
    Frame f;
    put16(f, 1);
    put16(f, 0x0800);
    f.push_back(6);
    f.push_back(4);
    put16(f, op);
    append(f, sha);
    append(f, spa);
    append(f, tha);
    append(f, tpa);
    return f;
}

inline Frame ipv4(unsigned proto, const Frame& payload, const Frame& src = kPeerIp, const Frame& dst = kOurIp,
                  unsigned id = 1, unsigned frag = 0, unsigned ttl = 64) {
    Frame h;
    h.push_back(0x45);
    h.push_back(0);
    put16(h, unsigned(20 + payload.size()));
    put16(h, id);
    put16(h, frag);
    h.push_back(uint8_t(ttl));
    h.push_back(uint8_t(proto));
    put16(h, 0);
    append(h, src);
    append(h, dst);
    uint16_t c = csum(h);
    h[10] = uint8_t(c >> 8);
    h[11] = uint8_t(c);
    append(h, payload);
    return h;
}

inline Frame udp(unsigned sport, unsigned dport, const Frame& payload, const Frame& src = kPeerIp,
                 const Frame& dst = kOurIp) {
    Frame u;
    put16(u, sport);
    put16(u, dport);
    put16(u, unsigned(8 + payload.size()));
    put16(u, 0);
    append(u, payload);
    Frame pseudo = src;
    append(pseudo, dst);
    pseudo.push_back(0);
    pseudo.push_back(17);
    put16(pseudo, unsigned(u.size()));
    append(pseudo, u);
    uint16_t c = csum(pseudo);
    if (c == 0) c = 0xffff;
    u[6] = uint8_t(c >> 8);
    u[7] = uint8_t(c);
    return u;
}

inline Frame icmp(unsigned type, unsigned id, unsigned seq, const Frame& data) {
    Frame m;
    m.push_back(uint8_t(type));
    m.push_back(0);
    put16(m, 0);
    put16(m, id);
    put16(m, seq);
    append(m, data);
    uint16_t c = csum(m);
    m[2] = uint8_t(c >> 8);
    m[3] = uint8_t(c);
    return m;
}

// A DHCP reply from the server at kPeerIp (RFC 2131 layout), options given
// as raw bytes; the End option is appended.
inline Frame dhcp_reply(unsigned type, uint32_t xid, const Frame& yiaddr, const Frame& extra_options = {},
                        bool end = true) {
    Frame m;
    m.push_back(2);
    m.push_back(1);
    m.push_back(6);
    m.push_back(0);
    put32(m, xid);
    put16(m, 0);
    put16(m, 0);
    append(m, Frame(4, 0));   // ciaddr
    append(m, yiaddr);        // yiaddr
    append(m, kPeerIp);       // siaddr
    append(m, Frame(4, 0));   // giaddr
    append(m, kOurMac);
    append(m, Frame(10, 0));  // rest of chaddr
    append(m, Frame(192, 0)); // sname, file
    append(m, Frame {99, 130, 83, 99});
    Frame opts = {53, 1, uint8_t(type), 54, 4, 10, 0, 2, 2, 51, 4, 0, 0, 0x0e, 0x10, 1, 4, 255, 255, 255, 0,
                  3, 4, 10, 0, 2, 2};
    append(m, opts);
    append(m, extra_options);
    if (end) m.push_back(255);
    return m;
}

inline Frame udp_frame(unsigned sport, unsigned dport, const Frame& payload, const Frame& dst_mac = kOurMac,
                       const Frame& dst_ip = kOurIp) {
    return ethernet(dst_mac, kPeerMac, 0x0800, ipv4(17, udp(sport, dport, payload, kPeerIp, dst_ip), kPeerIp, dst_ip));
}

}  // namespace mote::test
