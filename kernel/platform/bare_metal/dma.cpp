#include "platform/bare_metal/dma.hpp"

#include "arch/arch.hpp"
#include "base/memory.hpp"

namespace mote {

Result<virtio::DmaRegion> BareMetalDma::allocate(usize bytes) {
    if (!m_pages || bytes == 0) return Error::InvalidArgument;
    usize pages = (bytes + kPageSize - 1) / kPageSize;
    PhysAddr phys = TRY(m_pages->allocate_pages(pages));
    auto* virt = static_cast<u8*>(m_pages->to_virtual(phys));
    mem_set(virt, 0, pages * kPageSize);
    m_bytes += pages * kPageSize;
    return virtio::DmaRegion {virt, phys, pages * kPageSize};
}

void BareMetalDma::free(const virtio::DmaRegion& region) {
    usize pages = region.size / kPageSize;
    m_pages->free_pages(region.bus, pages);
    m_bytes -= region.size;
}

bool BareMetalDma::in_ram(u64 phys) const {
    for (const PhysRange& r : m_memory->ram())
        if (phys >= r.base && phys - r.base < r.size) return true;
    return false;
}

Result<virtio::BusAddr> BareMetalDma::bus_address(const void* virt) {
    const arch::BootLayout& l = Arch::boot_layout();
    uptr v = reinterpret_cast<uptr>(virt);
    // The kernel image: linked at text_start, loaded at kernel_phys, one
    // fixed offset for all of it (the linker scripts put text first).
    u64 image_size = l.kernel_phys_end - l.kernel_phys;
    if (v >= l.text_start && v - l.text_start < image_size) return l.kernel_phys + (v - l.text_start);
    // The direct map of RAM.
    u64 phys = u64(v) - l.direct_map_offset;
    if (v >= l.direct_map_offset && in_ram(phys)) return phys;
    return Error::InvalidArgument;
}

}  // namespace mote
