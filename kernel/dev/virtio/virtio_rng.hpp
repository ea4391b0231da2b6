// virtio-rng (virtio 1.2, 5.4 Entropy Device): feeds the kernel entropy pool.
//
// One queue of device-writable buffers; whatever the device writes is
// random bytes. The driver keeps one buffer with the device until the pool
// holds a full seed's worth of credit, then asks again only every
// kRefillInterval, so the CSPRNG's credit-based reseeds keep happening
// without keeping the device busy.
//
// Credit: the device is a black box (on QEMU it reads the host's
// /dev/urandom, but a guest cannot know that), so each byte is credited
// half a byte of entropy: under-claiming, as the pool asks.
#pragma once

#include "core/timer.hpp"
#include "crypto/entropy_pool.hpp"
#include "dev/virtio/device.hpp"

namespace mote::virtio {

class VirtioRng final : public Device {
public:
    static constexpr usize kBufferBytes = 64;
    static constexpr Nanoseconds kRefillInterval = 10 * kSecond;

    VirtioRng(Transport& transport, DmaSpace& dma, Loop& loop, EntropyPool& pool);
    ~VirtioRng() = default;

    Result<void> attach();

    StringView driver_name() const override { return "virtio-rng"; }
    StringView instance_name() const override { return "rng0"; }
    void describe_counters(LineOut& line) const override;
    bool has_work() const override { return !m_failed && m_queue.has_used(); }

    u64 bytes_received() const { return m_bytes; }

private:
    void service(u32 cause) override;
    void fail_pending() override;
    void request();

    EntropyPool& m_pool;
    EntropySourceId m_source {};
    Virtqueue m_queue;
    DmaRegion m_buffer;
    Timer m_refill;
    bool m_in_flight = false;
    u64 m_bytes = 0;
    u64 m_requests = 0;
};

}  // namespace mote::virtio
