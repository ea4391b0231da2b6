#include "dev/virtio/transport.hpp"

#include "dev/virtio/virtio.hpp"

namespace mote::virtio {

const char* device_id_name(u32 id) {
    switch (DeviceId(id)) {
    case DeviceId::None: return "empty";
    case DeviceId::Net: return "net";
    case DeviceId::Block: return "blk";
    case DeviceId::Console: return "console";
    case DeviceId::Entropy: return "rng";
    }
    return "unknown";
}

Result<u64> Transport::config64(u32 offset) {
    // 2.5.1: a field wider than 32 bits may change between the two reads;
    // the generation counter says whether it did. A device that keeps
    // changing it is not believed forever.
    for (int attempt = 0; attempt < 8; ++attempt) {
        u32 before = config_generation();
        u32 low = TRY(config32(offset));
        u32 high = TRY(config32(offset + 4));
        if (config_generation() == before) return (u64(high) << 32) | low;
    }
    return Error::Io;
}

}  // namespace mote::virtio
