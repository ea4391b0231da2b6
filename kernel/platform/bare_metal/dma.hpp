// DMA on QEMU virt: coherent, no IOMMU, bus address = physical address.
// Ring memory comes from the page allocator; buffers may be anywhere in RAM
// the kernel reaches (the direct map) or in the kernel image (its .bss),
// which is mapped at a fixed offset.
#pragma once

#include "dev/virtio/dma.hpp"
#include "mm/page_allocator.hpp"
#include "platform/bare_metal/memory_map.hpp"

namespace mote {

class BareMetalDma final : public virtio::DmaSpace {
public:
    void init(PageAllocator& pages, const MemoryMap& memory) {
        m_pages = &pages;
        m_memory = &memory;
    }

    Result<virtio::DmaRegion> allocate(usize bytes) override;
    void free(const virtio::DmaRegion& region) override;
    Result<virtio::BusAddr> bus_address(const void* virt) override;

    u64 bytes_allocated() const { return m_bytes; }

private:
    bool in_ram(u64 phys) const;

    PageAllocator* m_pages = nullptr;
    const MemoryMap* m_memory = nullptr;
    u64 m_bytes = 0;
};

}  // namespace mote
