// The TCP header (RFC 9293 3.1) and the options Mote speaks: MSS (RFC 9293
// 3.2), window scale and timestamps (RFC 7323), SACK-permitted and SACK
// blocks (RFC 2018). Decoding and encoding only; what a segment means is
// tcp_connection's business.
//
// Decode, then act: parse_tcp_segment() checks every length before it reads
// (the data offset against the segment, each option's length against the
// header) and names what was wrong in a TcpFault, which the layer counts.
// Options a segment may carry but Mote does not use are skipped by their
// length; an option whose length is impossible rejects the segment (RFC
// 9293 3.1 asks implementations to be prepared for exactly that).
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"
#include "net/ipv4_address.hpp"

namespace mote {

namespace tcp_flag {
inline constexpr u8 kFin = 0x01;
inline constexpr u8 kSyn = 0x02;
inline constexpr u8 kRst = 0x04;
inline constexpr u8 kPsh = 0x08;
inline constexpr u8 kAck = 0x10;
inline constexpr u8 kUrg = 0x20;
}  // namespace tcp_flag

// Why a segment was not accepted by the decoder.
enum class TcpFault : u8 {
    None,
    Truncated,        // shorter than a header
    BadDataOffset,    // data offset below 5 words or past the segment's end
    OptionOverrun,    // an option runs off the end of the header
    BadOptionLength,  // a known option with a length it can never have
    BadChecksum,
};
const char* tcp_fault_name(TcpFault fault);

struct TcpSackBlock {
    u32 left = 0;   // first sequence number of the block
    u32 right = 0;  // one past its last
};

struct TcpOptions {
    static constexpr usize kMaxSackBlocks = 4;  // 4 * 8 + 2 fills the 40 option bytes

    u16 mss = 0;  // 0: not present
    bool has_window_scale = false;
    u8 window_scale = 0;
    bool sack_permitted = false;
    bool has_timestamps = false;
    u32 ts_value = 0;
    u32 ts_echo = 0;
    u8 sack_count = 0;
    TcpSackBlock sack[kMaxSackBlocks];
};

struct TcpSegment {
    static constexpr usize kHeaderSize = 20;
    static constexpr usize kMaxHeaderSize = 60;

    u16 source_port = 0;
    u16 destination_port = 0;
    u32 seq = 0;
    u32 ack = 0;
    u8 flags = 0;
    u16 window = 0;  // as on the wire (not scaled)
    u16 urgent = 0;
    TcpOptions options;
    // The payload. A segment Mote builds from a ring buffer may come in two
    // pieces (the ring wrapped); a decoded one is always in `payload` alone.
    ReadonlyBytes payload;
    ReadonlyBytes payload_more;

    bool has(u8 flag) const { return (flags & flag) != 0; }
    usize payload_length() const { return payload.size() + payload_more.size(); }
    // Sequence space the segment occupies: its bytes, plus one each for SYN
    // and FIN.
    u32 sequence_length() const {
        return u32(payload_length()) + (has(tcp_flag::kSyn) ? 1 : 0) + (has(tcp_flag::kFin) ? 1 : 0);
    }
};

// Decodes `bytes` (the IP payload) sent from `source` to `destination`.
// Checks the checksum over the pseudo header if `verify_checksum`. On
// failure returns Malformed and sets *fault.
Result<TcpSegment> parse_tcp_segment(ReadonlyBytes bytes, Ipv4Address source, Ipv4Address destination,
                                     bool verify_checksum, TcpFault* fault);

// The header size `options` encode to (a multiple of 4, at most 60).
usize tcp_header_size(const TcpOptions& options, bool syn);

// Writes `segment` (header, options, both payload pieces) into `out` with
// its checksum. MSS, window scale and SACK-permitted are written only on a
// SYN. Returns the bytes written; Overflow if `out` is too small.
Result<usize> write_tcp_segment(Bytes out, const TcpSegment& segment, Ipv4Address source, Ipv4Address destination);

}  // namespace mote
