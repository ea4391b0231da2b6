// DevTree: the devices as files under dev/ in every program's root:
// dev/null, dev/zero and dev/random, and (images with drivers) each block device
// (dev/vda, dev/vdb, ...) as a BlockFile read and written at sector-aligned
// offsets.
#pragma once

#include "base/config.hpp"
#include "fs/null_device.hpp"
#include "fs/random_device.hpp"
#include "fs/sys_node.hpp"
#if MOTE_HAVE_DRIVERS
#include "dev/block_registry.hpp"
#include "fs/block_file.hpp"
#endif

namespace mote {

class DevTree {
public:
#if MOTE_HAVE_DRIVERS
    DevTree(BlockRegistry& blocks, PageAllocator& pages);
    ~DevTree();
#else
    DevTree();
    ~DevTree();
#endif
    fs::SysDirectory& root() { return m_root; }

private:
#if MOTE_HAVE_DRIVERS
    static constexpr usize kMax = BlockRegistry::kMaxDevices;
    alignas(BlockFile) u8 m_file_storage[kMax][sizeof(BlockFile)];
    alignas(fs::BlockNode) u8 m_node_storage[kMax][sizeof(fs::BlockNode)];
    usize m_count = 0;
#endif
    NullDevice m_null {NullDevice::Kind::Null};
    NullDevice m_zero {NullDevice::Kind::Zero};
    fs::DeviceNode m_null_node {"null", m_null, (u64(2) << 32) + 2};
    fs::DeviceNode m_zero_node {"zero", m_zero, (u64(2) << 32) + 3};
    RandomDevice m_random;
    fs::DeviceNode m_random_node {"random", m_random, (u64(2) << 32) + 4};
    fs::SysDirectory m_root {"dev"};
};

}  // namespace mote
