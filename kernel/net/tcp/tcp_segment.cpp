#include "net/tcp/tcp_segment.hpp"

#include "base/memory.hpp"
#include "net/checksum.hpp"
#include "net/ipv4.hpp"
#include "net/wire.hpp"

namespace mote {

namespace {

// Option kinds (IANA "TCP Option Kind Numbers").
constexpr u8 kEnd = 0;
constexpr u8 kNop = 1;
constexpr u8 kMss = 2;
constexpr u8 kWindowScale = 3;
constexpr u8 kSackPermitted = 4;
constexpr u8 kSack = 5;
constexpr u8 kTimestamps = 8;

TcpFault parse_options(const u8* p, usize length, TcpOptions& options) {
    usize i = 0;
    while (i < length) {
        const u8 kind = p[i];
        if (kind == kEnd) break;
        if (kind == kNop) {
            ++i;
            continue;
        }
        if (i + 1 >= length) return TcpFault::OptionOverrun;
        const u8 size = p[i + 1];
        if (size < 2) return TcpFault::BadOptionLength;  // would loop or step back
        if (i + size > length) return TcpFault::OptionOverrun;
        const u8* value = p + i + 2;
        switch (kind) {
        case kMss:
            if (size != 4) return TcpFault::BadOptionLength;
            options.mss = load_be16(value);
            break;
        case kWindowScale:
            if (size != 3) return TcpFault::BadOptionLength;
            options.has_window_scale = true;
            // RFC 7323 2.3: a shift above 14 is taken as 14.
            options.window_scale = value[0] > 14 ? 14 : value[0];
            break;
        case kSackPermitted:
            if (size != 2) return TcpFault::BadOptionLength;
            options.sack_permitted = true;
            break;
        case kSack: {
            if (size < 10 || (size - 2) % 8 != 0 || (size - 2) / 8 > TcpOptions::kMaxSackBlocks)
                return TcpFault::BadOptionLength;
            options.sack_count = u8((size - 2) / 8);
            for (usize b = 0; b < options.sack_count; ++b) {
                options.sack[b].left = load_be32(value + b * 8);
                options.sack[b].right = load_be32(value + b * 8 + 4);
            }
            break;
        }
        case kTimestamps:
            if (size != 10) return TcpFault::BadOptionLength;
            options.has_timestamps = true;
            options.ts_value = load_be32(value);
            options.ts_echo = load_be32(value + 4);
            break;
        default: break;  // not ours: skipped by its length
        }
        i += size;
    }
    return TcpFault::None;
}

}  // namespace

const char* tcp_fault_name(TcpFault fault) {
    switch (fault) {
    case TcpFault::None: return "none";
    case TcpFault::Truncated: return "truncated";
    case TcpFault::BadDataOffset: return "bad_data_offset";
    case TcpFault::OptionOverrun: return "option_overrun";
    case TcpFault::BadOptionLength: return "bad_option_length";
    case TcpFault::BadChecksum: return "bad_checksum";
    }
    return "?";
}

Result<TcpSegment> parse_tcp_segment(ReadonlyBytes bytes, Ipv4Address source, Ipv4Address destination,
                                     bool verify_checksum, TcpFault* fault) {
    auto fail = [&](TcpFault f) -> Result<TcpSegment> {
        if (fault) *fault = f;
        return Error::Malformed;
    };
    if (bytes.size() < TcpSegment::kHeaderSize) return fail(TcpFault::Truncated);
    const u8* p = bytes.data();
    const usize header = usize(p[12] >> 4) * 4;
    if (header < TcpSegment::kHeaderSize || header > bytes.size()) return fail(TcpFault::BadDataOffset);
    if (verify_checksum) {
        if (bytes.size() > 0xffff) return fail(TcpFault::Truncated);
        u64 sum = checksum_add_pseudo_header(0, source, destination, kIpProtocolTcp, u16(bytes.size()));
        if (checksum_finish(checksum_add(sum, bytes)) != 0) return fail(TcpFault::BadChecksum);
    }
    TcpSegment s;
    s.source_port = load_be16(p);
    s.destination_port = load_be16(p + 2);
    s.seq = load_be32(p + 4);
    s.ack = load_be32(p + 8);
    s.flags = p[13];
    s.window = load_be16(p + 14);
    s.urgent = load_be16(p + 18);
    if (TcpFault f = parse_options(p + TcpSegment::kHeaderSize, header - TcpSegment::kHeaderSize, s.options);
        f != TcpFault::None)
        return fail(f);
    s.payload = bytes.slice(header);
    if (fault) *fault = TcpFault::None;
    return s;
}

usize tcp_header_size(const TcpOptions& options, bool syn) {
    usize size = TcpSegment::kHeaderSize;
    if (syn) {
        if (options.mss) size += 4;
        if (options.has_window_scale) size += 4;  // NOP + 3
        if (options.sack_permitted || options.has_timestamps) {
            // SACK-permitted (2) shares a word pair with timestamps (10), or
            // takes NOP NOP before it when alone.
            size += 4;
            if (options.has_timestamps) size += 8;
        }
    } else {
        if (options.has_timestamps) size += 12;  // NOP NOP + 10
        if (options.sack_count) size += 4 + 8 * options.sack_count;  // NOP NOP + 2 + 8n
    }
    return size;
}

Result<usize> write_tcp_segment(Bytes out, const TcpSegment& s, Ipv4Address source, Ipv4Address destination) {
    const bool syn = s.has(tcp_flag::kSyn);
    TcpOptions options = s.options;
    // Forty option bytes: timestamps (12) leave room for three SACK blocks.
    const usize sack_room = options.has_timestamps ? 3 : 4;
    if (options.sack_count > sack_room) options.sack_count = u8(sack_room);
    const usize header = tcp_header_size(options, syn);
    const usize total = header + s.payload_length();
    if (header > TcpSegment::kMaxHeaderSize || total > out.size() || total > 0xffff) return Error::Overflow;
    u8* p = out.data();
    store_be16(p, s.source_port);
    store_be16(p + 2, s.destination_port);
    store_be32(p + 4, s.seq);
    store_be32(p + 8, s.ack);
    p[12] = u8((header / 4) << 4);
    p[13] = s.flags;
    store_be16(p + 14, s.window);
    store_be16(p + 16, 0);
    store_be16(p + 18, s.urgent);
    u8* o = p + TcpSegment::kHeaderSize;
    auto put = [&](u8 b) { *o++ = b; };
    auto put_timestamps = [&] {
        put(kTimestamps);
        put(10);
        store_be32(o, options.ts_value);
        store_be32(o + 4, options.ts_echo);
        o += 8;
    };
    if (syn) {
        if (options.mss) {
            put(kMss);
            put(4);
            store_be16(o, options.mss);
            o += 2;
        }
        if (options.sack_permitted && options.has_timestamps) {
            put(kSackPermitted);
            put(2);
            put_timestamps();
        } else if (options.has_timestamps) {
            put(kNop);
            put(kNop);
            put_timestamps();
        } else if (options.sack_permitted) {
            put(kNop);
            put(kNop);
            put(kSackPermitted);
            put(2);
        }
        if (options.has_window_scale) {
            put(kNop);
            put(kWindowScale);
            put(3);
            put(options.window_scale);
        }
    } else {
        if (options.has_timestamps) {
            put(kNop);
            put(kNop);
            put_timestamps();
        }
        if (options.sack_count) {
            put(kNop);
            put(kNop);
            put(kSack);
            put(u8(2 + 8 * options.sack_count));
            for (usize b = 0; b < options.sack_count; ++b) {
                store_be32(o, options.sack[b].left);
                store_be32(o + 4, options.sack[b].right);
                o += 8;
            }
        }
    }
    VERIFY(usize(o - p) == header);
    mem_copy(p + header, s.payload.data(), s.payload.size());
    mem_copy(p + header + s.payload.size(), s.payload_more.data(), s.payload_more.size());
    u64 sum = checksum_add_pseudo_header(0, source, destination, kIpProtocolTcp, u16(total));
    store_be16(p + 16, checksum_finish(checksum_add(sum, ReadonlyBytes(p, total))));
    return total;
}

}  // namespace mote
