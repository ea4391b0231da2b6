#include "platform/hosted/terminal_console.hpp"

#include <errno.h>
#include <unistd.h>

namespace mote {

void TerminalConsole::write_raw(const char* data, usize length) {
    while (length) {
        ssize_t n = ::write(1, data, length);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // stdout gone: nothing sensible to do with the text
        data += n;
        length -= usize(n);
    }
}

void TerminalConsole::write(StringView text) {
    if (!m_interactive) {
        write_raw(text.data(), text.length());
        return;
    }
    // Raw mode has no output processing: a serial-style CR LF is ours to send.
    usize start = 0;
    for (usize i = 0; i < text.length(); ++i) {
        if (text[i] == '\n') {
            write_raw(text.data() + start, i - start);
            write_raw("\r\n", 2);
            start = i + 1;
        }
    }
    write_raw(text.data() + start, text.length() - start);
}

TerminalConsole::Readable TerminalConsole::on_readable() {
    if (m_ended) return Readable::Ended;
    u8 buffer[512];
    usize want = sizeof(buffer);
    if (m_input) {
        const usize room = m_input->input_room();
        if (room == 0) {
            m_held = true;
            return Readable::Held;
        }
        if (room < want) want = room;
    }
    ssize_t n = ::read(0, buffer, want);
    if (n < 0) return errno == EINTR || errno == EAGAIN ? Readable::More : Readable::Ended;
    if (n == 0) {
        m_ended = true;
        if (m_input) m_input->on_end();
        return Readable::Ended;
    }
    m_bytes_in += u64(n);
    if (m_input) m_input->on_input(ReadonlyBytes(buffer, usize(n)));
    return Readable::More;
}

void TerminalConsole::input_room_opened() {
    if (!m_held) return;
    m_held = false;
    if (m_resume) m_resume(m_resume_context);
}

}  // namespace mote
