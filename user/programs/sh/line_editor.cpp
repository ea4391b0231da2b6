#include "line_editor.hpp"

namespace mote {

namespace {
constexpr u8 kCtrlA = 0x01, kCtrlC = 0x03, kCtrlE = 0x05, kBackspace = 0x08, kTab = 0x09, kLf = 0x0a,
             kCr = 0x0d, kCtrlU = 0x15, kEsc = 0x1b, kDel = 0x7f;
}  // namespace

void LineEditor::echo(StringView text) {
    if (m_echo) m_echo(text, m_echo_context);
}

void LineEditor::reset() {
    m_length = m_cursor = 0;
    m_garbage = m_overlong = 0;
    m_escape = Escape::None;
    m_history_pos = m_history.size();
}

LineEditor::Event LineEditor::feed(u8 byte) {
    // CR LF is one line end, not a line end and an empty line.
    bool after_cr = m_after_cr;
    m_after_cr = byte == kCr;
    if (byte == kLf && after_cr) return Event::None;

    switch (m_escape) {
    case Escape::Esc:
        if (byte == '[') {
            m_escape = Escape::Csi;
            m_csi_param = 0;
        } else if (byte == 'O') {
            m_escape = Escape::Ss3;
        } else {
            m_escape = Escape::None;
            ++m_garbage;
        }
        return Event::None;
    case Escape::Csi:
        if (byte >= '0' && byte <= '9') {
            m_csi_param = u8(min<unsigned>(m_csi_param * 10u + unsigned(byte - '0'), 99u));
            return Event::None;
        }
        m_escape = Escape::None;
        return handle_csi(byte);
    case Escape::Ss3:
        m_escape = Escape::None;
        return handle_csi(byte);
    case Escape::None: break;
    }
    return handle_key(byte);
}

LineEditor::Event LineEditor::handle_key(u8 byte) {
    switch (byte) {
    case kCr:
    case kLf: finish_line(); return Event::Line;
    case kCtrlC:
        echo("^C\n");
        return Event::Cancelled;
    case kEsc: m_escape = Escape::Esc; return Event::None;
    case kBackspace:
    case kDel: erase_before_cursor(); return Event::None;
    case kCtrlA: move_cursor(0); return Event::None;
    case kCtrlE: move_cursor(m_length); return Event::None;
    case kCtrlU: replace(""); return Event::None;
    case kTab: return Event::Complete;
    default: break;
    }
    if (byte >= 0x20 && byte < 0x7f) {
        insert(char(byte));
    } else {
        ++m_garbage;
    }
    return Event::None;
}

LineEditor::Event LineEditor::handle_csi(u8 final_byte) {
    switch (final_byte) {
    case 'A': history_step(-1); break;
    case 'B': history_step(+1); break;
    case 'C': move_cursor(min(m_cursor + 1, m_length)); break;
    case 'D': move_cursor(m_cursor ? m_cursor - 1 : 0); break;
    case 'H': move_cursor(0); break;
    case 'F': move_cursor(m_length); break;
    case '~':
        if (m_csi_param == 1 || m_csi_param == 7) move_cursor(0);
        else if (m_csi_param == 4 || m_csi_param == 8) move_cursor(m_length);
        else if (m_csi_param == 3) erase_at_cursor();
        else ++m_garbage;
        break;
    default: ++m_garbage; break;
    }
    return Event::None;
}

void LineEditor::insert(char c) {
    if (m_length == kMaxLine) {
        ++m_overlong;
        return;
    }
    for (usize i = m_length; i > m_cursor; --i) m_line[i] = m_line[i - 1];
    m_line[m_cursor++] = c;
    ++m_length;
    // The new character is on screen at the old cursor position; whatever
    // followed it shifts right and is redrawn.
    echo(StringView(&c, 1));
    if (m_cursor != m_length) redraw_tail(0);
}

void LineEditor::erase_before_cursor() {
    if (m_cursor == 0) return;
    move_cursor(m_cursor - 1);
    erase_at_cursor();
}

void LineEditor::erase_at_cursor() {
    if (m_cursor == m_length) return;
    for (usize i = m_cursor; i + 1 < m_length; ++i) m_line[i] = m_line[i + 1];
    --m_length;
    redraw_tail(1);
}

// Rewrites the line from the cursor to the end, blanks `erased` stale
// characters after it, and puts the terminal cursor back.
void LineEditor::redraw_tail(usize erased) {
    if (!m_echo) return;
    echo(StringView(m_line + m_cursor, m_length - m_cursor));
    for (usize i = 0; i < erased; ++i) echo(" ");
    usize back = m_length - m_cursor + erased;
    if (back) {
        FixedString<16> seq;
        seq.appendf("\x1b[{}D", back);
        echo(seq.view());
    }
}

void LineEditor::move_cursor(usize to) {
    if (to == m_cursor) return;
    if (m_echo) {
        FixedString<16> seq;
        if (to < m_cursor) seq.appendf("\x1b[{}D", m_cursor - to);
        else seq.appendf("\x1b[{}C", to - m_cursor);
        echo(seq.view());
    }
    m_cursor = to;
}

void LineEditor::replace(StringView text, usize cursor) {
    usize old_length = m_length;
    move_cursor(0);
    m_length = min(text.length(), kMaxLine);
    for (usize i = 0; i < m_length; ++i) m_line[i] = text[i];
    // The new line over the old, blanks over the rest of the old one, then
    // straight back to where the cursor goes.
    usize erased = old_length > m_length ? old_length - m_length : 0;
    m_cursor = min(cursor, m_length);
    if (!m_echo) return;
    echo(line());
    for (usize i = 0; i < erased; ++i) echo(" ");
    usize back = m_length - m_cursor + erased;
    if (back) {
        FixedString<16> seq;
        seq.appendf("\x1b[{}D", back);
        echo(seq.view());
    }
}

void LineEditor::redraw() {
    echo(m_prompt);
    echo(StringView(m_line, m_length));
    usize at = m_cursor;
    m_cursor = m_length;
    move_cursor(at);
}

void LineEditor::finish_line() {
    echo("\n");
    // Only clean, non-empty lines that differ from the previous one are
    // worth recalling.
    if (m_length && !m_garbage && !m_overlong) {
        bool repeat = m_history.size() && StringView(m_history.at(m_history.size() - 1).text,
                                                     m_history.at(m_history.size() - 1).length) == line();
        if (!repeat) {
            HistoryEntry entry;
            for (usize i = 0; i < m_length; ++i) entry.text[i] = m_line[i];
            entry.length = u8(m_length);
            m_history.push_overwrite(entry);
        }
    }
    m_history_pos = m_history.size();
}

void LineEditor::history_step(int direction) {
    if (direction < 0) {
        if (m_history_pos == 0) return;
        --m_history_pos;
    } else {
        if (m_history_pos >= m_history.size()) return;
        ++m_history_pos;
    }
    if (m_history_pos == m_history.size()) {
        replace("");
    } else {
        const HistoryEntry& e = m_history.at(m_history_pos);
        replace(StringView(e.text, e.length));
    }
}

}  // namespace mote
