#include "dev/uart/ns16550a.hpp"

namespace mote {

namespace {
// Register numbers (PC16550D data sheet, table 2) and bits.
constexpr u32 kData = 0;   // RBR on read, THR on write
constexpr u32 kIer = 1;    // interrupt enable
constexpr u32 kFcr = 2;    // FIFO control (write)
constexpr u32 kMcr = 4;    // modem control
constexpr u32 kLsr = 5;    // line status
constexpr u8 kIerReceive = 0x01;   // received data available
constexpr u8 kIerTransmit = 0x02;  // transmitter holding register empty
constexpr u8 kFcrEnable = 0x01, kFcrClearTx = 0x04;
constexpr u8 kMcrDtr = 0x01, kMcrRts = 0x02, kMcrOut2 = 0x08;  // OUT2 gates the IRQ line on PC designs
constexpr u8 kLsrDataReady = 0x01, kLsrOverrun = 0x02, kLsrThrEmpty = 0x20;
constexpr usize kFifoDepth = 16;
}  // namespace

u8 Ns16550a::read(u32 reg) const {
    if (m_io.read) return m_io.read(u16(m_port + reg));
    volatile u8* at = m_base + (usize(reg) << m_shift);
    if (m_width == 4) return u8(*reinterpret_cast<volatile u32*>(at));
    return *at;
}

void Ns16550a::write_reg(u32 reg, u8 value) {
    if (m_io.write) return m_io.write(u16(m_port + reg), value);
    volatile u8* at = m_base + (usize(reg) << m_shift);
    if (m_width == 4) *reinterpret_cast<volatile u32*>(at) = value;
    else *at = value;
}

Result<void> Ns16550a::init(volatile u8* base, u32 reg_shift, u32 io_width) {
    if (reg_shift > 2 || (io_width != 1 && io_width != 4)) return Error::Unsupported;
    m_base = base;
    m_shift = reg_shift;
    m_width = io_width;
    setup();
    return {};
}

Result<void> Ns16550a::init_ports(u16 base, PortIo io) {
    if (!io.read || !io.write || base > 0xfff8) return Error::InvalidArgument;
    // A port nobody decodes reads all ones: no UART there.
    if (io.read(u16(base + kLsr)) == 0xff) return Error::NotFound;
    m_port = base;
    m_io = io;
    setup();
    return {};
}

void Ns16550a::setup() {
    // The firmware set the line up (baud, 8N1); keep it and only turn on
    // the FIFOs and the receive interrupt.
    write_reg(kIer, 0);
    // Bytes typed before boot stay in the receive FIFO; the first interrupt
    // (or the platform's initial poll) reads them. Clearing it instead would
    // also stall QEMU's input, which only refills the FIFO on RBR reads.
    write_reg(kFcr, kFcrEnable | kFcrClearTx);
    write_reg(kMcr, kMcrDtr | kMcrRts | kMcrOut2);
    write_reg(kIer, kIerReceive);
}

// THRE with the FIFOs on means the whole transmit FIFO is empty.
usize Ns16550a::tx_room() { return read(kLsr) & kLsrThrEmpty ? kFifoDepth : 0; }

void Ns16550a::tx_put(u8 byte) { write_reg(kData, byte); }

void Ns16550a::set_tx_interrupt(bool on) { write_reg(kIer, kIerReceive | (on ? kIerTransmit : 0)); }

void Ns16550a::on_interrupt() {
    u8 buffer[64];
    usize n = 0;
    for (;;) {
        u8 status = read(kLsr);
        if (status & kLsrOverrun) ++m_overruns;
        if (!(status & kLsrDataReady)) break;
        buffer[n++] = read(kData);
        if (n == sizeof(buffer)) {
            m_bytes_in += n;
            if (m_input) m_input->on_input(ReadonlyBytes(buffer, n));
            n = 0;
        }
    }
    m_bytes_in += n;
    if (n && m_input) m_input->on_input(ReadonlyBytes(buffer, n));
    transmit();
}

}  // namespace mote
