// DMA memory for virtio: where the rings live, and how a kernel buffer is
// named to a device.
//
// Devices see physical (bus) addresses; the kernel sees virtual ones. A
// DmaSpace is the platform's answer to both questions: it hands out zeroed,
// page-aligned, physically contiguous memory for rings and per-request
// headers (at attach time only), and translates any kernel buffer into
// device-visible segments. A buffer that is contiguous in virtual memory
// need not be contiguous physically, so translate() splits it wherever the
// physical address jumps; that is the scatter-gather the drivers pass on.
//
// On QEMU virt DMA is cache-coherent and untranslated (no IOMMU), so the
// bus address is the physical address. In the hosted unit tests the
// "physical" address is the pointer itself.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"

namespace mote::virtio {

using BusAddr = u64;

struct DmaRegion {
    u8* virt = nullptr;
    BusAddr bus = 0;
    usize size = 0;
};

// One piece of a buffer as the device sees it.
struct DmaSegment {
    BusAddr bus = 0;
    u32 length = 0;
};

class DmaSpace {
public:
    static constexpr usize kPageSize = 4096;

    // Zeroed, page-aligned, physically contiguous; NoMemory when out.
    virtual Result<DmaRegion> allocate(usize bytes) = 0;
    virtual void free(const DmaRegion& region) = 0;
    // The bus address of the byte at `virt`; InvalidArgument if this memory
    // cannot be reached by a device (not RAM the platform knows). The page
    // that holds `virt` is contiguous; the next page may be elsewhere.
    virtual Result<BusAddr> bus_address(const void* virt) = 0;

    // Splits [data, data + length) into at most `max` segments, merging
    // pages that are physically adjacent. Returns the segment count;
    // Overflow if more than `max` would be needed.
    Result<usize> translate(const void* data, usize length, Span<DmaSegment> out);

protected:
    ~DmaSpace() = default;
};

}  // namespace mote::virtio
