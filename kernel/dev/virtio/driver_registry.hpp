// The virtio driver registry: which driver takes a device, by its virtio
// device ID (5), whatever transport found it; and the table of every
// virtio device that was bound, for `devices`.
//
// Drivers and their state are created once, at attach time, from the page
// allocator (create_object); nothing here allocates afterwards.
#pragma once

#include "base/result.hpp"
#include "core/loop.hpp"
#include "crypto/entropy_pool.hpp"
#include "dev/block_registry.hpp"
#include "dev/net_device.hpp"
#include "dev/virtio/device.hpp"
#include "mm/page_allocator.hpp"

namespace mote::virtio {

// What the drivers hand their devices to.
struct Services {
    Loop& loop;
    DmaSpace& dma;
    PageAllocator& pages;
    BlockRegistry& blocks;
    EntropyPool& entropy;
    // Hands a network device to whoever runs the network (the kernel's stack).
    void (*net_attached)(NetDevice& device, void* context) = nullptr;
    void* net_context = nullptr;
};

// A T built in fresh whole pages from the page allocator; never freed.
template <typename T, typename... Args>
Result<T*> create_object(PageAllocator& pages, Args&&... args) {
    usize count = (sizeof(T) + kPageSize - 1) / kPageSize;
    PhysAddr phys = TRY(pages.allocate_pages(count));
    return new (pages.to_virtual(phys)) T(forward<Args>(args)...);
}

struct DriverEntry {
    u32 device_id;
    StringView name;
    Result<Device*> (*attach)(Transport& transport, const Services& services);
};

// The table: rng, blk (and net, with the network device interface).
Span<const DriverEntry> drivers();

// Finds the driver for `transport`'s device ID and attaches it. NotFound if
// no driver takes that ID; an attach failure is logged and returned, and
// the device is left reset and FAILED.
Result<Device*> bind_driver(Transport& transport, const Services& services);

class DeviceTable {
public:
    static constexpr usize kMax = 16;

    Result<void> add(Device& device);
    usize count() const { return m_count; }
    Device& at(usize i) const {
        VERIFY(i < m_count);
        return *m_devices[i];
    }

private:
    Device* m_devices[kMax] {};
    usize m_count = 0;
};

DeviceTable& virtio_devices();

// One line per bound device: driver, instance, transport, address, irq,
// interrupts and the driver's counters.
void write_device_lines(void (*sink)(StringView line, void* context), void* context);

}  // namespace mote::virtio
