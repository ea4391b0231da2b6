// An IPv4 address and UDP port.
#pragma once

#include "net/ipv4_address.hpp"

namespace mote {

struct UdpEndpoint {
    Ipv4Address address;
    u16 port = 0;

    constexpr bool operator==(const UdpEndpoint&) const = default;
};

}  // namespace mote
