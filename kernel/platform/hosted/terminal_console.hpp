// The hosted console: the process's stdin and stdout.
//
// On a TTY the terminal is put in raw mode and this behaves like a serial
// line (CR LF output, echo done by the shell's line editor). On a pipe it is
// line mode: no echo, and end of input is reported to the shell.
#pragma once

#include "dev/console.hpp"

namespace mote {

class TerminalConsole final : public Console {
public:
    void init(bool interactive) { m_interactive = interactive; }

    void write(StringView text) override;
    bool interactive() const override { return m_interactive; }

    enum class Readable : u8 {
        More,   // read some: watch stdin for more
        Ended,  // end of input: stop watching
        Held,   // the consumer is full: stop watching until it makes room
    };
    // Loop context, when stdin is readable. Reads no more than the
    // consumer takes, so nothing piped in is dropped.
    Readable on_readable();

    // Who to tell when a held stdin may be read again (loop context).
    void set_resume(void (*resume)(void* context), void* context) {
        m_resume = resume;
        m_resume_context = context;
    }
    void input_room_opened() override;

    u64 bytes_in() const { return m_bytes_in; }

private:
    void write_raw(const char* data, usize length);

    bool m_interactive = false;
    bool m_ended = false;
    bool m_held = false;
    void (*m_resume)(void*) = nullptr;
    void* m_resume_context = nullptr;
    u64 m_bytes_in = 0;
};

}  // namespace mote
