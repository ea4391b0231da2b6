// NetCapability: the network as a handle (abi::kNetCap). Holding it with
// kRightWrite is what lets a program make sockets (abi::Sys::Socket); it
// names no address or port, so the capability is all or nothing, and
// init's etc/caps says who gets it. One exists per socket table, for the
// kernel's lifetime.
#pragma once

#include "proc/kernel_object.hpp"

namespace mote {

class NetCapability final : public KernelObject {
public:
    NetCapability() : KernelObject(ObjectType::Network) {}

    Result<void> stat(abi::Stat& stat) override {
        stat = {};
        stat.type = u32(abi::NodeType::Network);
        stat.inode = id();
        return {};
    }
};

}  // namespace mote
