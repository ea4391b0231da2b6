// The network stack's state as text, line by line: addresses, routes, the
// DHCP lease, the ARP cache, the device and its drops, buffer pools and
// every layer's counters. sys/net (the `net` program) prints it.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"

namespace mote {

class NetStack;
using NetReportSink = void (*)(StringView line, void* context);

// NotFound if the stack has no device.
Result<void> write_net_report(NetStack& net, NetReportSink sink, void* context);

}  // namespace mote
