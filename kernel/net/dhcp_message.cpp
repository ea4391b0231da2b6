#include "net/dhcp_message.hpp"

#include "base/memory.hpp"
#include "net/wire.hpp"

namespace mote {

namespace {
constexpr u8 kBootRequest = 1;
constexpr u8 kBootReply = 2;
constexpr u32 kMagicCookie = 0x63825363;  // 99.130.83.99 (RFC 2131 3)

// Option codes (RFC 2132).
constexpr u8 kOptPad = 0;
constexpr u8 kOptSubnetMask = 1;
constexpr u8 kOptRouter = 3;
constexpr u8 kOptDns = 6;
constexpr u8 kOptRequestedAddress = 50;
constexpr u8 kOptLeaseTime = 51;
constexpr u8 kOptMessageType = 53;
constexpr u8 kOptServerId = 54;
constexpr u8 kOptParameterList = 55;
constexpr u8 kOptMaxMessageSize = 57;
constexpr u8 kOptRenewalTime = 58;
constexpr u8 kOptRebindingTime = 59;
constexpr u8 kOptEnd = 255;
}  // namespace

const char* dhcp_type_name(DhcpType t) {
    switch (t) {
    case DhcpType::None: return "none";
    case DhcpType::Discover: return "DISCOVER";
    case DhcpType::Offer: return "OFFER";
    case DhcpType::Request: return "REQUEST";
    case DhcpType::Decline: return "DECLINE";
    case DhcpType::Ack: return "ACK";
    case DhcpType::Nak: return "NAK";
    case DhcpType::Release: return "RELEASE";
    case DhcpType::Inform: return "INFORM";
    }
    return "?";
}

Result<DhcpReply> parse_dhcp_reply(ReadonlyBytes message, DhcpFault& fault) {
    auto fail = [&](DhcpFault f) -> Result<DhcpReply> {
        fault = f;
        return Error::Malformed;
    };
    fault = DhcpFault::None;
    const u8* m = message.data();
    usize size = message.size();
    if (size < kDhcpFixedSize) return fail(DhcpFault::Truncated);
    if (m[0] != kBootReply || m[1] != 1 || m[2] != 6) return fail(DhcpFault::BadOp);
    if (load_be32(m + 236) != kMagicCookie) return fail(DhcpFault::BadMagic);

    DhcpReply r;
    r.xid = load_be32(m + 4);
    r.your_address.value = load_be32(m + 16);
    mem_copy(r.client_mac.bytes, m + 28, 6);

    usize i = kDhcpFixedSize;
    while (i < size) {
        u8 code = m[i];
        if (code == kOptPad) {
            ++i;
            continue;
        }
        if (code == kOptEnd) break;
        // Every other option is code, length, value; both the length byte
        // and the whole value must be inside the message.
        if (size - i < 2) return fail(DhcpFault::OptionsOverrun);
        usize length = m[i + 1];
        if (length > size - i - 2) return fail(DhcpFault::OptionsOverrun);
        const u8* v = m + i + 2;
        switch (code) {
        case kOptMessageType:
            if (length != 1 || v[0] < 1 || v[0] > 8) return fail(DhcpFault::BadOption);
            r.type = DhcpType(v[0]);
            break;
        case kOptServerId:
            if (length != 4) return fail(DhcpFault::BadOption);
            r.server_id.value = load_be32(v);
            break;
        case kOptSubnetMask:
            if (length != 4) return fail(DhcpFault::BadOption);
            r.netmask.value = load_be32(v);
            r.has_netmask = true;
            break;
        case kOptRouter:
            // One or more addresses (RFC 2132 3.5); the first is preferred.
            if (length < 4 || length % 4) return fail(DhcpFault::BadOption);
            r.router.value = load_be32(v);
            r.has_router = true;
            break;
        case kOptLeaseTime:
        case kOptRenewalTime:
        case kOptRebindingTime: {
            if (length != 4) return fail(DhcpFault::BadOption);
            u32 seconds = load_be32(v);
            if (code == kOptLeaseTime) {
                r.lease_seconds = seconds;
                r.has_lease = true;
            } else if (code == kOptRenewalTime) {
                r.t1_seconds = seconds;
            } else {
                r.t2_seconds = seconds;
            }
            break;
        }
        default: break;  // not used by this client
        }
        i += 2 + length;
    }
    if (r.type == DhcpType::None) return fail(DhcpFault::MissingOption);
    return r;
}

usize build_dhcp_request(Bytes out, const DhcpRequestFields& f) {
    VERIFY(out.size() >= kDhcpMinimumSize);
    u8* m = out.data();
    mem_set(m, 0, kDhcpMinimumSize);
    m[0] = kBootRequest;
    m[1] = 1;  // htype: Ethernet
    m[2] = 6;  // hlen
    store_be32(m + 4, f.xid);
    store_be32(m + 12, f.client_address.value);
    mem_copy(m + 28, f.client_mac.bytes, 6);
    store_be32(m + 236, kMagicCookie);
    usize i = kDhcpFixedSize;
    auto option = [&](u8 code, u8 length) {
        m[i++] = code;
        m[i++] = length;
    };
    option(kOptMessageType, 1);
    m[i++] = u8(f.type);
    if (!f.requested_address.is_zero()) {
        option(kOptRequestedAddress, 4);
        store_be32(m + i, f.requested_address.value);
        i += 4;
    }
    if (!f.server_id.is_zero()) {
        option(kOptServerId, 4);
        store_be32(m + i, f.server_id.value);
        i += 4;
    }
    option(kOptMaxMessageSize, 2);
    store_be16(m + i, 1500 - 28);  // what fits one frame: IP and UDP headers off
    i += 2;
    const u8 wanted[] = {kOptSubnetMask, kOptRouter, kOptDns, kOptLeaseTime, kOptRenewalTime, kOptRebindingTime};
    option(kOptParameterList, u8(sizeof(wanted)));
    for (u8 w : wanted) m[i++] = w;
    m[i++] = kOptEnd;
    // The rest up to the BOOTP minimum stays zero (pad).
    return max(i, kDhcpMinimumSize);
}

}  // namespace mote
