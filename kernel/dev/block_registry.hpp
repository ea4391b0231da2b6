// The block layer's registry: devices by name (vda, vdb, ...), in the order
// they were found.
#pragma once

#include "dev/block_device.hpp"

namespace mote {

class BlockRegistry {
public:
    static constexpr usize kMaxDevices = 8;

    // Names the device vda, vdb, ... and keeps it. NoMemory when full.
    Result<void> add(BlockDevice& device);
    Result<BlockDevice*> find(StringView name) const;
    BlockDevice* first() const { return m_count ? m_devices[0] : nullptr; }
    usize count() const { return m_count; }
    BlockDevice& at(usize i) const {
        VERIFY(i < m_count);
        return *m_devices[i];
    }

private:
    BlockDevice* m_devices[kMaxDevices] {};
    usize m_count = 0;
};

}  // namespace mote
