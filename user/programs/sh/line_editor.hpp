// The shell's line editor: a byte-at-a-time state machine, so it works the
// same on a UART that delivers one byte per interrupt and on a pipe that
// delivers a whole script at once.
//
// Keys: printable ASCII inserts at the cursor; Backspace/DEL, Delete
// (ESC[3~), Left/Right, Home/End (and Ctrl-A/Ctrl-E), Up/Down walk the
// history, Ctrl-U kills the line, Ctrl-C abandons it, Tab asks for
// completion. CR, LF and CR LF each end one line.
//
// Nothing is rejected silently: bytes that are neither printable nor a known
// key, and characters past the length limit, are counted, and the line that
// carried them is reported as bad when it ends (the shell prints one error
// line for it instead of running it).
#pragma once

#include "base/format.hpp"
#include "base/ring_buffer.hpp"
#include "base/span.hpp"

namespace mote {

class LineEditor {
public:
    static constexpr usize kMaxLine = 200;
    static constexpr usize kHistory = 16;

    enum class Event : u8 {
        None,       // keep feeding
        Line,       // line() holds a finished line (check garbage()/overlong())
        Cancelled,  // Ctrl-C: line abandoned
        Complete,   // Tab: completion requested for line()
    };

    // Where echo and redraw output goes (nowhere when echo is off).
    using Echo = void (*)(StringView text, void* context);

    void set_echo(Echo echo, void* context) {
        m_echo = echo;
        m_echo_context = context;
    }
    void set_prompt(StringView prompt) { m_prompt = prompt; }

    Event feed(u8 byte);

    // The current (or just finished) line and what was wrong with it.
    StringView line() const { return StringView(m_line, m_length); }
    usize garbage() const { return m_garbage; }
    usize overlong() const { return m_overlong; }

    // After Line or Cancelled: start a new, empty line.
    void reset();
    // Where the cursor is in line() (completion looks at the word before it).
    usize cursor() const { return m_cursor; }
    // Replaces the line being edited (completion, history) and redraws it,
    // with the cursor at `cursor` (at most the end; the end by default).
    void replace(StringView text, usize cursor = kMaxLine);
    // Reprints prompt and line, e.g. after the shell printed something.
    void redraw();

    usize history_size() const { return m_history.size(); }

private:
    enum class Escape : u8 { None, Esc, Csi, Ss3 };

    Event handle_key(u8 byte);
    Event handle_csi(u8 final_byte);
    void insert(char c);
    void erase_before_cursor();
    void erase_at_cursor();
    void move_cursor(usize to);
    void finish_line();
    void history_step(int direction);
    void echo(StringView text);
    void redraw_tail(usize erased);

    char m_line[kMaxLine];
    usize m_length = 0;
    usize m_cursor = 0;
    usize m_garbage = 0;
    usize m_overlong = 0;
    Escape m_escape = Escape::None;
    u8 m_csi_param = 0;
    bool m_after_cr = false;

    struct HistoryEntry {
        char text[kMaxLine];
        u8 length;
    };
    RingBuffer<HistoryEntry, kHistory> m_history;
    usize m_history_pos = 0;  // == size(): editing a fresh line

    StringView m_prompt = "";
    Echo m_echo = nullptr;
    void* m_echo_context = nullptr;
};

}  // namespace mote
