// A serial port used as the console, as the platform drives it: the Console
// stream, the loop-side interrupt handler, and a polled path that works with
// interrupts off for crash reports.
#pragma once

#include "dev/console.hpp"

namespace mote {

class Uart : public Console {
public:
    virtual StringView model() const = 0;
    // Loop context, after the UART's interrupt was posted.
    virtual void on_interrupt() = 0;
    // Any context, interrupts on or off: flush what is buffered, then write
    // `text` by polling. Used only on the way down.
    virtual void write_polled(StringView text) = 0;
    // Makes the UART raise its interrupt once (transmitter empty), so the
    // self-test can watch it travel through the interrupt controller.
    virtual void raise_test_interrupt() = 0;

protected:
    ~Uart() = default;
};

}  // namespace mote
