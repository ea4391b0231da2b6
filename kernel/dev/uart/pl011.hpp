// The Arm PrimeCell UART PL011 (PL011 Technical Reference Manual, r1p5), as
// QEMU's aarch64 virt machine provides it: the serial console.
//
// Same scheme as the 16550A driver: receive (and receive timeout) interrupts
// posted to the loop, which drains the FIFO; transmit through a ring that
// feeds the FIFO, with the transmit interrupt on only while bytes wait.
#pragma once

#include "base/result.hpp"
#include "base/ring_buffer.hpp"
#include "dev/uart/uart.hpp"

namespace mote {

class Pl011 final : public Uart {
public:
    static constexpr usize kTxBuffer = 4096;

    Result<void> init(volatile u8* base);

    void write(StringView text) override;
    bool interactive() const override { return true; }
    StringView model() const override { return "pl011"; }
    void on_interrupt() override;
    void write_polled(StringView text) override;
    void raise_test_interrupt() override;

private:
    volatile u32& reg(u32 offset) const { return *reinterpret_cast<volatile u32*>(m_base + offset); }
    void put_polled(u8 byte);
    void push(u8 byte);
    void kick();
    void set_tx_interrupt(bool on);

    volatile u8* m_base = nullptr;
    RingBuffer<u8, kTxBuffer> m_tx;
    bool m_tx_interrupt = false;
};

}  // namespace mote
