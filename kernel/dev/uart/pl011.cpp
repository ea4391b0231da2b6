#include "dev/uart/pl011.hpp"

namespace mote {

namespace {
// Register offsets and bits (PL011 TRM, 3.2 "Summary of registers").
constexpr u32 kDr = 0x00;
constexpr u32 kFr = 0x18;     // flags
constexpr u32 kLcrH = 0x2c;   // line control
constexpr u32 kCr = 0x30;     // control
constexpr u32 kIfls = 0x34;   // FIFO interrupt levels
constexpr u32 kImsc = 0x38;   // interrupt mask set/clear (1 = enabled)
constexpr u32 kIcr = 0x44;    // interrupt clear
constexpr u32 kFrRxEmpty = 1 << 4, kFrTxFull = 1 << 5;
constexpr u32 kLcrFifo = 1 << 4, kLcrWord8 = 3 << 5;
constexpr u32 kCrEnable = 1 << 0, kCrTx = 1 << 8, kCrRx = 1 << 9;
constexpr u32 kIntRx = 1 << 4, kIntTx = 1 << 5, kIntRxTimeout = 1 << 6;
}  // namespace

Result<void> Pl011::init(volatile u8* base) {
    m_base = base;
    // 8N1 with FIFOs; the baud rate does not matter to QEMU and firmware
    // on real boards has set it. Receive interrupts at 1/8 full, and the
    // receive timeout for the bytes that do not fill that much.
    reg(kCr) = 0;
    reg(kLcrH) = kLcrFifo | kLcrWord8;
    reg(kIfls) = 0;
    reg(kIcr) = 0x7ff;
    reg(kImsc) = kIntRx | kIntRxTimeout;
    reg(kCr) = kCrEnable | kCrTx | kCrRx;
    return {};
}

void Pl011::put_polled(u8 byte) {
    while (reg(kFr) & kFrTxFull) {
    }
    reg(kDr) = byte;
}

void Pl011::push(u8 byte) {
    if (m_tx.full()) {
        u8 queued;
        while (m_tx.pop(queued)) put_polled(queued);
    }
    (void)m_tx.push(byte);
}

void Pl011::write(StringView text) {
    if (!m_base) return;
    for (char c : text) {
        if (c == '\n') push('\r');
        push(u8(c));
    }
    kick();
}

void Pl011::set_tx_interrupt(bool on) {
    if (on == m_tx_interrupt) return;
    m_tx_interrupt = on;
    reg(kImsc) = kIntRx | kIntRxTimeout | (on ? kIntTx : 0);
}

void Pl011::kick() {
    u8 byte;
    while (!(reg(kFr) & kFrTxFull) && m_tx.pop(byte)) reg(kDr) = byte;
    set_tx_interrupt(!m_tx.empty());
}

void Pl011::on_interrupt() {
    reg(kIcr) = kIntRx | kIntRxTimeout | kIntTx;
    u8 buffer[64];
    usize n = 0;
    while (!(reg(kFr) & kFrRxEmpty)) {
        buffer[n++] = u8(reg(kDr));
        if (n == sizeof(buffer)) {
            if (m_input) m_input->on_input(ReadonlyBytes(buffer, n));
            n = 0;
        }
    }
    if (n && m_input) m_input->on_input(ReadonlyBytes(buffer, n));
    kick();
}

void Pl011::raise_test_interrupt() {
    // The transmit interrupt is asserted while the FIFO is at or below its
    // level, which it is when idle; kick() turns it off again.
    m_tx_interrupt = false;
    set_tx_interrupt(true);
}

void Pl011::write_polled(StringView text) {
    if (!m_base) return;
    u8 queued;
    while (m_tx.pop(queued)) put_polled(queued);
    for (char c : text) {
        if (c == '\n') put_polled('\r');
        put_polled(u8(c));
    }
}

}  // namespace mote
