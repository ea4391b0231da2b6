// The 16550A UART (National Semiconductor PC16550D data sheet), as QEMU's
// riscv virt machine (memory-mapped) and PCs (COM1 at I/O port 0x3f8)
// provide it: the serial console.
//
// Receive is interrupt driven: the "received data available" interrupt is
// posted to the loop, whose handler drains the FIFO and hands the bytes to
// the console's input. Transmit is the Uart base's ring: it feeds the
// 16-byte FIFO, and the "transmitter holding register empty" interrupt
// refills it from the loop; a burst larger than the ring is cut, counted
// (dev/uart/uart.hpp).
#pragma once

#include "base/result.hpp"
#include "dev/uart/uart.hpp"

namespace mote {

class Ns16550a final : public Uart {
public:
    // `base` is the mapped register block; registers are 1 << reg_shift
    // bytes apart and accessed `io_width` (1 or 4) bytes wide (the
    // devicetree's reg-shift and reg-io-width).
    Result<void> init(volatile u8* base, u32 reg_shift, u32 io_width);

    // Port-mapped registers (the PC's COM ports, x86 IN/OUT): register n
    // is at port `base` + n, reached through the platform's accessors.
    struct PortIo {
        u8 (*read)(u16 port);
        void (*write)(u16 port, u8 value);
    };
    Result<void> init_ports(u16 base, PortIo io);

    bool interactive() const override { return true; }
    StringView model() const override { return "ns16550a"; }

    // Loop context, for the UART's interrupt: receive, then refill the FIFO.
    void on_interrupt() override;

    u64 bytes_in() const { return m_bytes_in; }
    u64 overruns() const { return m_overruns; }

private:
    u8 read(u32 reg) const;
    void write_reg(u32 reg, u8 value);
    bool present() const override { return m_base != nullptr || m_io.write != nullptr; }
    usize tx_room() override;
    void tx_put(u8 byte) override;
    void set_tx_interrupt(bool on) override;

    void setup();

    volatile u8* m_base = nullptr;
    u16 m_port = 0;
    PortIo m_io {nullptr, nullptr};
    u32 m_shift = 0;
    u32 m_width = 1;
    u64 m_bytes_in = 0;
    u64 m_overruns = 0;
};

}  // namespace mote
