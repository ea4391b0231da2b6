#include "dev/virtio/mmio_transport.hpp"

#include "dev/virtio/barrier.hpp"

namespace mote::virtio {

namespace {
// 4.2.2 MMIO Device Register Layout (legacy-only registers from 4.2.4).
enum Register : u32 {
    kMagicValue = 0x000,
    kVersion = 0x004,
    kDeviceId = 0x008,
    kVendorId = 0x00c,
    kDeviceFeatures = 0x010,
    kDeviceFeaturesSel = 0x014,
    kDriverFeatures = 0x020,
    kDriverFeaturesSel = 0x024,
    kGuestPageSize = 0x028,  // legacy
    kQueueSel = 0x030,
    kQueueNumMax = 0x034,
    kQueueNum = 0x038,
    kQueueAlign = 0x03c,  // legacy
    kQueuePfn = 0x040,    // legacy
    kQueueReady = 0x044,
    kQueueNotify = 0x050,
    kInterruptStatus = 0x060,
    kInterruptAck = 0x064,
    kStatus = 0x070,
    kQueueDescLow = 0x080,
    kQueueDescHigh = 0x084,
    kQueueDriverLow = 0x090,
    kQueueDriverHigh = 0x094,
    kQueueDeviceLow = 0x0a0,
    kQueueDeviceHigh = 0x0a4,
    kConfigGeneration = 0x0fc,
    kConfig = 0x100,
};
constexpr u32 kLegacyPageSize = 4096;
}  // namespace

Result<void> MmioTransport::probe(volatile u8* registers, usize size, u64 phys) {
    if (size < kMinWindow) return Error::Unsupported;
    m_base = registers;
    m_size = size;
    m_phys = phys;
    if (read(kMagicValue) != kMagic) return Error::Malformed;
    m_version = read(kVersion);
    if (m_version != 1 && m_version != 2) return Error::Malformed;
    m_device_id = read(kDeviceId);
    return {};
}

Result<void> MmioTransport::reset() {
    write(kStatus, 0);
    io_mb();
    // 4.2.2.1: the driver waits until Status reads back 0.
    for (u32 i = 0; i < kResetPolls; ++i) {
        if (read(kStatus) == 0) return {};
        io_mb();
    }
    return Error::Timeout;
}

u8 MmioTransport::status() { return u8(read(kStatus)); }

void MmioTransport::set_status(u8 status) { write(kStatus, status); }

u64 MmioTransport::device_features() {
    write(kDeviceFeaturesSel, 0);
    u64 low = read(kDeviceFeatures);
    write(kDeviceFeaturesSel, 1);
    u64 high = read(kDeviceFeatures);
    return low | (high << 32);
}

void MmioTransport::set_driver_features(u64 features) {
    write(kDriverFeaturesSel, 0);
    write(kDriverFeatures, u32(features));
    write(kDriverFeaturesSel, 1);
    write(kDriverFeatures, u32(features >> 32));
}

u16 MmioTransport::max_queue_size(u16 index) {
    write(kQueueSel, index);
    u32 max = read(kQueueNumMax);
    return max > 0xffff ? 0xffff : u16(max);
}

Result<void> MmioTransport::enable_queue(u16 index, u16 size, const QueueAddresses& where) {
    // 4.2.4: a legacy device multiplies QueuePFN by GuestPageSize, which the
    // driver sets before any queue.
    if (m_version == 1) write(kGuestPageSize, kLegacyPageSize);
    write(kQueueSel, index);
    if (m_version == 1) {
        // 4.2.4: the queue is one block at QueuePFN * GuestPageSize with the
        // used ring at the next QueueAlign boundary.
        if (where.descriptors % kLegacyPageSize || where.device - where.descriptors > 0xffff'ffffu ||
            (where.descriptors / kLegacyPageSize) >> 32)
            return Error::InvalidArgument;
        if (read(kQueuePfn) != 0) return Error::BadState;
        write(kQueueNum, size);
        write(kQueueAlign, kLegacyPageSize);
        write(kQueuePfn, u32(where.descriptors / kLegacyPageSize));
        return {};
    }
    if (read(kQueueReady) != 0) return Error::BadState;
    write(kQueueNum, size);
    write(kQueueDescLow, u32(where.descriptors));
    write(kQueueDescHigh, u32(where.descriptors >> 32));
    write(kQueueDriverLow, u32(where.driver));
    write(kQueueDriverHigh, u32(where.driver >> 32));
    write(kQueueDeviceLow, u32(where.device));
    write(kQueueDeviceHigh, u32(where.device >> 32));
    write(kQueueReady, 1);
    return {};
}

void MmioTransport::notify(u16 index) { write(kQueueNotify, index); }

u32 MmioTransport::take_interrupt() {
    u32 cause = read(kInterruptStatus);
    if (cause) write(kInterruptAck, cause);
    return cause;
}

Result<volatile u8*> MmioTransport::config_at(u32 offset, u32 width) {
    u64 end = u64(kConfig) + offset + width;
    if (end > m_size) return Error::OutOfRange;
    return m_base + kConfig + offset;
}

Result<u8> MmioTransport::config8(u32 offset) { return u8(*TRY(config_at(offset, 1))); }

Result<u16> MmioTransport::config16(u32 offset) {
    return u16(*reinterpret_cast<volatile u16*>(TRY(config_at(offset, 2))));
}

Result<u32> MmioTransport::config32(u32 offset) {
    return u32(*reinterpret_cast<volatile u32*>(TRY(config_at(offset, 4))));
}

u32 MmioTransport::config_generation() {
    // Legacy devices have no generation counter: reads are taken as atomic.
    return m_version == 1 ? 0 : read(kConfigGeneration);
}

}  // namespace mote::virtio
