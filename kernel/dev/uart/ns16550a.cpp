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

bool Ns16550a::tx_ready() const { return read(kLsr) & kLsrThrEmpty; }

void Ns16550a::put_polled(u8 byte) {
    while (!tx_ready()) {
    }
    write_reg(kData, byte);
}

void Ns16550a::push(u8 byte) {
    if (m_tx.full()) {
        // Drain by polling rather than drop or reorder output.
        u8 queued;
        while (m_tx.pop(queued)) put_polled(queued);
    }
    (void)m_tx.push(byte);
}

void Ns16550a::write(StringView text) {
    if (!m_base && !m_io.write) return;
    for (char c : text) {
        if (c == '\n') push('\r');
        push(u8(c));
    }
    kick();
}

// Moves bytes from the ring to the FIFO while it has room; asks for the
// "holding register empty" interrupt only while bytes are left over.
void Ns16550a::kick() {
    while (!m_tx.empty() && tx_ready()) {
        u8 byte;
        for (usize n = 0; n < kFifoDepth && m_tx.pop(byte); ++n) write_reg(kData, byte);
    }
    bool want = !m_tx.empty();
    if (want != m_tx_interrupt) {
        m_tx_interrupt = want;
        write_reg(kIer, kIerReceive | (want ? kIerTransmit : 0));
    }
}

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
    kick();
}

void Ns16550a::raise_test_interrupt() {
    // With the holding register empty, enabling its interrupt asserts the
    // line at once; kick() from on_interrupt turns it off again.
    m_tx_interrupt = true;
    write_reg(kIer, kIerReceive | kIerTransmit);
}

void Ns16550a::write_polled(StringView text) {
    if (!m_base && !m_io.write) return;
    u8 queued;
    while (m_tx.pop(queued)) put_polled(queued);
    for (char c : text) {
        if (c == '\n') put_polled('\r');
        put_polled(u8(c));
    }
}

}  // namespace mote
