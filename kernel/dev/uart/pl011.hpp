// The Arm PrimeCell UART PL011 (PL011 Technical Reference Manual, r1p5), as
// QEMU's aarch64 virt machine provides it: the serial console.
//
// Receive (and receive timeout) interrupts are posted to the loop, which
// drains the FIFO; transmit is the Uart base's ring, fed into the FIFO one
// byte at a time while it is not full.
#pragma once

#include "base/result.hpp"
#include "dev/uart/uart.hpp"

namespace mote {

class Pl011 final : public Uart {
public:
    Result<void> init(volatile u8* base);

    bool interactive() const override { return true; }
    StringView model() const override { return "pl011"; }
    void on_interrupt() override;

private:
    volatile u32& reg(u32 offset) const { return *reinterpret_cast<volatile u32*>(m_base + offset); }
    bool present() const override { return m_base != nullptr; }
    usize tx_room() override;
    void tx_put(u8 byte) override;
    void set_tx_interrupt(bool on) override;

    volatile u8* m_base = nullptr;
};

}  // namespace mote
