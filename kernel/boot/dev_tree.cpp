#include "boot/dev_tree.hpp"

#if MOTE_HAVE_DRIVERS
namespace mote {

DevTree::DevTree(BlockRegistry& blocks, PageAllocator& pages) {
    for (usize i = 0; i < blocks.count() && i < kMax; ++i) {
        BlockDevice& device = blocks.at(i);
        auto* file = new (m_file_storage[i]) BlockFile(device, pages);
        auto* node = new (m_node_storage[i]) fs::BlockNode(device.name(), *file);
        m_root.add(*node);
        ++m_count;
    }
}

DevTree::~DevTree() {
    while (m_root.remove_first()) {}
    for (usize i = 0; i < m_count; ++i) {
        reinterpret_cast<fs::BlockNode*>(m_node_storage[i])->~BlockNode();
        reinterpret_cast<BlockFile*>(m_file_storage[i])->~BlockFile();
    }
}

}  // namespace mote
#endif
