// virtio over MMIO (virtio 1.2, 4.2): one register block per device, as
// the devicetree's `virtio,mmio` nodes describe them.
//
// Both register layouts exist in the wild and QEMU serves either
// (`-global virtio-mmio.force-legacy=true|false`):
//   * Version 2 (4.2.2), modern: 64-bit queue addresses in three parts,
//     QueueReady, FEATURES_OK negotiation.
//   * Version 1 (4.2.4), legacy: GuestPageSize, one QueuePFN for a
//     contiguous queue, QueueAlign; no FEATURES_OK.
// probe() reads the magic, version and device ID; an empty slot (device ID
// 0, 4.2.3.1.1) is reported as such so the caller can skip it quietly.
#pragma once

#include "dev/virtio/transport.hpp"

namespace mote::virtio {

class MmioTransport final : public Transport {
public:
    static constexpr u32 kMagic = 0x74726976;  // "virt", little-endian
    static constexpr usize kMinWindow = 0x100;

    // `registers`: the mapped block; `size`: its length from `reg`;
    // `phys`: its physical address (for `devices`). Malformed for a wrong
    // magic or an unknown version, Unsupported for a window too small.
    Result<void> probe(volatile u8* registers, usize size, u64 phys);

    StringView kind() const override { return m_version == 1 ? "mmio v1 (legacy)" : "mmio v2"; }
    bool legacy() const override { return m_version == 1; }
    u32 device_id() const override { return m_device_id; }
    u64 location() const override { return m_phys; }
    u32 version() const { return m_version; }

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
    u32 read(u32 offset) const { return *reinterpret_cast<volatile u32*>(m_base + offset); }
    void write(u32 offset, u32 value) { *reinterpret_cast<volatile u32*>(m_base + offset) = value; }
    Result<volatile u8*> config_at(u32 offset, u32 width);

    volatile u8* m_base = nullptr;
    usize m_size = 0;
    u64 m_phys = 0;
    u32 m_version = 0;
    u32 m_device_id = 0;
};

}  // namespace mote::virtio
