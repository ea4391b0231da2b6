// The network stack's state as text, line by line: addresses, routes, the
// DHCP lease, the ARP cache, the device and its drops, buffer pools and
// every layer's counters. The kernel shell's `net` and sys/net print it.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"

namespace mote {

class NetStack;
using NetReportSink = void (*)(StringView line, void* context);

// NotFound if the stack has no device.
Result<void> write_net_report(NetStack& net, NetReportSink sink, void* context);

}  // namespace mote
