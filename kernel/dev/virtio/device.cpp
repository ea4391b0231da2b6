#include "dev/virtio/device.hpp"

#include "core/log.hpp"
#include "dev/virtio/virtio.hpp"

namespace mote::virtio {

Result<u64> Device::negotiate(u64 implemented) {
    // 3.1.1: reset, then ACKNOWLEDGE ("found a device") and DRIVER ("we can
    // drive it").
    TRY(m_transport.reset());
    m_transport.set_status(kStatusAcknowledge);
    m_transport.set_status(kStatusAcknowledge | kStatusDriver);

    u64 offered = m_transport.device_features();
    u64 wanted = implemented;
    if (m_transport.legacy()) {
        wanted &= 0xffffffffu;  // 4.2.4: legacy devices have 32 feature bits
    } else {
        // 6: a modern transport talks to a VERSION_1 device, or not at all.
        if (!(offered & kFeatureVersion1)) {
            log_warn("virtio", "{} at {:#x}: device does not offer VERSION_1 on a modern transport",
                     m_transport.kind(), m_transport.location());
            return Error::Unsupported;
        }
        wanted |= kFeatureVersion1;
    }
    u64 accepted = offered & wanted;
    m_transport.set_driver_features(accepted);
    if (!m_transport.legacy()) {
        // 3.1.1 step 5-6: FEATURES_OK, then read it back: the device clears it
        // if it cannot work with this subset.
        m_transport.set_status(kStatusAcknowledge | kStatusDriver | kStatusFeaturesOk);
        if (!(m_transport.status() & kStatusFeaturesOk)) {
            log_warn("virtio", "{} at {:#x}: device refused features {:#x}", m_transport.kind(),
                     m_transport.location(), accepted);
            return Error::Unsupported;
        }
    }
    m_features = accepted;
    return accepted;
}

Result<void> Device::setup_queue(Virtqueue& queue, u16 index, u16 wanted) {
    u16 max = m_transport.max_queue_size(index);
    if (max == 0) return Error::NotFound;
    u16 size = min(max, min(wanted, Virtqueue::kMaxSize));
    // Split queues have power-of-two sizes (2.7); round down.
    while (size & (size - 1)) size &= u16(size - 1);
    DmaRegion memory = TRY(m_dma.allocate(Virtqueue::memory_size(size)));
    if (auto r = queue.init(index, size, memory); r.is_error()) {
        m_dma.free(memory);
        return r.error();
    }
    return m_transport.enable_queue(index, size, queue.addresses());
}

void Device::driver_ok() {
    u8 status = kStatusAcknowledge | kStatusDriver | kStatusDriverOk;
    if (!m_transport.legacy()) status |= kStatusFeaturesOk;
    m_transport.set_status(status);
}

void Device::abort_attach() {
    if (auto reset = m_transport.reset(); reset.is_error())
        log_error("virtio", "{} at {:#x}: the reset after a failed attach did not complete: {}", m_transport.kind(),
                  m_transport.location(), reset.error());
    m_transport.set_status(kStatusFailed);
    m_failed = true;
}

void Device::kick(Virtqueue& queue) {
    if (!m_failed && queue.should_notify()) m_transport.notify(queue.index());
}

void Device::on_interrupt() {
    ++m_interrupts;
    u32 cause = m_transport.take_interrupt() | m_pending_cause;
    m_pending_cause = 0;
    if (m_failed) return;
    if (!cause && !has_work()) return;  // a shared line: not ours
    if ((cause & kIsrConfig) && (m_transport.status() & kStatusNeedsReset)) {
        disable("device set DEVICE_NEEDS_RESET");
        return;
    }
    service(cause);
}

bool Device::recheck() {
    if (m_failed) return false;
    m_pending_cause |= m_transport.take_interrupt();
    return m_pending_cause || has_work();
}

void Device::disable(StringView reason) {
    if (m_failed) return;
    m_failed = true;
    log_error("virtio", "{} {} ({} at {:#x}) misbehaved: {}; device disabled", driver_name(), instance_name(),
              m_transport.kind(), m_transport.location(), reason);
    // Reset first: from then on the device no longer reads or writes our
    // memory, so the buffers can go back to their owners (2.4). A device
    // that does not confirm its reset is said to: its requests still end
    // (nothing else could end them), but it may yet write into them.
    if (auto reset = m_transport.reset(); reset.is_error())
        log_error("virtio", "{} {}: the reset did not complete ({}); it may still write to its buffers",
                  driver_name(), instance_name(), reset.error());
    m_transport.set_status(kStatusFailed);
    fail_pending();
}

}  // namespace mote::virtio
