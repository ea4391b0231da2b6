// Where the kernel's random bytes come from. The hosted build reads the host
// kernel's getrandom(2); bare metal will serve a ChaCha20 CSPRNG seeded from
// virtio-rng (kernel/crypto/).
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"

namespace mote {

class RandomSource {
public:
    // Fills `out` entirely, or fails (Error::WouldBlock before seeding).
    virtual Result<void> fill(Bytes out) = 0;
    virtual StringView describe() const = 0;

protected:
    ~RandomSource() = default;
};

}  // namespace mote
