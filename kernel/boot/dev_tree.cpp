#include "boot/dev_tree.hpp"

namespace mote {

#if MOTE_HAVE_DRIVERS
DevTree::DevTree(BlockRegistry& blocks, PageAllocator& pages) {
    m_root.add(m_null_node);
    m_root.add(m_zero_node);
    m_root.add(m_random_node);
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
#else
DevTree::DevTree() {
    m_root.add(m_null_node);
    m_root.add(m_zero_node);
    m_root.add(m_random_node);
}

DevTree::~DevTree() {
    while (m_root.remove_first()) {}
}
#endif

}  // namespace mote
