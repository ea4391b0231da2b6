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

    // Loop context, when stdin is readable. Returns false at end of input.
    bool on_readable();

    u64 bytes_in() const { return m_bytes_in; }

private:
    void write_raw(const char* data, usize length);

    bool m_interactive = false;
    bool m_ended = false;
    u64 m_bytes_in = 0;
};

}  // namespace mote
