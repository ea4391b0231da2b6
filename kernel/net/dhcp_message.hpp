// DHCP messages (RFC 2131 2, options RFC 2132): parsing replies and building
// the client's requests. Pure functions over bytes, so they are tested and
// fuzzed on their own.
//
// Parsing is decode-only: the fixed BOOTP part, the magic cookie, then the
// options, each checked to lie inside the message before it is read. A
// message is refused with a named fault: shorter than the fixed part
// (Truncated), not a BOOTREPLY for Ethernet (BadOp), a wrong cookie
// (BadMagic), an option whose length runs past the end (OptionsOverrun), an
// option we use with a wrong length (BadOption), or no message type
// (MissingOption). The sname/file overload (option 52) is not followed.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"
#include "net/ipv4_address.hpp"

namespace mote {

enum class DhcpType : u8 { None = 0, Discover = 1, Offer, Request, Decline, Ack, Nak, Release, Inform };
const char* dhcp_type_name(DhcpType);

enum class DhcpFault : u8 { None, Truncated, BadOp, BadMagic, OptionsOverrun, BadOption, MissingOption };

inline constexpr u16 kDhcpServerPort = 67;
inline constexpr u16 kDhcpClientPort = 68;
inline constexpr usize kDhcpFixedSize = 240;  // BOOTP fields + magic cookie

struct DhcpReply {
    u32 xid = 0;
    MacAddress client_mac;
    Ipv4Address your_address;  // yiaddr
    DhcpType type = DhcpType::None;
    Ipv4Address server_id;     // option 54 (zero if absent)
    Ipv4Address netmask;       // option 1
    Ipv4Address router;        // option 3, the first one
    u32 lease_seconds = 0;     // option 51
    u32 t1_seconds = 0;        // option 58
    u32 t2_seconds = 0;        // option 59
    bool has_netmask = false;
    bool has_router = false;
    bool has_lease = false;
};

Result<DhcpReply> parse_dhcp_reply(ReadonlyBytes message, DhcpFault& fault);

struct DhcpRequestFields {
    DhcpType type = DhcpType::Discover;
    u32 xid = 0;
    MacAddress client_mac;
    Ipv4Address client_address;     // ciaddr: set when renewing/rebinding
    Ipv4Address requested_address;  // option 50, if not zero
    Ipv4Address server_id;          // option 54, if not zero
};

// Writes a client message into `out` (at least kDhcpMinimumSize bytes);
// returns its length.
inline constexpr usize kDhcpMinimumSize = 300;  // the BOOTP minimum (RFC 1542 3.4)
usize build_dhcp_request(Bytes out, const DhcpRequestFields& fields);

}  // namespace mote
