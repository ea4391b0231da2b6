// The console: a byte stream to and from a person (a serial port, or the
// host terminal in the hosted build).
//
// Output is buffered by the driver and never blocks the loop for long.
// Input arrives in loop context: the driver's interrupt handler posts to the
// loop, and the loop-side handler hands the received bytes to the one
// consumer (the programs' console stream) through on_input. End of input (a
// closed pipe in the hosted build) is reported once through on_end.
//
// Input backpressure: a source that can hold bytes back (the hosted
// kernel's stdin, a pipe or a terminal) asks input_room() first and reads
// no more than that, and the consumer calls input_room_opened() when a
// reader has made room, so a long script piped in loses nothing. A UART
// cannot hold back: what does not fit is dropped and counted by the
// consumer.
#pragma once

#include "base/span.hpp"

namespace mote {

class ConsoleInput {
public:
    static constexpr usize kUnlimited = ~usize(0);

    virtual void on_input(ReadonlyBytes bytes) = 0;
    virtual void on_end() {}
    // How many bytes on_input() takes now without dropping any.
    virtual usize input_room() const { return kUnlimited; }

protected:
    ~ConsoleInput() = default;
};

class Console {
public:
    static constexpr usize kUnlimited = ~usize(0);

    // Writes text; '\n' becomes "\r\n" on terminals that need it. What
    // does not fit the driver's buffer is dropped (and counted by it).
    virtual void write(StringView text) = 0;
    void set_input(ConsoleInput* input) { m_input = input; }
    // Whether a person is typing (line editing and echo make sense).
    virtual bool interactive() const = 0;

    // Output backpressure, for writers that can wait (programs): how many
    // bytes write() takes now without dropping any, and who to tell (loop
    // context) when the driver has moved bytes out and room may have opened.
    virtual usize write_room() const { return kUnlimited; }
    // The input's consumer made room (loop context): a source that held
    // bytes back may go on.
    virtual void input_room_opened() {}
    void set_room_listener(void (*listener)(void* context), void* context) {
        m_room_listener = listener;
        m_room_context = context;
    }

protected:
    ~Console() = default;
    void room_opened() {
        if (m_room_listener) m_room_listener(m_room_context);
    }
    ConsoleInput* m_input = nullptr;

private:
    void (*m_room_listener)(void*) = nullptr;
    void* m_room_context = nullptr;
};

}  // namespace mote
