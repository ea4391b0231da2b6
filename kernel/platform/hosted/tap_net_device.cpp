#include "platform/hosted/tap_net_device.hpp"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "core/log.hpp"
#include "core/loop.hpp"

namespace mote {

TapNetDevice::~TapNetDevice() {
    // Held frames belong to the device; give them back before the pool goes.
    if (m_rx_held) m_rx_held->release();
    if (m_tx_held) m_tx_held->release();
    if (m_loop) m_loop->cancel(m_hold_timer);
    if (m_fd >= 0) close(m_fd);
}

Result<void> TapNetDevice::open(const char* interface, const ImpairmentConfig& faults, Loop& loop) {
    usize length = strlen(interface);
    if (length == 0 || length >= sizeof(m_interface)) return Error::InvalidArgument;
    int fd = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return errno == EACCES || errno == EPERM ? Error::AccessDenied : Error::NotFound;
    ifreq request {};
    // IFF_NO_PI: frames without the 4-byte packet-information prefix.
    request.ifr_flags = IFF_TAP | IFF_NO_PI;
    memcpy(request.ifr_name, interface, length);
    if (ioctl(fd, TUNSETIFF, &request) != 0) {
        Error e = errno == EPERM ? Error::AccessDenied : errno == EBUSY ? Error::Busy : Error::Io;
        close(fd);
        return e;
    }
    m_fd = fd;
    m_loop = &loop;
    memcpy(m_interface, request.ifr_name, strnlen(request.ifr_name, sizeof(m_interface) - 1));
    // A locally administered unicast address ("mote" in its middle bytes);
    // Linux gives the TAP interface a different, random one.
    m_mac = MacAddress {{0x02, 0x6d, 0x6f, 0x74, 0x65, 0x01}};
    m_rx_pool.init(Span<PacketBuffer>(m_rx_storage, kRxBuffers), "tap-rx");
    m_rx_faults.configure(faults, 1);
    m_tx_faults.configure(faults, 2);
    m_hold_timer.set_callback(on_hold_timeout, this);
    set_name("net0");
    if (faults.active())
        log_warn("tap", "{}: impaired link: {}.{}% loss, {}.{}% reordering each way, seed {}", interface,
                 faults.loss_per_mille / 10, faults.loss_per_mille % 10, faults.reorder_per_mille / 10,
                 faults.reorder_per_mille % 10, faults.seed);
    return {};
}

TapImpairmentStats TapNetDevice::impairment_stats() const {
    return TapImpairmentStats {m_rx_faults.dropped(), m_rx_reordered, m_tx_faults.dropped(), m_tx_reordered};
}

void TapNetDevice::on_readable() {
    PacketList batch;
    for (usize n = 0; n < kBatch; ++n) {
        PacketBuffer* buffer = m_rx_pool.allocate();
        u8 scratch[PacketBuffer::kSize];
        Bytes space = buffer ? buffer->tail_space() : Bytes(scratch, sizeof(scratch));
        ssize_t got = read(m_fd, space.data(), space.size());
        if (got < 0) {
            if (buffer) buffer->release();
            if (errno != EAGAIN && errno != EINTR) log_error("tap", "{}: read: errno {}", interface(), errno);
            break;
        }
        if (!buffer) {
            ++m_stats.rx_no_buffer;  // read into scratch: dropped, counted
            continue;
        }
        if (usize(got) < kEthernetHeader || usize(got) > kEthernetHeader + m_mtu) {
            ++m_stats.rx_bad_length;
            buffer->release();
            continue;
        }
        (void)buffer->put(usize(got));
        switch (m_rx_faults.next_verdict()) {
        case LinkImpairment::Verdict::Drop:
            buffer->release();
            continue;
        case LinkImpairment::Verdict::Hold:
            if (!m_rx_held) {
                m_rx_held = buffer;
                m_loop->arm_after(m_hold_timer, kHoldLimit);
                continue;
            }
            break;  // one held already: this one overtakes it below
        case LinkImpairment::Verdict::Pass:
            break;
        }
        batch.push_back(*buffer);
        if (m_rx_held) {
            // The held frame arrives after the one that overtook it.
            batch.push_back(*m_rx_held);
            m_rx_held = nullptr;
            ++m_rx_reordered;
        }
    }
    if (!batch.empty()) deliver(batch);
}

Result<void> TapNetDevice::start_transmit(PacketBuffer& frame) {
    switch (m_tx_faults.next_verdict()) {
    case LinkImpairment::Verdict::Drop:
        frame.release();
        return {};
    case LinkImpairment::Verdict::Hold:
        if (!m_tx_held) {
            m_tx_held = &frame;
            m_loop->arm_after(m_hold_timer, kHoldLimit);
            return {};
        }
        break;
    case LinkImpairment::Verdict::Pass:
        break;
    }
    write_frame(frame);
    if (m_tx_held) {
        PacketBuffer* held = m_tx_held;
        m_tx_held = nullptr;
        ++m_tx_reordered;
        write_frame(*held);
    }
    return {};
}

void TapNetDevice::write_frame(PacketBuffer& frame) {
    // A TAP write hands the frame to Linux's receive path at once; it fails
    // only when the interface is down (EIO) or out of memory: the frame is
    // lost, counted, and the protocols above retransmit.
    ssize_t put = write(m_fd, frame.data(), frame.length());
    if (put != ssize_t(frame.length())) ++m_stats.tx_errors;
    frame.release();
}

void TapNetDevice::on_hold_timeout(Timer& timer) {
    auto* self = static_cast<TapNetDevice*>(timer.context());
    if (PacketBuffer* held = self->m_tx_held) {
        self->m_tx_held = nullptr;
        self->write_frame(*held);
    }
    if (PacketBuffer* held = self->m_rx_held) {
        self->m_rx_held = nullptr;
        PacketList one;
        one.push_back(*held);
        self->deliver(one);
    }
}

}  // namespace mote
