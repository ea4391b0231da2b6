// virtio-blk (virtio 1.2, 5.2): the BlockDevice on QEMU virt.
//
// One request queue. Each BlockRequest becomes one descriptor chain:
//
//   header (device reads: type, sector)  data segments  status (device writes)
//
// The header and status byte live in a DMA slot indexed by the chain's head
// descriptor, so they need no allocation per request. Data is scatter-
// gathered (DmaSpace::translate) into at most m_max_segments pieces
// (bounded by the device's seg_max). As many requests are in flight as the
// queue's descriptors allow; the rest wait in FIFO order (provider_node)
// and start as chains come back. Notifications are batched: submissions in
// one loop turn share one doorbell write (a Deferred).
//
// The `sector` field is always in 512-byte units (5.2.6), so the block layer
// sees 512-byte sectors whatever blk_size says; capacity, seg_max, size_max,
// blk_size and the read-only flag come from the configuration (5.2.4).
// get-id (VIRTIO_BLK_T_GET_ID) is issued once at attach; the answer is the
// model string.
//
// The polled write (BlockDevice::write_polled, the crash dump's) has its
// own DMA buffer and three descriptors that normal requests never take, so
// it finds room in the queue however busy the disk was; it publishes its
// chain, rings the doorbell and spins on the used ring. It refuses to run
// if the crash came from inside this driver (m_inside), whose queue state
// may then be half updated.
#pragma once

#include "core/deferred.hpp"
#include "dev/block_device.hpp"
#include "dev/virtio/device.hpp"

namespace mote::virtio {

class VirtioBlk final : public Device, public BlockDevice {
public:
    static constexpr u16 kQueueSize = 256;
    static constexpr usize kMaxDataSegments = 64;
    static constexpr u32 kSectorSize = 512;

    VirtioBlk(Transport& transport, DmaSpace& dma, Loop& loop);

    Result<void> attach();

    // Device
    StringView driver_name() const override { return "virtio-blk"; }
    StringView instance_name() const override { return BlockDevice::name(); }
    void describe_counters(LineOut& line) const override;
    bool has_work() const override { return !m_failed && m_queue.has_used(); }
    // BlockDevice
    StringView model() const override { return m_model.view(); }
    void cancel_request(Request& request) override;

    StringView serial() const { return m_serial.view(); }
    u64 notifications() const { return m_notifications; }

private:
    struct Slot {
        u32 type;
        u32 reserved;
        u64 sector;
        u8 status;
        u8 padding[7];
    };
    static_assert(sizeof(Slot) == 24);

    void start(BlockRequest& request) override;
    void service(u32 cause) override;
    void fail_pending() override;
    Result<void> prepare_polled(u32 sectors) override;
    Result<void> perform_polled(u64 lba, ReadonlyBytes data) override;
    // One chain (header, data if any, status) through the reserved
    // descriptors, waited for by spinning.
    Result<void> polled_chain(u32 type, u64 lba, usize bytes);

    // Marks the driver's own code on the stack (see m_inside).
    struct Inside {
        explicit Inside(VirtioBlk& blk) : m_blk(blk) { ++m_blk.m_inside; }
        ~Inside() { --m_blk.m_inside; }
        Inside(const Inside&) = delete;
        Inside& operator=(const Inside&) = delete;
        VirtioBlk& m_blk;
    };

    // Builds and submits the chain; Busy if the queue is short of
    // descriptors (the request then waits), other errors fail it.
    Result<void> issue(BlockRequest& request);
    void start_waiting();
    void on_used(void* token, u32 written, u16 head);
    void schedule_kick();
    void request_id();

    Virtqueue m_queue;
    DmaRegion m_slots;  // one Slot per descriptor, indexed by head
    DmaRegion m_id_buffer;
    RequestQueue m_waiting;
    Deferred m_kick;
    usize m_max_segments = kMaxDataSegments;
    u32 m_size_max = 0;
    u32 m_block_size = kSectorSize;
    bool m_has_flush = false;
    u64 m_notifications = 0;
    u64 m_device_errors = 0;
    bool m_id_in_flight = false;  // get-id, at attach; its token is `this`
    // The polled write's: a Slot then the data, and the descriptors normal
    // requests leave for it (a chain of header, data, status).
    static constexpr u16 kPolledDescriptors = 3;
    DmaRegion m_polled;
    u32 m_inside = 0;  // > 0 while the driver's code runs
    FixedString<24> m_serial;
    FixedString<64> m_model;
};

}  // namespace mote::virtio
