// DevTree: the devices as files under dev/ in every program's root: each
// block device (dev/vda, dev/vdb, ...) as a BlockFile read and written at
// sector-aligned offsets. Only in images with drivers.
#pragma once

#include "base/config.hpp"
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
    DevTree() = default;
#endif
    fs::SysDirectory& root() { return m_root; }

private:
#if MOTE_HAVE_DRIVERS
    static constexpr usize kMax = BlockRegistry::kMaxDevices;
    alignas(BlockFile) u8 m_file_storage[kMax][sizeof(BlockFile)];
    alignas(fs::BlockNode) u8 m_node_storage[kMax][sizeof(fs::BlockNode)];
    usize m_count = 0;
#endif
    fs::SysDirectory m_root {"dev"};
};

}  // namespace mote
