#include "dev/uart/uart.hpp"

namespace mote {

void Uart::write(StringView text) {
    if (!present()) return;
    for (char c : text) {
        // A line's "\r\n" goes whole or not at all.
        const usize need = c == '\n' ? 2 : 1;
        if (m_tx.capacity() - m_tx.size() < need) {
            ++m_tx_dropped;
            continue;
        }
        if (c == '\n') (void)m_tx.push('\r');
        (void)m_tx.push(u8(c));
    }
    transmit();
}

void Uart::transmit() {
    u8 byte;
    usize moved = 0;
    while (!m_tx.empty()) {
        usize room = tx_room();
        if (room == 0) break;
        for (usize n = 0; n < room && m_tx.pop(byte); ++n, ++moved) tx_put(byte);
    }
    const bool want = !m_tx.empty();
    if (want != m_tx_interrupt) {
        m_tx_interrupt = want;
        set_tx_interrupt(want);
    }
    if (moved) room_opened();
}

void Uart::put_polled(u8 byte) {
    while (tx_room() == 0) {
    }
    tx_put(byte);
}

void Uart::write_polled(StringView text) {
    if (!present()) return;
    u8 queued;
    while (m_tx.pop(queued)) put_polled(queued);
    for (char c : text) {
        if (c == '\n') put_polled('\r');
        put_polled(u8(c));
    }
}

}  // namespace mote
