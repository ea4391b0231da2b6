#include "dev/virtio/pci_transport.hpp"

#include "base/checked.hpp"
#include "dev/virtio/barrier.hpp"

namespace mote::virtio {

namespace {
// 4.1.4 Virtio Structure PCI Capabilities.
constexpr u8 kCapVendor = 0x09;
constexpr u8 kCapCommon = 1;
constexpr u8 kCapNotify = 2;
constexpr u8 kCapIsr = 3;
constexpr u8 kCapDevice = 4;

// 4.1.4.3 struct virtio_pci_common_cfg.
constexpr u32 kDeviceFeatureSelect = 0x00;
constexpr u32 kDeviceFeature = 0x04;
constexpr u32 kDriverFeatureSelect = 0x08;
constexpr u32 kDriverFeature = 0x0c;
constexpr u32 kNumQueues = 0x12;
constexpr u32 kDeviceStatus = 0x14;
constexpr u32 kConfigGeneration = 0x15;
constexpr u32 kQueueSelect = 0x16;
constexpr u32 kQueueSize = 0x18;
constexpr u32 kQueueEnable = 0x1c;
constexpr u32 kQueueNotifyOff = 0x1e;
constexpr u32 kQueueDesc = 0x20;
constexpr u32 kQueueDriver = 0x28;
constexpr u32 kQueueDevice = 0x30;
constexpr u32 kCommonLength = 0x38;

// 4.1.2.1: modern devices are 0x1040 + ID; transitional ones 0x1000..0x103f
// carry the ID in the subsystem device ID.
constexpr u16 kModernBase = 0x1040;
}  // namespace

u32 PciTransport::virtio_id(const pci::Function& f) {
    if (f.vendor != kVendor) return 0;
    if (f.device_id >= kModernBase && f.device_id <= kModernBase + 0x3f) return f.device_id - kModernBase;
    if (f.device_id >= 0x1000 && f.device_id <= 0x103f) return f.subsystem_id;
    return 0;
}

Result<void> PciTransport::probe(pci::PciHost& host, const pci::Function& f, pci::MapFn map) {
    m_device_id = virtio_id(f);
    if (!m_device_id) return Error::Unsupported;
    if (!(TRY(host.read16(f, pci::kStatus)) & pci::kStatusCapabilities)) return Error::Unsupported;
    volatile u8* mapped[6] {};
    u8 at = TRY(host.read8(f, pci::kCapabilities)) & 0xfc;
    // A capability list is a linked list in device memory: bound the walk.
    // It lies in the first 256 bytes (PCI 6.7), which every configuration
    // mechanism reaches; a capability running past them is OutOfRange.
    for (int guard = 0; at >= 0x40 && guard < 48; ++guard) {
        u8 id = TRY(host.read8(f, at));
        u8 next = TRY(host.read8(f, at + 1)) & 0xfc;
        if (id == kCapVendor) {
            u8 cap_len = TRY(host.read8(f, at + 2));
            u8 type = TRY(host.read8(f, at + 3));
            u8 bar = TRY(host.read8(f, at + 4));
            u32 offset = TRY(host.read32(f, at + 8));
            u32 length = TRY(host.read32(f, at + 12));
            bool wanted = type == kCapCommon || type == kCapNotify || type == kCapIsr || type == kCapDevice;
            // 4.1.4.1: ignore capabilities of unknown type or with a reserved BAR.
            if (wanted && bar < 6 && cap_len >= 16) {
                const pci::Bar& b = f.bars[bar];
                if (!b.cpu || b.io) return Error::Malformed;
                TRY(check_range<u64>(offset, length, b.size));
                if (!mapped[bar]) mapped[bar] = TRY(map(b.cpu, b.size));
                Region region {mapped[bar] + offset, length};
                // The first capability of each type is the one to use (4.1.4.1).
                if (type == kCapCommon && !m_common.base) m_common = region;
                if (type == kCapIsr && !m_isr.base) m_isr = region;
                if (type == kCapDevice && !m_device.base) m_device = region;
                if (type == kCapNotify && !m_notify.base && cap_len >= 20) {
                    m_notify = region;
                    m_notify_multiplier = TRY(host.read32(f, at + 16));
                }
                if (!m_location && type == kCapCommon) m_location = b.cpu + offset;
            }
        }
        at = next;
    }
    if (!m_common.base || !m_notify.base || !m_isr.base) return Error::Unsupported;
    if (m_common.length < kCommonLength || m_isr.length < 1) return Error::Malformed;
    return {};
}

Result<void> PciTransport::reset() {
    set_common<u8>(kDeviceStatus, 0);
    // 4.1.4.3.2: the reset is complete when status reads back 0.
    for (u32 i = 0; i < kResetPolls; ++i) {
        if (common<u8>(kDeviceStatus) == 0) return {};
        io_mb();
    }
    return Error::Timeout;
}

u8 PciTransport::status() { return common<u8>(kDeviceStatus); }
void PciTransport::set_status(u8 status) { set_common<u8>(kDeviceStatus, status); }

u64 PciTransport::device_features() {
    set_common<u32>(kDeviceFeatureSelect, 0);
    u64 low = common<u32>(kDeviceFeature);
    set_common<u32>(kDeviceFeatureSelect, 1);
    u64 high = common<u32>(kDeviceFeature);
    return low | (high << 32);
}

void PciTransport::set_driver_features(u64 features) {
    set_common<u32>(kDriverFeatureSelect, 0);
    set_common<u32>(kDriverFeature, u32(features));
    set_common<u32>(kDriverFeatureSelect, 1);
    set_common<u32>(kDriverFeature, u32(features >> 32));
}

u16 PciTransport::max_queue_size(u16 index) {
    if (index >= kMaxQueues || index >= common<u16>(kNumQueues)) return 0;
    set_common<u16>(kQueueSelect, index);
    return common<u16>(kQueueSize);
}

Result<void> PciTransport::enable_queue(u16 index, u16 size, const QueueAddresses& where) {
    if (index >= kMaxQueues) return Error::OutOfRange;
    set_common<u16>(kQueueSelect, index);
    if (common<u16>(kQueueEnable) != 0) return Error::BadState;
    // 4.1.4.4: the doorbell is at notify_off * multiplier in the notify
    // structure; it must lie inside it.
    u64 doorbell = u64(common<u16>(kQueueNotifyOff)) * m_notify_multiplier;
    TRY(check_range<u64>(doorbell, 2, m_notify.length));
    m_doorbell[index] = m_notify.base + doorbell;
    set_common<u16>(kQueueSize, size);
    set_common<u32>(kQueueDesc, u32(where.descriptors));
    set_common<u32>(kQueueDesc + 4, u32(where.descriptors >> 32));
    set_common<u32>(kQueueDriver, u32(where.driver));
    set_common<u32>(kQueueDriver + 4, u32(where.driver >> 32));
    set_common<u32>(kQueueDevice, u32(where.device));
    set_common<u32>(kQueueDevice + 4, u32(where.device >> 32));
    set_common<u16>(kQueueEnable, 1);
    return {};
}

void PciTransport::notify(u16 index) {
    if (index < kMaxQueues && m_doorbell[index]) *reinterpret_cast<volatile u16*>(m_doorbell[index]) = index;
}

u32 PciTransport::take_interrupt() {
    // 4.1.4.5: reading the ISR status clears it and de-asserts INTx.
    return *m_isr.base;
}

Result<volatile u8*> PciTransport::device_at(u32 offset, u32 width) {
    if (!m_device.base) return Error::OutOfRange;
    TRY(check_range<u64>(offset, width, m_device.length));
    return m_device.base + offset;
}

Result<u8> PciTransport::config8(u32 offset) { return u8(*TRY(device_at(offset, 1))); }
Result<u16> PciTransport::config16(u32 offset) {
    return u16(*reinterpret_cast<volatile u16*>(TRY(device_at(offset, 2))));
}
Result<u32> PciTransport::config32(u32 offset) {
    return u32(*reinterpret_cast<volatile u32*>(TRY(device_at(offset, 4))));
}
u32 PciTransport::config_generation() { return common<u8>(kConfigGeneration); }

}  // namespace mote::virtio
