#include "dev/net_device.hpp"

namespace mote {

void NetDevice::set_name(StringView name) {
    usize n = min(name.length(), sizeof(m_name) - 1);
    for (usize i = 0; i < n; ++i) m_name[i] = name[i];
    m_name[n] = '\0';
}

Result<void> NetDevice::transmit(PacketBuffer& frame) {
    VERIFY_MSG(frame.in_use() && !frame.node.is_linked(), "transmit of a buffer the caller does not own");
    // Decode: a frame the driver sees always fits the wire and its header.
    if (frame.length() < kEthernetHeader || frame.length() > usize(m_mtu) + kEthernetHeader ||
        frame.headroom() < kTransmitHeadroom) {
        ++m_stats.tx_rejected;
        return Error::InvalidArgument;
    }
    if (!m_link_up) {
        ++m_stats.tx_rejected;
        return Error::BadState;
    }
    usize length = frame.length();
    // Perform. After an ok the buffer is the driver's: read its length first.
    if (auto r = start_transmit(frame); r.is_error()) {
        if (r.error() == Error::Busy) {
            ++m_stats.tx_busy;
            m_tx_was_busy = true;
        } else {
            ++m_stats.tx_errors;
        }
        return r.error();
    }
    ++m_stats.tx_frames;
    m_stats.tx_bytes += length;
    return {};
}

void NetDevice::deliver(PacketList& frames) {
    if (frames.empty()) return;
    if (!m_receiver || !m_link_up) {
        u64& counter = m_receiver ? m_stats.rx_link_down : m_stats.rx_no_receiver;
        counter += frames.size();
        release_all(frames);
        return;
    }
    m_stats.rx_frames += frames.size();
    for (PacketBuffer& b : frames) m_stats.rx_bytes += b.length();
    m_receiver->on_frames(*this, frames);
    VERIFY_MSG(frames.empty(), "network receiver left frames it was given");
}

void NetDevice::transmit_ready() {
    if (!m_tx_was_busy) return;
    m_tx_was_busy = false;
    if (m_receiver) m_receiver->on_transmit_ready(*this);
}

void NetDevice::set_link(bool up) {
    if (up == m_link_up) return;
    m_link_up = up;
    if (m_receiver) m_receiver->on_link_change(*this);
}

}  // namespace mote
