// A serial port used as the console, as the platform drives it: the Console
// stream, the loop-side interrupt handler, and a polled path that works with
// interrupts off for crash reports.
//
// The transmit half is the same for every UART and lives here: write()
// queues the text in a bounded ring ('\n' as "\r\n") and moves what the
// FIFO takes at once; the rest goes from the transmit interrupt, which is
// on only while bytes wait. Nothing ever waits for the wire: when the ring
// is full, further bytes are dropped and counted (tx_dropped, in
// `devices`), because nothing in the kernel blocks. The crash path alone
// polls the hardware (write_polled). A driver supplies the registers'
// half: how many bytes the FIFO takes now, putting one, and switching the
// transmit interrupt.
#pragma once

#include "base/ring_buffer.hpp"
#include "dev/console.hpp"

namespace mote {

class Uart : public Console {
public:
    static constexpr usize kTxBuffer = 4096;

    void write(StringView text) final;
    // Room for any text of this many bytes, even all newlines ("\r\n").
    usize write_room() const override { return (m_tx.capacity() - m_tx.size()) / 2; }
    // Any context, interrupts on or off: the ring, then `text`, by polling.
    // Used only on the way down.
    void write_polled(StringView text);
    u64 tx_dropped() const { return m_tx_dropped; }

    virtual StringView model() const = 0;
    // Loop context, after the UART's interrupt was posted: take what was
    // received, then transmit().
    virtual void on_interrupt() = 0;
    // Makes the UART raise its interrupt once (the transmit interrupt with
    // the FIFO empty fires at once; transmit() turns it off again), so the
    // self-test can watch it travel through the interrupt controller.
    void raise_test_interrupt() {
        m_tx_interrupt = true;
        set_tx_interrupt(true);
    }

protected:
    ~Uart() = default;

    // The registers' half.
    virtual bool present() const = 0;  // init succeeded: there is a UART to write to
    virtual usize tx_room() = 0;       // bytes the transmit FIFO takes now
    virtual void tx_put(u8 byte) = 0;
    virtual void set_tx_interrupt(bool on) = 0;

    // Moves bytes from the ring to the FIFO while it takes them; asks for
    // the transmit interrupt only while bytes are left over.
    void transmit();

private:
    void put_polled(u8 byte);

    RingBuffer<u8, kTxBuffer> m_tx;
    bool m_tx_interrupt = false;
    u64 m_tx_dropped = 0;
};

}  // namespace mote
