#include "dev/block_registry.hpp"

#include "core/log.hpp"

namespace mote {

Result<void> BlockRegistry::add(BlockDevice& device) {
    if (m_count == kMaxDevices) return Error::NoMemory;
    char name[4] = {'v', 'd', char('a' + m_count), '\0'};
    device.set_name(name);
    m_devices[m_count++] = &device;
    const BlockInfo& info = device.info();
    log_info("blk", "{}: {}, {} sectors of {} bytes ({} KiB){}", device.name(), device.model(), info.sectors,
             info.sector_size, info.sectors * info.sector_size / 1024, info.read_only ? ", read-only" : "");
    return {};
}

Result<BlockDevice*> BlockRegistry::find(StringView name) const {
    for (usize i = 0; i < m_count; ++i)
        if (m_devices[i]->name() == name) return m_devices[i];
    return Error::NotFound;
}

}  // namespace mote
