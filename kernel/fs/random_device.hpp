// dev/random: reads give bytes from the kernel CSPRNG (crypto/csprng.hpp),
// never from a device directly: device entropy only seeds the generator.
// Until enough entropy is credited a read fails with WouldBlock rather than
// hand out guessable bytes; writes are refused (ReadOnly), since bytes a
// program writes must not be credited as entropy.
#pragma once

#include "fs/sys_node.hpp"
#include "proc/kernel_object.hpp"

namespace mote {

class RandomDevice final : public KernelObject {
public:
    // One read gives at most this many bytes (a short read, as on Linux).
    static constexpr u64 kMaxRead = 64 * 1024;

    RandomDevice() : KernelObject(ObjectType::Device) {
        retain();  // the kernel's own: it lives as long as the kernel
    }

    Result<Outcome> read(IoArgs& io) override;
    Result<Outcome> write(IoArgs& io) override;
    Result<void> stat(abi::Stat& stat) override;
    u32 poll_ready(u32 events) override;
};

}  // namespace mote
