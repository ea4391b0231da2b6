// virtio over PCI, modern interface (virtio 1.2, 4.1): the device's
// registers are found through vendor-specific capabilities (4.1.4) that
// point into its memory BARs:
//
//   common configuration (4.1.4.3)  features, status, queue set-up
//   notifications (4.1.4.4)         doorbells at queue_notify_off * multiplier
//   ISR status (4.1.4.5)            read to learn and clear the INTx cause
//   device configuration (4.1.4.6)  the device-specific fields
//
// Legacy (I/O BAR) access is not implemented: negotiation requires
// VERSION_1. Interrupts are INTx, routed by the host bridge's
// interrupt-map; MSI-X stays disabled.
#pragma once

#include "dev/pci/pci_host.hpp"
#include "dev/virtio/transport.hpp"

namespace mote::virtio {

class PciTransport final : public Transport {
public:
    static constexpr u16 kVendor = 0x1af4;
    static constexpr u16 kMaxQueues = 4;

    // The virtio device ID of a PCI function (4.1.2.1), or 0 if it is not a
    // virtio device.
    static u32 virtio_id(const pci::Function& f);

    // Walks the capability list of `f` (BARs already assigned), maps the
    // BARs the capabilities use with `map`, and checks every structure lies
    // inside its BAR. Unsupported if a required capability is missing.
    Result<void> probe(pci::PciHost& host, const pci::Function& f, pci::MapFn map);

    StringView kind() const override { return "pci"; }
    bool legacy() const override { return false; }
    u32 device_id() const override { return m_device_id; }
    u64 location() const override { return m_location; }

    Result<void> reset() override;
    u8 status() override;
    void set_status(u8 status) override;
    u64 device_features() override;
    void set_driver_features(u64 features) override;
    u16 max_queue_size(u16 index) override;
    Result<void> enable_queue(u16 index, u16 size, const QueueAddresses& where) override;
    void notify(u16 index) override;
    u32 take_interrupt() override;
    Result<u8> config8(u32 offset) override;
    Result<u16> config16(u32 offset) override;
    Result<u32> config32(u32 offset) override;
    u32 config_generation() override;

private:
    struct Region {
        volatile u8* base = nullptr;
        u32 length = 0;
    };
    template <typename T>
    T common(u32 offset) const {
        return *reinterpret_cast<volatile T*>(m_common.base + offset);
    }
    template <typename T>
    void set_common(u32 offset, T value) {
        *reinterpret_cast<volatile T*>(m_common.base + offset) = value;
    }
    Result<volatile u8*> device_at(u32 offset, u32 width);

    Region m_common, m_notify, m_isr, m_device;
    u32 m_notify_multiplier = 0;
    volatile u8* m_doorbell[kMaxQueues] {};
    u32 m_device_id = 0;
    u64 m_location = 0;
};

}  // namespace mote::virtio
