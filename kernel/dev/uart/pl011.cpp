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

usize Pl011::tx_room() { return reg(kFr) & kFrTxFull ? 0 : 1; }

void Pl011::tx_put(u8 byte) { reg(kDr) = byte; }

void Pl011::set_tx_interrupt(bool on) { reg(kImsc) = kIntRx | kIntRxTimeout | (on ? kIntTx : 0); }

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
    transmit();
}

}  // namespace mote
