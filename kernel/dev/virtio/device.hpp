// What every virtio driver shares: the initialisation handshake (virtio 1.2,
// 3.1.1), feature negotiation, queue set-up, and what happens when a device
// misbehaves.
//
// Life cycle:
//
//   attach: reset -> ACKNOWLEDGE -> DRIVER -> negotiate features
//           -> FEATURES_OK (modern only, read back) -> queues -> DRIVER_OK
//   running: interrupts arrive in loop context through on_interrupt()
//   disable(reason): one error line naming the device and the reason; the
//           device is reset (so it stops touching memory), marked FAILED,
//           and the driver fails everything it had in flight with
//           Error::Io. The kernel keeps running; the device stays dead.
//
// Feature negotiation (2.2, 6): the driver names what it implements; the
// device offers; we accept the intersection and nothing else. A modern
// transport must offer VERSION_1 (a device that does not is refused); a
// legacy transport only has the low 32 bits.
#pragma once

#include "base/format.hpp"
#include "base/result.hpp"
#include "core/loop.hpp"
#include "dev/virtio/dma.hpp"
#include "dev/virtio/transport.hpp"
#include "dev/virtio/virtqueue.hpp"

namespace mote::virtio {

using LineOut = FixedString<200>;

class Device {
public:
    Device(const Device&) = delete;
    Device& operator=(const Device&) = delete;

    // The driver's name ("virtio-blk") and the name of the device it
    // created, if any ("vda", "net0").
    virtual StringView driver_name() const = 0;
    virtual StringView instance_name() const { return {}; }
    // One line of counters for `devices`.
    virtual void describe_counters(LineOut& line) const = 0;

    // Loop context: the device's interrupt line fired (it may be shared).
    void on_interrupt();
    // Whether a used ring holds entries not yet handled: the interrupt
    // dispatcher checks after unmasking, so a completion whose interrupt was
    // swallowed while the line was masked is not left waiting.
    virtual bool has_work() const = 0;
    // After the controller line was unmasked: reads the cause again and
    // keeps it for the next on_interrupt. Returns whether the device needs
    // service. The read matters for level-triggered lines whose controller
    // only reacts to level changes (PCI INTx on QEMU): it clears the ISR, so
    // a cause raised while the line was masked cannot hold the line high
    // with nobody ever told.
    bool recheck();

    Transport& transport() const { return m_transport; }
    u64 features() const { return m_features; }
    bool failed() const { return m_failed; }
    u64 interrupts() const { return m_interrupts; }
    u32 irq() const { return m_irq; }
    void set_irq(u32 irq) { m_irq = irq; }

    // Stops the device for good (see above). Idempotent.
    void disable(StringView reason);

protected:
    Device(Transport& transport, DmaSpace& dma, Loop& loop) : m_transport(transport), m_dma(dma), m_event_loop(loop) {}
    ~Device() = default;

    // 3.1.1 steps 1-6. Returns the accepted features.
    Result<u64> negotiate(u64 implemented);
    // 3.1.1 step 7 for one queue: size min(device max, `wanted`), rounded
    // down to a power of two; memory from the DmaSpace.
    Result<void> setup_queue(Virtqueue& queue, u16 index, u16 wanted);
    // 3.1.1 step 8.
    void driver_ok();
    // Marks the device FAILED after an attach error (the caller logs why).
    void abort_attach();
    // Notifies the device about `queue` if it wants to be.
    void kick(Virtqueue& queue);
    // Checks a queue's used ring; on a fault, disables the device.
    template <typename F>
    bool reap(Virtqueue& queue, F&& done) {
        if (m_failed) return false;
        auto r = queue.reap(done);
        if (r.is_error()) {
            disable(queue.fault());
            return false;
        }
        return true;
    }

    // The driver's part of on_interrupt: look at its queues (kIsrQueue), or
    // at its configuration (kIsrConfig).
    virtual void service(u32 cause) = 0;
    // After disable() reset the device: complete everything pending with Io.
    virtual void fail_pending() = 0;

    Transport& m_transport;
    DmaSpace& m_dma;
    Loop& m_event_loop;
    u64 m_features = 0;
    bool m_failed = false;
    u64 m_interrupts = 0;
    u32 m_irq = 0;
    u32 m_pending_cause = 0;
};

}  // namespace mote::virtio
