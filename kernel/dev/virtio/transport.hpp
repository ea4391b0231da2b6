// How a virtio driver reaches its device, whatever the bus: the transport.
//
// virtio 1.2 separates the device (5: what a block or network device does)
// from the transport that carries its registers (4.1 PCI, 4.2 MMIO). Drivers
// are written against this interface only; virtio-mmio (legacy and modern
// register layouts) and virtio-pci (modern, capability based) implement it.
//
// Everything a transport reads from the device is a device's claim. The
// transport checks what it can (magic, version, sizes); the drivers check
// the rest.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"
#include "dev/virtio/dma.hpp"

namespace mote::virtio {

// Where a split virtqueue's three parts are, as bus addresses.
struct QueueAddresses {
    BusAddr descriptors = 0;
    BusAddr driver = 0;  // the available ring
    BusAddr device = 0;  // the used ring
};

class Transport {
public:
    // "mmio v2", "mmio v1 (legacy)", "pci"
    virtual StringView kind() const = 0;
    // Legacy devices use the pre-1.0 queue layout and never FEATURES_OK.
    virtual bool legacy() const = 0;
    virtual u32 device_id() const = 0;
    // Where the registers are (for `devices`): a physical address.
    virtual u64 location() const = 0;

    // 2.4: writing 0 resets the device; reading it back 0 confirms. Timeout
    // if it does not read back 0 within kResetPolls reads: the device may
    // then still use the driver's memory, and the caller must say so.
    static constexpr u32 kResetPolls = 100000;
    virtual Result<void> reset() = 0;
    virtual u8 status() = 0;
    virtual void set_status(u8 status) = 0;

    // 2.2: 64 feature bits, read and written in two 32-bit halves.
    virtual u64 device_features() = 0;
    virtual void set_driver_features(u64 features) = 0;

    // The largest size the device allows for queue `index`; 0: no such queue.
    virtual u16 max_queue_size(u16 index) = 0;
    // Gives queue `index` its memory and size, and enables it. For legacy
    // devices the three parts must be laid out as 2.7.2's legacy note says
    // (used ring on the next 4 KiB boundary); Virtqueue always does that.
    virtual Result<void> enable_queue(u16 index, u16 size, const QueueAddresses& where) = 0;
    virtual void notify(u16 index) = 0;

    // Reads and acknowledges the interrupt cause (kIsrQueue | kIsrConfig).
    virtual u32 take_interrupt() = 0;

    // Device-specific configuration (2.5), little-endian, at `offset`.
    // Reads outside the transport's config window return OutOfRange.
    virtual Result<u8> config8(u32 offset) = 0;
    virtual Result<u16> config16(u32 offset) = 0;
    virtual Result<u32> config32(u32 offset) = 0;
    // 64-bit fields are read as two halves, retried while the device's
    // configuration generation changes (2.5.1).
    Result<u64> config64(u32 offset);
    virtual u32 config_generation() = 0;

protected:
    ~Transport() = default;
};

}  // namespace mote::virtio
